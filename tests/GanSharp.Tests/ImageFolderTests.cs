using System.IO.Compression;
using GanSharp.Configuration;
using GanSharp.Data;
using SkiaSharp;
using static GanSharp.Tests.TestSupport;
using static TorchSharp.torch;

namespace GanSharp.Tests;

/// <summary>Folders of image files, decoded with SkiaSharp: fixtures this test writes itself, of every kind a user has.</summary>
public class ImageFolderTests
{
    /// <summary>Encodes <paramref name="pixel"/>(x, y) as an image of <paramref name="w"/>×<paramref name="h"/>.</summary>
    static void Write(string path, int w, int h, Func<int, int, SKColor> pixel, SKEncodedImageFormat format = SKEncodedImageFormat.Png,
                      SKColorType type = SKColorType.Rgba8888)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(w, h, type, type == SKColorType.Gray8 ? SKAlphaType.Opaque : SKAlphaType.Unpremul));
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) bitmap.SetPixel(x, y, pixel(x, y));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var data = bitmap.Encode(format, 95);
        File.WriteAllBytes(path, data.ToArray());
    }

    /// <summary>An indexed-colour (palette) PNG, written byte by byte: SkiaSharp does not encode them.</summary>
    static void WritePalettePng(string path, int w, int h, SKColor[] palette, Func<int, int, byte> index)
    {
        static byte[] BigEndian(int v) => [(byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v];
        static uint Crc(IEnumerable<byte> bytes)
        {
            uint c = 0xFFFFFFFF;
            foreach (var b in bytes)
            {
                c ^= b;
                for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            }
            return ~c;
        }
        var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10]);
        void Chunk(string type, byte[] data)
        {
            png.Write(BigEndian(data.Length));
            var typed = System.Text.Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
            png.Write(typed);
            png.Write(BigEndian((int)Crc(typed)));
        }
        Chunk("IHDR", [.. BigEndian(w), .. BigEndian(h), 8, 3, 0, 0, 0]);  // 8-bit, colour type 3: palette
        Chunk("PLTE", palette.SelectMany(c => new[] { c.Red, c.Green, c.Blue }).ToArray());
        var raw = new MemoryStream();
        for (int y = 0; y < h; y++)
        {
            raw.WriteByte(0);  // filter: none
            for (int x = 0; x < w; x++) raw.WriteByte(index(x, y));
        }
        var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true)) z.Write(raw.ToArray());
        Chunk("IDAT", compressed.ToArray());
        Chunk("IEND", []);
        File.WriteAllBytes(path, png.ToArray());
    }

    /// <summary>Ten copies of one file, decoded: the first training image's pixels, <c>[C, S, S]</c> bytes.</summary>
    static byte[,,] Decoded(string path, int size, ColorMode color = ColorMode.Rgb)
    {
        var files = Enumerable.Repeat(new ImageFile(path, null), 10).ToList();
        using var data = ImageFolder.Decode("one", files, null, new DataConfig { ImageSize = size, Color = color });
        Assert.Equal(ScalarType.Byte, data.Train.Storage.dtype);
        var x = data.Train.Storage[0];
        var result = new byte[x.shape[0], size, size];
        var values = x.contiguous().data<byte>().ToArray();
        for (int i = 0; i < values.Length; i++) result[i / (size * size), i / size % size, i % size] = values[i];
        return result;
    }

    static (byte R, byte G, byte B) At(byte[,,] image, int y, int x) => (image[0, y, x], image[1, y, x], image[2, y, x]);

    [Fact]
    public void Transparent_pixels_are_composited_onto_the_background()
    {
        var path = Path.Combine(TempFolder(), "rgba.png");
        Write(path, 16, 16, (x, _) => x < 8 ? new SKColor(255, 0, 0, 0) : new SKColor(0, 200, 0, 255));  // left: fully transparent red
        var image = Decoded(path, 16);
        Assert.Equal(((byte)255, (byte)255, (byte)255), At(image, 5, 2));   // white, not red
        Assert.Equal(((byte)0, (byte)200, (byte)0), At(image, 5, 12));
        var black = Enumerable.Repeat(new ImageFile(path, null), 10).ToList();
        using var onBlack = ImageFolder.Decode("b", black, null, new DataConfig { ImageSize = 16, Background = "#000000" });
        Assert.Equal(0, onBlack.Train.Storage[0, 0, 5, 2].item<byte>());
    }

    [Fact]
    public void Grey_palette_and_jpeg_files_decode_to_their_colours()
    {
        var folder = TempFolder();
        var grey = Path.Combine(folder, "grey.png");
        Write(grey, 8, 8, (x, _) => new SKColor((byte)(x * 30), (byte)(x * 30), (byte)(x * 30)), type: SKColorType.Gray8);
        var g = Decoded(grey, 8);
        Assert.Equal(((byte)90, (byte)90, (byte)90), At(g, 4, 3));

        var palette = Path.Combine(folder, "palette.png");
        WritePalettePng(palette, 8, 8, [new SKColor(10, 20, 30), new SKColor(200, 100, 50)], (x, y) => (byte)((x + y) % 2));
        var p = Decoded(palette, 8);
        Assert.Equal(((byte)10, (byte)20, (byte)30), At(p, 0, 0));
        Assert.Equal(((byte)200, (byte)100, (byte)50), At(p, 0, 1));

        var jpeg = Path.Combine(folder, "blue.jpg");
        Write(jpeg, 8, 8, (_, _) => new SKColor(30, 60, 220), SKEncodedImageFormat.Jpeg);
        var (r, gg, b) = At(Decoded(jpeg, 8), 4, 4);
        Assert.InRange(r, 20, 40);   // JPEG is lossy
        Assert.InRange(gg, 50, 70);
        Assert.InRange(b, 210, 230);
    }

    [Fact]
    public void Grey_mode_keeps_the_luminance()
    {
        var path = Path.Combine(TempFolder(), "red.png");
        Write(path, 4, 4, (_, _) => new SKColor(255, 0, 0));
        var image = Decoded(path, 4, ColorMode.Grey);
        Assert.Equal(1, image.GetLength(0));
        Assert.Equal((byte)Math.Round(0.299 * 255), image[0, 1, 1]);   // 76
    }

    [Fact]
    public void An_odd_sized_image_is_centre_cropped_then_resized()
    {
        var path = Path.Combine(TempFolder(), "wide.png");
        // 50×30: red bands of 10 pixels left and right, blue in the middle 30 — the centred square.
        Write(path, 50, 30, (x, _) => x is < 10 or >= 40 ? new SKColor(255, 0, 0) : new SKColor(0, 0, 255));
        var image = Decoded(path, 16);
        for (int y = 2; y < 14; y++)
            for (int x = 2; x < 14; x++)
            {
                var (r, _, b) = At(image, y, x);
                Assert.True(r < 10 && b > 245, $"({x}, {y}) = {r}, {b}");
            }
        var tall = Path.Combine(TempFolder(), "small.png");
        Write(tall, 5, 7, (_, y) => y < 1 ? new SKColor(0, 0, 0) : new SKColor(0, 255, 0));  // 5×7, enlarged to 20
        var up = Decoded(tall, 20);
        Assert.Equal(((byte)0, (byte)255, (byte)0), At(up, 10, 10));
    }

    [Fact]
    public void A_folder_trains_on_its_readable_images_with_classes_from_subfolders_and_reports_the_rest()
    {
        var folder = TempFolder();
        for (int i = 0; i < 7; i++) Write(Path.Combine(folder, "cats", $"c{i}.png"), 12, 12, (_, _) => new SKColor(255, (byte)(i * 30), 0));
        for (int i = 0; i < 6; i++) Write(Path.Combine(folder, "dogs", "inner", $"d{i}.jpg"), 20, 14, (_, _) => new SKColor(0, 0, 255), SKEncodedImageFormat.Jpeg);
        File.WriteAllText(Path.Combine(folder, "dogs", "notes.txt"), "not an image");
        var good = File.ReadAllBytes(Path.Combine(folder, "cats", "c0.png"));
        File.WriteAllBytes(Path.Combine(folder, "dogs", "broken.png"), good[..(good.Length / 2)]);
        File.WriteAllText(Path.Combine(folder, "cats", ".hidden.png"), "ignored");

        using var data = DatasetLoader.Load(new DataConfig { Dataset = folder, ImageSize = 16 });
        Assert.Equal(13, data.Train.Count + data.Validation.Count + data.Test!.Count);
        Assert.Equal((3, 16, 16), data.Train.ImageShape);
        Assert.Equal(["cats", "dogs"], data.Train.LabelNames);
        Assert.Equal(2, data.Skipped.Count);
        Assert.Contains(data.Skipped, s => s.Path.EndsWith("notes.txt") && s.Reason == "not an image");
        Assert.Contains(data.Skipped, s => s.Path.EndsWith("broken.png"));
        Assert.StartsWith("2 skipped: broken.png (", ImageFolder.Describe(data.Skipped));
        // Each image's label is its top-level folder: the red ones are cats (0), the blue ones dogs (1).
        foreach (var part in new[] { data.Train, data.Validation, data.Test })
            for (int i = 0; i < part.Count; i++)
            {
                bool red = part.Storage[i, 0, 8, 8].item<byte>() > 200;
                Assert.Equal(red ? 0L : 1L, part.Labels![i].item<long>());
            }
        // The split is fixed: the same folder splits the same way again.
        using var again = DatasetLoader.Load(new DataConfig { Dataset = folder, ImageSize = 16 });
        Assert.True(Equal(data.Test.Storage, again.Test!.Storage));
    }

    [Fact]
    public void Images_directly_in_the_folder_are_unlabelled()
    {
        var folder = TempFolder();
        for (int i = 0; i < 10; i++) Write(Path.Combine(folder, $"{i}.png"), 6, 6, (_, _) => new SKColor(9, 9, 9));
        using var data = DatasetLoader.Load(new DataConfig { Dataset = folder, ImageSize = 6, Color = ColorMode.Grey });
        Assert.Null(data.Train.Labels);
        Assert.Equal((1, 6, 6), data.Train.ImageShape);
    }

    [Fact]
    public void A_folder_without_readable_images_or_with_too_few_is_a_one_line_error()
    {
        var folder = TempFolder();
        File.WriteAllText(Path.Combine(folder, "a.txt"), "text");
        var e = Assert.Throws<InputException>(() => DatasetLoader.Load(new DataConfig { Dataset = folder }));
        Assert.Contains("none of its 1 files is a readable PNG or JPEG image (1 skipped: a.txt (not an image))", e.Message);
        for (int i = 0; i < 3; i++) Write(Path.Combine(folder, $"{i}.png"), 4, 4, (_, _) => new SKColor(1, 2, 3));
        Assert.Contains("3 readable images; a dataset needs at least 10",
            Assert.Throws<InputException>(() => DatasetLoader.Load(new DataConfig { Dataset = folder })).Message);
        Assert.Contains("background must be a colour",
            Assert.Throws<InputException>(() => DatasetLoader.Load(new DataConfig { Dataset = folder, Background = "red" })).Message);
    }

    [Fact]
    public void The_emoji_catalogue_gives_every_drawn_image_and_variant_its_category_in_unicode_order()
    {
        var folder = TempFolder();
        File.WriteAllText(Path.Combine(folder, "emoji.json"), """
            [
              {"name": "DOG FACE", "short_name": "dog", "image": "1f436.png", "category": "Animals & Nature", "sort_order": 50, "has_img_twitter": true},
              {"name": "GRINNING FACE", "short_name": "grinning", "image": "1f600.png", "category": "Smileys & Emotion", "sort_order": 1, "has_img_twitter": true,
               "skin_variations": {"1F3FB": {"image": "1f600-1f3fb.png", "has_img_twitter": true}, "1F3FC": {"image": "x.png", "has_img_twitter": false}}},
              {"name": "UNDRAWN", "short_name": "u", "image": "none.png", "category": "Objects", "sort_order": 9, "has_img_twitter": false}
            ]
            """);
        var (files, categories, names) = EmojiDataset.Twitter.Catalogue(folder);
        Assert.Equal(["Smileys & Emotion", "Animals & Nature"], categories);
        Assert.Equal(["1f436.png", "1f600-1f3fb.png", "1f600.png"], files.Select(f => Path.GetFileName(f.Path)));
        Assert.Equal([1, 0, 0], files.Select(f => f.Label!.Value));
        Assert.Equal("GRINNING FACE (1F3FB)", names[1]);
        Assert.False(EmojiDataset.Twitter.IsCached(Path.Combine(folder, "no-cache")));
    }

    [Fact]
    public void The_image_shape_rule_without_the_data_is_the_shape_loading_gives()
    {
        var folder = TempFolder();
        for (int i = 0; i < 12; i++) Write(Path.Combine(folder, $"img-{i:D2}.png"), 20, 16, (x, y) => new SKColor((byte)(10 * x), (byte)(10 * y), (byte)i));
        foreach (var config in new[]
                 {
                     new DataConfig { Dataset = folder }, new DataConfig { Dataset = folder, ImageSize = 8, Color = ColorMode.Grey },
                     new DataConfig { Dataset = MnistFixture },
                 })
        {
            using var loaded = DatasetLoader.Load(config);
            Assert.Equal(loaded.Train.ImageShape, DatasetLoader.ImageShape(config));
        }
        // Catalogue entries, without fetching anything: what their loads give (the emoji's as image files).
        Assert.Equal((1, 28, 28), DatasetLoader.ImageShape(new DataConfig { Dataset = "fashion-mnist" }));
        Assert.Equal((3, 32, 32), DatasetLoader.ImageShape(Presets.DcganEmoji.Images));
    }
}
