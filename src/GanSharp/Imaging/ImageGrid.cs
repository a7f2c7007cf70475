using SkiaSharp;
using static TorchSharp.torch;

namespace GanSharp.Imaging;

/// <summary>Tiles a batch of images into one picture and writes it as PNG (TorchVision's make_grid, for GanSharp).</summary>
public static class ImageGrid
{
    /// <summary>
    /// Tiles <paramref name="images"/> (<c>[N, C, H, W]</c>, C = 1 or 3, values in [0, 1], clamped) into rows of
    /// <paramref name="columns"/> (default: ⌈√N⌉) separated by <paramref name="padding"/> pixels, each pixel drawn as a
    /// <paramref name="scale"/>×<paramref name="scale"/> block. The cells of <paramref name="highlightColumn"/>, if
    /// given, are framed in yellow (as the paper's Figure 2 marks nearest training examples). Returns 8-bit RGBA pixels
    /// and the picture's size.
    /// </summary>
    public static (byte[] Rgba, int Width, int Height) Tile(Tensor images, int? columns = null, int padding = 2, int scale = 1,
                                                            byte background = 255, int? highlightColumn = null)
    {
        if (images.dim() != 4 || (images.shape[1] != 1 && images.shape[1] != 3))
            throw new ArgumentException($"expected [N, 1 or 3, H, W] images, got [{string.Join(", ", images.shape)}]");
        int n = (int)images.shape[0], c = (int)images.shape[1], h = (int)images.shape[2], w = (int)images.shape[3];
        var (width, height) = Size(n, h, w, columns, padding, scale);
        int cols = Columns(n, columns);
        int cellW = w * scale + padding, cellH = h * scale + padding;

        byte[] pixels;  // [N, H, W, C] bytes
        using (var scope = NewDisposeScope())
            pixels = ToBytes(images).permute(0, 2, 3, 1).contiguous().data<byte>().ToArray();

        var rgba = new byte[width * height * 4];
        Array.Fill(rgba, background);
        for (int i = 0; i < n; i++)
        {
            int x0 = padding + (i % cols) * cellW, y0 = padding + (i / cols) * cellH;
            if (i % cols == highlightColumn)
                for (int y = y0 - padding; y < y0 + h * scale + padding; y++)
                for (int x = x0 - padding; x < x0 + w * scale + padding; x++)
                {
                    int dst = (y * width + x) * 4;
                    (rgba[dst], rgba[dst + 1], rgba[dst + 2], rgba[dst + 3]) = ((byte)255, (byte)200, (byte)0, (byte)255);
                }
            for (int y = 0; y < h * scale; y++)
            for (int x = 0; x < w * scale; x++)
            {
                int src = ((i * h + y / scale) * w + x / scale) * c;
                int dst = ((y0 + y) * width + x0 + x) * 4;
                rgba[dst] = pixels[src];
                rgba[dst + 1] = pixels[src + (c == 3 ? 1 : 0)];
                rgba[dst + 2] = pixels[src + (c == 3 ? 2 : 0)];
                rgba[dst + 3] = 255;
            }
        }
        return (rgba, width, height);
    }

    /// <summary>The largest picture side <see cref="Tile"/> draws, in pixels (PNG readers and SkiaSharp stay safe below it).</summary>
    public const int MaxSide = 32_767;

    static int Columns(long n, int? columns) => (int)Math.Max(1, columns ?? (long)Math.Ceiling(Math.Sqrt(n)));

    /// <summary>
    /// The size in pixels of the grid <see cref="Tile"/> draws for <paramref name="count"/> images of
    /// <paramref name="height"/>×<paramref name="width"/>, checked before any image is drawn.
    /// </summary>
    /// <exception cref="InputException">A scale below 1, no images, or a picture wider or taller than <see cref="MaxSide"/>.</exception>
    public static (int Width, int Height) Size(long count, int height, int width, int? columns = null, int padding = 2, int scale = 1)
    {
        if (scale < 1) throw new InputException($"the scale must be at least 1 pixel per image pixel (got {scale})");
        if (count < 1 || columns is < 1) throw new InputException("a grid needs at least one image and one column");
        long cols = Columns(count, columns), rows = (count + cols - 1) / cols;
        long w = cols * ((long)width * scale + padding) + padding, h = rows * ((long)height * scale + padding) + padding;
        if (w > MaxSide || h > MaxSide)
            throw new InputException($"the grid would be {w:N0}×{h:N0} pixels, more than {MaxSide:N0} a side: draw fewer images or use a smaller scale");
        return ((int)w, (int)h);
    }

    /// <summary>Images in [0, 1] (clamped) as unsigned bytes, pixel = round(255·x), on the CPU.</summary>
    public static Tensor ToBytes(Tensor images) => images.detach().cpu().clamp(0, 1).mul(255).round().to_type(ScalarType.Byte);

    /// <summary>Tiles <paramref name="images"/> (see <see cref="Tile"/>) and writes the grid to <paramref name="path"/> as PNG, atomically.</summary>
    public static void SavePng(Tensor images, string path, int? columns = null, int padding = 2, int scale = 1, int? highlightColumn = null)
    {
        var (rgba, width, height) = Tile(images, columns, padding, scale, highlightColumn: highlightColumn);
        WritePng(path, rgba, width, height);
    }

    /// <summary>Encodes 8-bit RGBA pixels as PNG and writes them to <paramref name="path"/> atomically.</summary>
    public static void WritePng(string path, byte[] rgba, int width, int height)
    {
        var png = EncodePng(rgba, width, height);
        AtomicFile.Write(path, s => s.Write(png));
    }

    /// <summary>One image <c>[C, H, W]</c> in [0, 1] (C = 1 or 3) as the bytes of a PNG file, at its own size.</summary>
    public static byte[] Png(Tensor image)
    {
        using var batch = image.unsqueeze(0);
        var (rgba, width, height) = Tile(batch, columns: 1, padding: 0);
        return EncodePng(rgba, width, height);
    }

    /// <summary>Encodes 8-bit RGBA pixels as the bytes of a PNG file.</summary>
    public static byte[] EncodePng(byte[] rgba, int width, int height)
    {
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var data = SKData.CreateCopy(rgba);
        using var image = SKImage.FromPixels(info, data, info.RowBytes)
                          ?? throw new InvalidOperationException("SkiaSharp could not wrap the pixels");
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }
}
