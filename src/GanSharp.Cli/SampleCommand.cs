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
    static readonly Option<string[]?> Text = new("--text")
    {
        Description = "A text-to-image run: draw images of this text (repeat for more; --count images each, a row each in a grid)",
        AllowMultipleArgumentsPerToken = false,
    };
    static readonly Option<string?> TextFile = Cli.Option<string?>("--text-file", "A text-to-image run: draw images of each line of this UTF-8 file (blank lines skipped)");

    public static Command Create()
    {
        var command = new Command("sample", "Draw samples from a trained generator")
        {
            Options = { CommonOptions.Run, Sources.CheckpointFile, Count, Noise, Format, Out, CommonOptions.Seed, Truncation, Class, Text, TextFile, CommonOptions.Device },
        };
        command.SetAction(Execute);
        return command;
    }

    static int Execute(ParseResult p)
    {
        if (p.GetValue(Text) is { Length: > 0 } || p.GetValue(TextFile) is not null) return FromText(p);
        string? noiseFile = p.GetValue(Noise);
        if (noiseFile is not null && (p.GetValue(Count) is not null || p.GetValue(Truncation) is not null))
            throw new InputException("--z gives the noise: its rows are the samples (leave out --count and --truncation)");
        if (noiseFile is null && p.GetValue(Count) is null) throw new InputException("say how many samples: --count N (or give the noise with --z FILE)");
        var output = CommonOptions.RequiredOut(p, Out, "the file to write the samples to");
        var format = p.GetValue(Format) ?? SampleFiles.FormatToWrite(output);

        var source = Sources.Generator(p);
        var m = source.Checkpoint.Config.Model;
        if (source.Checkpoint.Config.Game is Configuration.StackedConfig)
            throw new InputException($"{source.Path}: this run draws images from text: say which with --text \"…\" or --text-file FILE");
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

    /// <summary>
    /// <c>--text</c> / <c>--text-file</c>: each text embedded by the run's text encoder, then <c>--count</c> images of it
    /// (default 8) from the last trained stage, a row per text in a grid.
    /// </summary>
    static int FromText(ParseResult p)
    {
        if (p.GetValue(Noise) is not null || p.GetValue(Class) is not null || p.GetValue(Truncation) is not null)
            throw new InputException("--text draws from text: leave out --z, --class and --truncation");
        var texts = new List<(string Text, string Where)>();
        foreach (var (t, i) in (p.GetValue(Text) ?? []).Select((t, i) => (t, i))) texts.Add((t, p.GetValue(Text)!.Length == 1 ? "--text" : $"--text {i + 1}"));
        if (p.GetValue(TextFile) is { } file) texts.AddRange(ReadTextFile(file));
        var output = CommonOptions.RequiredOut(p, Out, "the file to write the images to");
        var format = p.GetValue(Format) ?? SampleFiles.FormatToWrite(output);
        foreach (var (t, where) in texts) Captions.TextEncoder.Check(t, where);   // before any work
        int each = p.GetValue(Count) ?? 8;
        var source = Sources.Generator(p);
        var m = source.Checkpoint.Config.Model;
        if (format == SampleFormat.Png) ImageGrid.Size((long)texts.Count * each, m.Height, m.Width);
        Cli.LoadTorch();
        using var product = Sources.Product(source, p);
        var t2i = product.Product.TextSamples("gan sample --text");
        using var encoder = new Captions.MiniLmEncoder();
        using var phi = encoder.Encode([.. texts.Select(t => t.Text)]);                          // [T, E]
        using var repeated = phi.repeat_interleave(each, 0);                                   // [T·N, E]: a row per text
        using var rng = new TorchSharp.torch.Generator(unchecked((ulong)p.GetValue(CommonOptions.Seed)));
        var (low, high) = t2i.Draw(repeated, rng: rng);
        using (low) using (high)
        {
            var images = high ?? low;
            if (format == SampleFormat.Png) ImageGrid.SavePng(images, output, columns: each);
            else Sources.WriteImages(output, format, images);
        }
        Console.WriteLine($"{texts.Count * each:N0} images of {texts.Count:N0} text{(texts.Count == 1 ? "" : "s")} ({each} each, stage {t2i.TrainedStages}) → {output}");
        return Cli.Success;
    }

    /// <summary>The non-blank lines of <paramref name="path"/>, each named by its line number.</summary>
    static List<(string, string)> ReadTextFile(string path)
    {
        string[] lines;
        try
        {
            var bytes = File.ReadAllBytes(path);
            int start = bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;   // a UTF-8 byte-order mark; no other encoding is guessed
            lines = new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, start, bytes.Length - start).Split('\n');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.DecoderFallbackException)
        {
            throw new InputException($"--text-file {path}: cannot be read as UTF-8 text ({e.Message.ReplaceLineEndings(" ")})");
        }
        var texts = lines.Select((l, i) => (l.Trim(), $"{path} line {i + 1}")).Where(t => t.Item1.Length > 0).ToList();
        if (texts.Count == 0) throw new InputException($"--text-file {path}: no text in it (one caption a line)");
        return texts;
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
