using GanSharp.Configuration;
using static TorchSharp.torch;

namespace GanSharp.Data;

/// <summary>
/// A user's images outside any dataset — one image file, or a folder of them — prepared as a run prepares its data
/// (centre crop, resize, colour, background): what a translator is given.
/// </summary>
public static class ImageFiles
{
    /// <summary>
    /// The image <paramref name="imageOrFolder"/>, or every image under the folder (subfolders included, in name order),
    /// prepared as <paramref name="prepared"/> says: <c>[N, C, H, W]</c> in [0, 1], each image's path relative to the
    /// folder (an image alone: its file name), and the files that were not readable images (left out).
    /// </summary>
    /// <exception cref="InputException">No such file or folder, a file that is not a readable image, or a folder without one.</exception>
    public static (Tensor Images, IReadOnlyList<string> Names, IReadOnlyList<(string Path, string Reason)> Skipped) Read(string imageOrFolder, DataConfig prepared)
    {
        IReadOnlyList<string> relative;
        string root;
        if (File.Exists(imageOrFolder))
        {
            root = Path.GetDirectoryName(Path.GetFullPath(imageOrFolder))!;
            relative = [Path.GetFileName(imageOrFolder)];
        }
        else if (Directory.Exists(imageOrFolder))
        {
            root = Path.GetFullPath(imageOrFolder);
            relative = [.. ImageFolder.Scan(imageOrFolder).Files.Select(f => Path.GetRelativePath(root, f.Path))];
        }
        else throw new InputException($"{imageOrFolder}: no such image file or folder");
        var files = relative.Select(r => new ImageFile(Path.Combine(root, r), null)).ToList();
        var (all, skipped) = ImageFolder.DecodeInOrder(Path.GetFileName(Path.TrimEndingDirectorySeparator(imageOrFolder)), files, null, prepared);
        if (File.Exists(imageOrFolder) && skipped.Count > 0)
        {
            all.Dispose();
            throw new InputException($"{imageOrFolder}: not a readable PNG or JPEG image ({skipped[0].Reason})");
        }
        var bad = skipped.Select(s => s.Path).ToHashSet();
        var names = relative.Where((_, i) => !bad.Contains(files[i].Path)).ToList();
        using (all) return (ImageDataset.ToUnitRangeCopy(all.Storage), names, skipped);
    }
}
