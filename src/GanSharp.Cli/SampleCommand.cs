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
    static readonly Option<string?> Out = CommonOptions.Out("The file to write: .png (a grid), .npy (float32 in [0, 1]) or IDX (any other name)");
    static readonly Option<double?> Truncation = Cli.Option<double?>("--truncation", "Truncate z: uniform prior, the range scaled by T in (0, 1]; Gaussian, values beyond ±T redrawn").Positive();

    public static Command Create()
    {
        var command = new Command("sample", "Draw samples from a trained generator")
        {
            Options = { CommonOptions.Run, Sources.CheckpointFile, Count, Format, Out, CommonOptions.Seed, Truncation, CommonOptions.Device },
        };
        command.SetAction(Execute);
        return command;
    }

    static int Execute(ParseResult p)
    {
        int count = p.GetValue(Count);
        if (count <= 0) throw new InputException($"--count must be positive (got {count})");
        var output = CommonOptions.RequiredOut(p, Out, "the file to write the samples to");
        var format = p.GetValue(Format) ?? SampleFiles.FormatOf(output);

        var source = Sources.Generator(p);
        var m = source.Checkpoint.Config.Model;
        if (format == SampleFormat.Png) ImageGrid.Size(count, m.Height, m.Width);  // a grid too large is refused before any work
        Cli.LoadTorch();
        using var g = Sources.Load(source, p);
        using var rng = new TorchSharp.torch.Generator(unchecked((ulong)p.GetValue(CommonOptions.Seed)));
        using var images = g.Sample(count, p.GetValue(Truncation), rng);  // [N, C, H, W]
        Sources.WriteImages(output, format, images);
        Console.WriteLine($"{count:N0} samples ({format.ToString().ToLowerInvariant()}) → {output}");
        return Cli.Success;
    }
}
