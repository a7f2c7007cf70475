using GanSharp.Configuration;
using SkiaSharp;
using static TorchSharp.torch;

namespace GanSharp.Data;

/// <summary>One image file of a dataset and its class label (null: unlabelled).</summary>
internal sealed record ImageFile(string Path, int? Label);

/// <summary>
/// Datasets of image files — a user's folder, or a catalogued set of PNGs — decoded with SkiaSharp into one byte tensor
/// <c>[N, C, S, S]</c>: each file's transparent pixels composited onto <see cref="DataConfig.Background"/>, the image
/// centre-cropped to a square and resized to S = <see cref="DataConfig.ImageSize"/> (bilinear with mipmaps when
/// shrinking, Mitchell cubic when enlarging, none at the same size), then kept as RGB or as luminance
/// (<see cref="DataConfig.Color"/>). Files that are not readable PNG/JPEG images (text files, corrupt or truncated
/// images) are left out and reported; a dataset with none readable is an error.
/// </summary>
internal static class ImageFolder
{
    /// <summary>Side of the images when the configuration names none.</summary>
    public const int DefaultSize = 64;

    /// <summary>
    /// Every file under <paramref name="folder"/> (recursively; hidden files and folders left out), in ordinal order of
    /// their relative paths. When every file lies in a subfolder, the top-level subfolder's name is its class label
    /// (labels numbered in ordinal order of the names); otherwise the images are unlabelled.
    /// </summary>
    public static (IReadOnlyList<ImageFile> Files, IReadOnlyList<string>? LabelNames) Scan(string folder)
    {
        var root = Path.GetFullPath(folder);
        var options = new EnumerationOptions
        {
            RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.Hidden | FileAttributes.System,
        };
        var relative = Directory.EnumerateFiles(root, "*", options)
            .Select(f => Path.GetRelativePath(root, f))
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(part => part.StartsWith('.')))
            .Order(StringComparer.Ordinal).ToList();
        if (relative.Count == 0) throw new InputException($"{folder}: the folder holds no files");
        static string Top(string f) => f.Split(Path.DirectorySeparatorChar)[0];
        bool labelled = relative.All(f => f.Contains(Path.DirectorySeparatorChar));
        var names = labelled ? relative.Select(Top).Distinct().Order(StringComparer.Ordinal).ToList() : null;
        var files = relative.Select(f => new ImageFile(Path.Combine(root, f), names is null ? null : names.IndexOf(Top(f)))).ToList();
        return (files, names);
    }

    /// <summary>The shape image files are prepared to: <see cref="DataConfig.ImageSize"/> (default 64) square, grey or colour (default).</summary>
    public static (int C, int H, int W) ShapeFor(DataConfig config)
    {
        int size = config.ImageSize ?? DefaultSize;
        return (config.Color == ColorMode.Grey ? 1 : 3, size, size);
    }

    /// <summary>The images of a user's folder (<see cref="Scan"/>), split in tenths (<see cref="DatasetSplits.Tenths"/>).</summary>
    public static DatasetSplits Load(string folder, DataConfig config, IProgress<FetchProgress>? progress = null, CancellationToken cancel = default)
    {
        var (files, names) = Scan(folder);
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)));
        return Decode(name, files, names, config, progress, cancel);
    }

    /// <summary>
    /// Decodes <paramref name="files"/> in a fixed shuffled order (<see cref="DatasetSplits.FixedOrder"/>) and splits them in
    /// tenths: the split depends on the file list alone.
    /// </summary>
    /// <exception cref="InputException">No file is a readable image, or fewer than 10 are.</exception>
    public static DatasetSplits Decode(string name, IReadOnlyList<ImageFile> files, IReadOnlyList<string>? labelNames, DataConfig config,
                                       IProgress<FetchProgress>? progress = null, CancellationToken cancel = default)
    {
        var order = DatasetSplits.FixedOrder(files.Count);
        var (all, skipped) = DecodeInOrder(name, [.. order.Select(i => files[i])], labelNames, config, progress, cancel);
        return DatasetSplits.Tenths(all, skipped);
    }

    /// <summary>
    /// <paramref name="ordered"/> decoded in their order into one dataset, the unreadable ones left out (and listed).
    /// </summary>
    /// <exception cref="InputException">Bad preparation settings, or no readable image.</exception>
    public static (ImageDataset All, IReadOnlyList<(string Path, string Reason)> Skipped) DecodeInOrder(
        string name, IReadOnlyList<ImageFile> ordered, IReadOnlyList<string>? labelNames, DataConfig config,
        IProgress<FetchProgress>? progress = null, CancellationToken cancel = default)
    {
        if (config.Problems().FirstOrDefault() is { } problem) throw new InputException(problem);
        var (channels, size, _) = ShapeFor(config);
        var background = SKColor.Parse(config.Background);
        long imageBytes = (long)channels * size * size;
        if (imageBytes * ordered.Count > Array.MaxLength)
            throw new InputException($"{name}: {ordered.Count:N0} images of {channels}×{size}×{size} bytes exceed one array; use a smaller --image-size");
        var pixels = new byte[imageBytes * ordered.Count];  // [N, C, S, S]
        var failures = new string?[ordered.Count];
        int done = 0;
        Parallel.For(0, ordered.Count, new ParallelOptions { CancellationToken = cancel }, () => new Renderer(size, background), (i, _, renderer) =>
        {
            failures[i] = renderer.Render(ordered[i].Path, pixels.AsSpan((int)(i * imageBytes), (int)imageBytes), channels);
            int n = Interlocked.Increment(ref done);
            if (n % 1000 == 0) progress?.Report(new FetchProgress($"decoding {name}", n, ordered.Count));
            return renderer;
        }, renderer => renderer.Dispose());

        var kept = Enumerable.Range(0, ordered.Count).Where(i => failures[i] is null).ToArray();
        var skipped = Enumerable.Range(0, ordered.Count).Where(i => failures[i] is not null)
            .Select(i => (ordered[i].Path, failures[i]!)).OrderBy(s => s.Path, StringComparer.Ordinal).ToList();
        if (kept.Length == 0)
            throw new InputException($"{name}: none of its {ordered.Count:N0} files is a readable PNG or JPEG image ({Describe(skipped)})");
        var all = tensor(pixels, dtype: ScalarType.Byte).reshape(ordered.Count, channels, size, size);
        Tensor? labels = labelNames is null ? null : tensor(ordered.Select(f => (long)(f.Label ?? -1)).ToArray());
        if (skipped.Count > 0)
        {
            using var rows = tensor(kept.Select(i => (long)i).ToArray());
            var (a, l) = (all, labels);
            all = a.index_select(0, rows);
            labels = l?.index_select(0, rows);
            a.Dispose();
            l?.Dispose();
        }
        return (new ImageDataset(name, all, labels) { LabelNames = labelNames }, skipped);
    }

    /// <summary>A count and the first few skipped files, with their reasons, on one line.</summary>
    public static string Describe(IReadOnlyList<(string Path, string Reason)> skipped) =>
        $"{skipped.Count:N0} skipped: " + string.Join("; ", skipped.Take(3).Select(s => $"{Path.GetFileName(s.Path)} ({s.Reason})"))
        + (skipped.Count > 3 ? "; …" : "");

    /// <summary>Decodes, composites, crops and resizes one image at a time into a reusable surface.</summary>
    sealed class Renderer(int size, SKColor background) : IDisposable
    {
        private readonly SKSurface surface = SKSurface.Create(new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Premul));

        /// <summary>Writes the image's planar pixels into <paramref name="output"/>; returns why it could not, or null.</summary>
        public string? Render(string path, Span<byte> output, int channels)
        {
            SKBitmap bitmap;
            try
            {
                using var codec = SKCodec.Create(path, out var opened);
                if (codec is null) return opened == SKCodecResult.Unimplemented || opened == SKCodecResult.InvalidInput ? "not an image" : $"unreadable: {opened}";
                var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
                if (info.Width < 1 || info.Height < 1) return "empty image";
                bitmap = new SKBitmap(info);
                var result = codec.GetPixels(info, bitmap.GetPixels());
                if (result != SKCodecResult.Success)
                {
                    bitmap.Dispose();
                    return result == SKCodecResult.IncompleteInput ? "truncated image" : $"corrupt image ({result})";
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return $"unreadable: {e.Message}"; }

            using (bitmap)
            using (var image = SKImage.FromBitmap(bitmap))
            {
                int side = Math.Min(bitmap.Width, bitmap.Height);
                var source = SKRect.Create((bitmap.Width - side) / 2f, (bitmap.Height - side) / 2f, side, side);
                var sampling = side > size ? new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear)
                    : side < size ? new SKSamplingOptions(SKCubicResampler.Mitchell)
                    : new SKSamplingOptions(SKFilterMode.Nearest);
                var canvas = surface.Canvas;
                canvas.Clear(background);
                canvas.DrawImage(image, source, SKRect.Create(0, 0, size, size), sampling);
                canvas.Flush();
            }
            using var pixmap = surface.PeekPixels();
            var rgba = pixmap.GetPixelSpan();  // [S, S, 4], rows of size·4 bytes
            int plane = size * size;
            for (int i = 0; i < plane; i++)
            {
                byte r = rgba[4 * i], g = rgba[4 * i + 1], b = rgba[4 * i + 2];  // opaque: premultiplied = straight
                if (channels == 1) output[i] = (byte)Math.Round(0.299 * r + 0.587 * g + 0.114 * b);
                else
                {
                    output[i] = r;
                    output[plane + i] = g;
                    output[2 * plane + i] = b;
                }
            }
            return null;
        }

        public void Dispose() => surface.Dispose();
    }
}
