using System.CommandLine;
using GanSharp.Configuration;
using GanSharp.Data;
using GanSharp.Games;
using GanSharp.Imaging;

namespace GanSharp.Cli;

/// <summary>
/// <c>gan translate</c>: a translation run's translator applied to the user's images — one image to one PNG, or a folder
/// to a folder of PNGs with the same relative names — each image prepared as the run prepared its source domain.
/// </summary>
static class TranslateCommand
{
    static readonly Option<TranslationDirection?> Direction = CommonOptions.Enum<TranslationDirection>("--direction", "Which way: the run's domain X to Y (default) or back");
    static readonly Option<string?> Input = Cli.Option<string?>("--input", "An image file, or a folder of images (subfolders included)");
    static readonly Option<string?> Out = CommonOptions.Out("A .png for one image; a new folder for a folder of images");

    public static Command Create()
    {
        var command = new Command("translate", "Translate images with a trained translation run (CycleGAN): one image, or a folder")
        {
            Options = { CommonOptions.Run, Sources.CheckpointFile, Direction, Input, Out, CommonOptions.Device },
        };
        command.SetAction(Execute);
        return command;
    }

    static int Execute(ParseResult p)
    {
        var input = p.GetValue(Input) ?? throw new InputException("--input is required: the image file or folder to translate");
        var output = CommonOptions.RequiredOut(p, Out, "the .png (one image) or the new folder (a folder of images) to write");
        bool one = File.Exists(input);
        if (!one && !Directory.Exists(input)) throw new InputException($"{input}: no such image file or folder");
        if (one && !output.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
            throw new InputException($"--out {output}: one image is written as a .png file");
        if (!one && (File.Exists(output) || Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any()))
            throw new InputException($"--out {output}: a folder of translations goes into a new or empty folder");
        var direction = p.GetValue(Direction) ?? TranslationDirection.XToY;

        var source = Sources.Generator(p);
        Cli.LoadTorch();
        using var loaded = GameFactory.LoadProduct(source.Checkpoint, new ProductOptions(CommonOptions.ResolveDevice(p)));
        var translator = loaded.Product.Translation(direction, "gan translate");   // refused in one line by a run that translates nothing
        var domains = source.Checkpoint.Config.Data as TwoDomainsConfig
                      ?? throw new InputException($"{source.Path}: gan translate needs a run on two domains, not {source.Checkpoint.Config.Data.Summary}");
        var (images, names, skipped) = ImageFiles.Read(input, direction == TranslationDirection.XToY ? domains.X : domains.Y);
        using var _ = images;
        if (skipped.Count > 0) Console.Error.WriteLine($"gan: warning: {input}: {ImageFolder.Describe(skipped)}");
        using var translated = translator.Translate(images);                       // [N, C, H, W] in [0, 1]
        if (one) ImageGrid.SavePng(translated, output, padding: 0);
        else WriteFolder(output, names, translated);
        Console.WriteLine($"{names.Count:N0} image{(names.Count == 1 ? "" : "s")} translated {GameProduct.Name(direction)}{(source.Checkpoint.HasEma ? " by the moving average of the translator's weights" : "")} → {output}");
        return Cli.Success;
    }

    /// <summary>One PNG per image under <paramref name="folder"/>, at its relative name: written beside it, then moved in at once.</summary>
    static void WriteFolder(string folder, IReadOnlyList<string> names, TorchSharp.torch.Tensor images)
    {
        var full = Path.GetFullPath(Path.TrimEndingDirectorySeparator(folder));
        var staging = $"{full}.partial-{Guid.NewGuid():N}";
        try
        {
            for (int i = 0; i < names.Count; i++)
            {
                var path = Path.Combine(staging, Path.ChangeExtension(names[i], ".png"));
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                using var image = images[i].unsqueeze(0);
                ImageGrid.SavePng(image, path, padding: 0);
            }
            if (Directory.Exists(full)) Directory.Delete(full);    // empty, as checked
            Directory.Move(staging, full);                           // the folder appears whole, or not at all
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
    }
}
