using System.CommandLine;
using GanSharp.Data;
using GanSharp.Imaging;
using GanSharp.Models;

namespace GanSharp.Cli;

/// <summary><c>gan sample</c>: draws N images from a trained generator as a PNG grid or as IDX/NPY arrays.</summary>
static class SampleCommand
{
    static readonly Option<int?> Count = Cli.Option<int?>("--count", "Number of samples (with --z: one per row of the noise file)").Positive();
    static readonly Option<string?> Noise = Cli.Option<string?>("--z", "Draw from this noise instead of fresh noise: a float32 .npy of shape (N, noise-dim)");
    static readonly Option<SampleFormat?> Format = CommonOptions.Enum<SampleFormat>("--format", "png, a grid; idx or npy, arrays (default: from --out's extension)");
    static readonly Option<string?> Out = CommonOptions.Out("The file to write: .png (a grid), .npy (float32 in [0, 1]) or IDX (.idx or no extension)");
    static readonly Option<string?> Class = Cli.Option<string?>("--class", "A conditional generator: draw this class only (its name or index; default: classes as often as in the training data)");
    static readonly Option<double?> Truncation = Cli.Option<double?>("--truncation", "Truncate z: uniform prior, the range scaled by T in (0, 1]; Gaussian, values beyond ±T redrawn").Positive();

    public static Command Create()
    {
        var command = new Command("sample", "Draw samples from a trained generator")
        {
            Options = { CommonOptions.Run, Sources.CheckpointFile, Count, Noise, Format, Out, CommonOptions.Seed, Truncation, Class, CommonOptions.Device },
        };
        command.SetAction(Execute);
        return command;
    }

    static int Execute(ParseResult p)
    {
        string? noiseFile = p.GetValue(Noise);
        if (noiseFile is not null && (p.GetValue(Count) is not null || p.GetValue(Truncation) is not null))
            throw new InputException("--z gives the noise: its rows are the samples (leave out --count and --truncation)");
        if (noiseFile is null && p.GetValue(Count) is null) throw new InputException("say how many samples: --count N (or give the noise with --z FILE)");
        var output = CommonOptions.RequiredOut(p, Out, "the file to write the samples to");
        var format = p.GetValue(Format) ?? SampleFiles.FormatToWrite(output);

        var source = Sources.Generator(p);
        var m = source.Checkpoint.Config.Model;
        Cli.LoadTorch();
        using var z = noiseFile is null ? null : SampleFiles.ReadNoise(noiseFile, m.NoiseDim);   // [N, NoiseDim]
        long count = z?.shape[0] ?? p.GetValue(Count)!.Value;
        if (format == SampleFormat.Png) ImageGrid.Size(count, m.Height, m.Width);  // a grid too large is refused before any work
        int? label = p.GetValue(Class) is { } c ? m.ClassIndex(c) : null;        // an unknown class, before any work
        using var g = Sources.Sampler(source, p, "gan sample", forClass: label is not null);
        using var rng = new TorchSharp.torch.Generator(unchecked((ulong)p.GetValue(CommonOptions.Seed)));
        using var images = z is not null ? FromNoise(g, z, label, rng)                        // [N, C, H, W]
                         : label is { } k ? g.SampleClass(count, k, p.GetValue(Truncation), rng)
                         : g.Sample(count, p.GetValue(Truncation), rng);
        Sources.WriteImages(output, format, images);
        var of = label is { } l ? $" of class {m.ClassName(l)}" : "";
        Console.WriteLine($"{count:N0} samples{of} ({format.ToString().ToLowerInvariant()}) → {output}");
        return Cli.Success;
    }

    /// <summary>G(z) for given noise (labels: <paramref name="label"/> for every row, or drawn as in the data for a conditional G), on G's device.</summary>
    static TorchSharp.torch.Tensor FromNoise(Generator g, TorchSharp.torch.Tensor z, int? label, TorchSharp.torch.Generator rng)
    {
        using var onDevice = z.to(g.Device);
        using var labels = label is { } k ? TorchSharp.torch.full(z.shape[0], (long)k, dtype: TorchSharp.torch.ScalarType.Int64, device: g.Device)
                                          : g.SampleLabels(z.shape[0], rng)?.to(g.Device);
        return g.Generate(onDevice, labels, rng).cpu();
    }
}
