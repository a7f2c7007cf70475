using System.CommandLine;
using GanSharp.Configuration;
using GanSharp.Data;
using GanSharp.Models;
using GanSharp.Training;
using static TorchSharp.torch;

namespace GanSharp.Cli;

/// <summary>Where a command's images come from: a run's generator, a given checkpoint, or a file of samples.</summary>
static class Sources
{
    public static readonly Option<string?> CheckpointFile = Cli.Option<string?>("--checkpoint", "A specific checkpoint file");
    public static readonly Option<string?> SamplesFile = Cli.Option<string?>("--samples",
        "Samples from any tool: IDX (unsigned bytes) or .npy (float32 in [0, 1] or uint8), N×H×W or N×C×H×W");

    /// <summary>A trained generator and where it came from (the run it belongs to, if any).</summary>
    public sealed record TrainedGenerator(Checkpoint Checkpoint, string Path, RunDirectory? Run)
    {
        /// <summary>Which weights sampling uses, as results record it: <c>moving-average</c> (the run kept one) or <c>trained</c>.</summary>
        public string Weights => Checkpoint.HasEma ? "moving-average" : "trained";

        /// <summary>Where a result named <paramref name="name"/> about this checkpoint goes: the given path, or the run's eval/ folder.</summary>
        public string OutputPath(string? given, string name, string extension, string flag) =>
            given ?? Run?.EvalPath(name, Checkpoint.Step, extension)
            ?? throw new InputException($"--checkpoint outside a run directory: say where to write with {flag}");
    }

    /// <summary>The checkpoint named by --checkpoint or --run, and the run folder it belongs to (if any).</summary>
    public static TrainedGenerator Generator(ParseResult p)
    {
        var run = p.GetValue(CommonOptions.Run) is { } folder ? new RunDirectory(folder) : null;
        var path = p.GetValue(CheckpointFile)
                   ?? run?.LastCheckpointPath ?? throw new InputException("say which generator: --run DIR or --checkpoint FILE");
        var checkpoint = Checkpoint.Read(path);
        // A checkpoint inside <run>/checkpoints/ belongs to that run: its results go to <run>/eval/.
        return new TrainedGenerator(checkpoint, path, run is { HoldsRun: true } ? run : RunDirectory.OfCheckpoint(path));
    }

    /// <summary>Whether the flags name a samples file rather than a generator; refuses both, or neither.</summary>
    public static bool UsesSamplesFile(ParseResult p)
    {
        bool file = p.GetValue(SamplesFile) is not null, generator = p.GetValue(CommonOptions.Run) is not null || p.GetValue(CheckpointFile) is not null;
        if (file && generator) throw new InputException("--samples cannot be combined with --run or --checkpoint: evaluate one source at a time");
        if (!file && !generator) throw new InputException("say what to evaluate: --run DIR, --checkpoint FILE or --samples FILE");
        return file;
    }

    /// <summary>Reads a samples file, checking that its images have the dataset's shape.</summary>
    public static Tensor ReadSamples(string path, (int C, int H, int W) shape)
    {
        var samples = SampleFiles.Read(path);
        var (c, h, w) = shape;
        if (samples.shape[1] != c || samples.shape[2] != h || samples.shape[3] != w)
        {
            var got = $"{samples.shape[1]}×{samples.shape[2]}×{samples.shape[3]}";
            samples.Dispose();
            throw new InputException($"{path}: samples are {got} images but the dataset's are {c}×{h}×{w}");
        }
        return samples;
    }

    /// <summary>
    /// What the players of <paramref name="source"/> draw, on the device --device names: the generator of noise, or the
    /// classifier alone when <paramref name="classifier"/>, with the players' own weights rather than the run's averages when
    /// <paramref name="trainedWeights"/>.
    /// </summary>
    public static Games.LoadedProduct Product(TrainedGenerator source, ParseResult p, bool classifier = false, bool trainedWeights = false) =>
        Games.GameFactory.LoadProduct(source.Checkpoint, new Games.ProductOptions(CommonOptions.ResolveDevice(p), trainedWeights,
                                                                                   Classifier: classifier, Sampler: !classifier));

    /// <summary>
    /// The generator of noise of <paramref name="source"/> for <paramref name="asker"/> (refused in one line when the run's
    /// game has none; <paramref name="forClass"/>: a conditional one), on --device, saying so when it is the average of G.
    /// </summary>
    public static Models.Generator Sampler(TrainedGenerator source, ParseResult p, string asker, bool forClass = false)
    {
        var g = Product(source, p).Take(product => forClass ? product.ClassSamples(asker) : product.Samples(asker));
        if (source.Checkpoint.HasEma)
            Console.WriteLine($"generator: the moving average of G's weights (β = {source.Checkpoint.Config.Ema?.Beta:G4}) kept by the run");
        return g;
    }

    /// <summary>Writes images <c>[N, C, H, W]</c> in [0, 1] as a PNG grid, an IDX file or a .npy file.</summary>
    public static void WriteImages(string path, SampleFormat format, Tensor images)
    {
        switch (format)
        {
            case SampleFormat.Png: Imaging.ImageGrid.SavePng(images, path); break;
            case SampleFormat.Idx: SampleFiles.WriteIdx(path, images); break;
            case SampleFormat.Npy: SampleFiles.WriteNpy(path, images); break;
            default: throw new ArgumentOutOfRangeException(nameof(format), format, null);
        }
    }

    /// <summary>Loads a dataset prepared as <paramref name="config"/> says (a run's own: its image size and colours), with fetch progress.</summary>
    public static DatasetSplits Dataset(DataConfig config, ParseResult p) =>
        DataCommand.WithFetchProgress(progress => DatasetLoader.Load(config, p.GetValue(CommonOptions.DataDir), progress));

    /// <summary>The run's data, or <paramref name="other"/> prepared like it (same image size and colours).</summary>
    public static DataConfig DataOf(TrainedGenerator? source, string? other) =>
        source is null ? new DataConfig { Dataset = other! }
        : other is null ? source.Checkpoint.Config.Images : source.Checkpoint.Config.Images with { Dataset = other };
}
