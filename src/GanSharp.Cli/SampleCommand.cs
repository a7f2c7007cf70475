using System.CommandLine;
using GanSharp.Data;
using GanSharp.Imaging;
using GanSharp.Models;

namespace GanSharp.Cli;

/// <summary><c>gan sample</c>: draws N images from a trained generator as a PNG grid or as IDX/NPY arrays.</summary>
static class SampleCommand
{
    static readonly Option<int> Count = new Option<int>("--count") { Description = "Number of samples", Required = true }.Positive();
    static readonly Option<SampleFormat?> Format = CommonOptions.Enum<SampleFormat>("--format", "png, a grid; idx or npy, arrays (default: from --out's extension)");
    static readonly Option<string?> Out = CommonOptions.Out("The file to write: .png (a grid), .npy (float32 in [0, 1]) or IDX (.idx or no extension)");
    static readonly Option<string?> Class = Cli.Option<string?>("--class", "A conditional generator: draw this class only (its name or index; default: classes as often as in the training data)");
    static readonly Option<double?> Truncation = Cli.Option<double?>("--truncation", "Truncate z: uniform prior, the range scaled by T in (0, 1]; Gaussian, values beyond ±T redrawn").Positive();

    public static Command Create()
    {
        var command = new Command("sample", "Draw samples from a trained generator")
        {
            Options = { CommonOptions.Run, Sources.CheckpointFile, Count, Format, Out, CommonOptions.Seed, Truncation, Class, CommonOptions.Device },
        };
        command.SetAction(Execute);
        return command;
    }

    static int Execute(ParseResult p)
    {
        int count = p.GetValue(Count);
        if (count <= 0) throw new InputException($"--count must be positive (got {count})");
        var output = CommonOptions.RequiredOut(p, Out, "the file to write the samples to");
        var format = p.GetValue(Format) ?? SampleFiles.FormatToWrite(output);

        var source = Sources.Generator(p);
        var m = source.Checkpoint.Config.Model;
        if (format == SampleFormat.Png) ImageGrid.Size(count, m.Height, m.Width);  // a grid too large is refused before any work
        int? label = p.GetValue(Class) is { } c ? m.ClassIndex(c) : null;        // an unknown class, before any work
        Cli.LoadTorch();
        using var g = Sources.Sampler(source, p, "gan sample", forClass: label is not null);
        using var rng = new TorchSharp.torch.Generator(unchecked((ulong)p.GetValue(CommonOptions.Seed)));
        using var images = label is { } k ? g.SampleClass(count, k, p.GetValue(Truncation), rng)  // [N, C, H, W]
                                          : g.Sample(count, p.GetValue(Truncation), rng);
        Sources.WriteImages(output, format, images);
        var of = label is { } l ? $" of class {m.ClassName(l)}" : "";
        Console.WriteLine($"{count:N0} samples{of} ({format.ToString().ToLowerInvariant()}) → {output}");
        return Cli.Success;
    }
}
