using GanSharp.Configuration;
using GanSharp.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace GanSharp.Models;

/// <summary>
/// A generator G(z; θ_g): maps noise z ~ p_z, <c>[B, NoiseDim]</c>, to images <c>[B, C, H, W]</c> with pixels in [0, 1];
/// a conditional one G(z | y) also takes class labels y <c>[B]</c> (<see cref="Classes"/> &gt; 0; Mirza &amp; Osindero 2014).
/// Load a trained one with <c>Generator.Load(run)</c> (<c>GanSharp.Training.TrainedPlayers</c>) and draw images with
/// <see cref="Sample(long, double?, TorchSharp.torch.Generator?)"/> (or <see cref="SampleClass"/>). Subclass it to bring
/// your own architecture: build the layers, call <c>RegisterComponents()</c> and implement <c>forward(z, labels)</c>
/// (an unconditional net is always given null labels).
/// </summary>
public abstract class Generator : nn.Module<Tensor, Tensor?, Tensor>, IRandomDraws
{
    /// <summary>The model configuration this generator was built from.</summary>
    public ModelConfig Config { get; }
    /// <summary>The noise prior p_z.</summary>
    public NoisePrior Prior { get; }

    /// <summary>Base constructor: subclasses build their layers and call RegisterComponents.</summary>
    protected Generator(string name, ModelConfig config) : base(name)
    {
        Config = config;
        Prior = NoisePrior.For(config.Noise);
    }

    /// <summary>Dimension of z.</summary>
    public int NoiseDim => Config.NoiseDim;

    /// <summary>
    /// Where a loaded generator's weights came from, in words — the checkpoint, its iteration, and whether they are the
    /// run's moving average of G or G's own (<c>Generator.Load</c> sets it); null for a net built here.
    /// </summary>
    public string? LoadedFrom { get; set; }

    /// <summary>
    /// Source of G's random draws in training, such as dropout masks (null: libtorch's global generator). A trainer sets
    /// its own. Default: G draws nothing but its input noise.
    /// </summary>
    public virtual torch.Generator? Rng { get; set; }

    /// <summary>
    /// Whether G's samples keep its training-time random draws (dropout masks on its hidden units) — the distribution the
    /// game trained, whose masks are part of G's noise — rather than the deterministic net of evaluation mode.
    /// <see cref="Generate"/> then draws them from the sampling generator it is given, never from <see cref="Rng"/>, so
    /// sampling during a run leaves the run's random stream alone. Default: false (G draws nothing but z).
    /// </summary>
    public virtual bool RandomWhenSampling => false;

    /// <summary>Classes G is conditioned on (<see cref="ModelConfig.Classes"/> of a conditional model; 0: an unconditional generator).</summary>
    public int Classes => Config.Conditional ? Config.Classes : 0;

    /// <summary>G(z) of an unconditional generator: <c>forward(z, null)</c>.</summary>
    public Tensor forward(Tensor z) => forward(z, null);

    /// <summary>
    /// Labels <c>[count]</c> (int64) for a conditional generator's samples, drawn from
    /// <see cref="ModelConfig.ClassFrequencies"/> — the classes as often as in the training data — with
    /// <paramref name="rng"/> (a generator of <paramref name="device"/>, default the CPU); null for an unconditional one,
    /// which draws nothing.
    /// </summary>
    public Tensor? SampleLabels(long count, torch.Generator? rng = null, Device? device = null)
    {
        if (Classes == 0) return null;
        using var p = tensor(Config.ClassProbabilities(), device: device ?? CPU);
        return multinomial(p, count, replacement: true, generator: rng);
    }

    /// <summary>
    /// Initialisation that depends on the training images, called once before training starts (not on resume).
    /// Default: nothing.
    /// </summary>
    public virtual void InitialiseFromData(ImageDataset train) { }

    /// <summary>
    /// Draws <paramref name="count"/> images <c>[count, C, H, W]</c> in [0, 1] from fresh noise, without building an
    /// autograd graph. Pass <paramref name="rng"/> for reproducible draws.
    /// </summary>
    public Tensor Sample(long count, torch.Generator? rng = null) => Sample(count, null, rng);

    /// <summary>
    /// Draws <paramref name="count"/> images from truncated noise (<see cref="NoisePrior.FillTruncated"/>;
    /// <paramref name="truncation"/> null: the full prior).
    /// </summary>
    /// <exception cref="InputException">A count below 1 or too large for memory, or a truncation the prior does not take.</exception>
    public Tensor Sample(long count, double? truncation, torch.Generator? rng = null)
    {
        CheckCount(count);
        using var _ = inference_mode();
        using var z = Prior.Sample(count, NoiseDim, truncation, rng);   // all the noise first: the draws do not depend on the chunks
        using var labels = SampleLabels(count, rng);                     // then a conditional G's classes, as in the data
        return GenerateInChunks(z, labels, rng);                         // then G's own draws, if it samples with them
    }

    /// <summary>
    /// Draws <paramref name="count"/> images of class <paramref name="label"/> (an index below <see cref="Classes"/>) from a
    /// conditional generator, from fresh (optionally truncated) noise.
    /// </summary>
    /// <exception cref="InputException">An unconditional generator, a class it does not know, or a bad count or truncation.</exception>
    public Tensor SampleClass(long count, int label, double? truncation = null, torch.Generator? rng = null)
    {
        CheckCount(count);
        if (Classes == 0) throw new InputException("this generator is not conditional: it draws no class on request");
        if (label < 0 || label >= Classes) throw new InputException($"class {label} is not one of the generator's {Classes} (0–{Classes - 1})");
        using var _ = inference_mode();
        using var z = Prior.Sample(count, NoiseDim, truncation, rng);
        using var labels = full(count, (long)label, dtype: ScalarType.Int64);
        return GenerateInChunks(z, labels, rng);
    }

    void CheckCount(long count)
    {
        if (count < 1) throw new InputException($"the number of samples must be positive (got {count})");
        Allocation.CheckFloats((double)count * Config.Channels * Config.Height * Config.Width, $"{count:N0} samples of {Config.Channels}×{Config.Height}×{Config.Width}");
    }

    /// <summary>G(z | labels) for noise <c>[N, NoiseDim]</c>, <see cref="SampleChunk"/> rows at a time.</summary>
    Tensor GenerateInChunks(Tensor z, Tensor? labels, torch.Generator? rng)
    {
        long count = z.shape[0];
        if (count <= SampleChunk) return Generate(z, labels, rng);
        var images = empty([count, Config.Channels, Config.Height, Config.Width], device: Device);
        for (long start = 0; start < count; start += SampleChunk)
        {
            long n = Math.Min(SampleChunk, count - start);
            using var part = Generate(z.narrow(0, start, n), labels?.narrow(0, start, n), rng);
            images.narrow(0, start, n).copy_(part);
        }
        return images;
    }

    /// <summary>
    /// Most images <see cref="Sample(long, double?, torch.Generator?)"/> draws through the net at once: larger counts go
    /// in chunks, so that an evaluation's 10,000 samples never hold a wide net's activations for all of them at the same
    /// time. Default 10,000 (the paper's nets: 10,000 × 1,200 hidden units are 48 MB); nets with large feature maps
    /// override it.
    /// </summary>
    protected virtual long SampleChunk => 10_000;

    /// <summary>
    /// G(z | labels) in evaluation mode (batch norm with its running statistics, no dropout — unless G samples with it,
    /// <see cref="RandomWhenSampling"/>) without autograd, for given noise <c>[B, NoiseDim]</c> and, for a conditional
    /// generator, class labels <c>[B]</c> (null: drawn as in the data from libtorch's generator — pass them for
    /// reproducible images), on any device; the images are on G's device. <paramref name="rng"/>: the source of G's own
    /// draws when it samples with them (null: libtorch's generator; pass one for reproducible images).
    /// </summary>
    /// <exception cref="InputException">Labels for an unconditional generator, or labels outside its classes.</exception>
    public Tensor Generate(Tensor z, Tensor? labels = null, torch.Generator? rng = null)
    {
        using var _ = inference_mode();
        bool wasTraining = training;
        var trainingRng = Rng;
        eval();
        if (RandomWhenSampling) Rng = rng;   // sampling never draws from the run's generator
        try
        {
            using var zHere = z.to(Device);  // an alias when z is already there
            using var drawn = labels is null ? SampleLabels(z.shape[0]) : null;
            using var yHere = CheckedLabels(labels ?? drawn, z.shape[0])?.to(Device);
            return forward(zHere, yHere);
        }
        finally
        {
            Rng = trainingRng;
            train(wasTraining);
        }
    }

    /// <summary>
    /// G(z | labels) for <paramref name="blocks"/> consecutive equal blocks of rows, row j of every block seeing the same
    /// draws of G's own randomness (dropout masks) when G samples with it (<see cref="RandomWhenSampling"/>; else this is
    /// <see cref="Generate"/>): how a figure keeps all but z or the class fixed along a line of images. The draws' seed
    /// comes from <paramref name="rng"/>, which is not drawn from when G samples without randomness.
    /// </summary>
    public Tensor GenerateBlocks(Tensor z, Tensor? labels, int blocks, torch.Generator rng)
    {
        if (!RandomWhenSampling) return Generate(z, labels, rng);
        if (blocks < 1 || z.shape[0] % blocks != 0) throw new ArgumentException($"{z.shape[0]} rows do not split into {blocks} equal blocks", nameof(blocks));
        long rows = z.shape[0] / blocks;
        long seed = randint(long.MaxValue, [1], generator: rng).item<long>();
        var images = empty([z.shape[0], Config.Channels, Config.Height, Config.Width], device: Device);
        for (int b = 0; b < blocks; b++)
        {
            using var draws = new torch.Generator(unchecked((ulong)seed));   // the same masks for every block
            using var part = Generate(z.narrow(0, b * rows, rows), labels?.narrow(0, b * rows, rows), draws);
            images.narrow(0, b * rows, rows).copy_(part);
        }
        return images;
    }

    /// <summary>Refuses labels an unconditional generator cannot take, or outside [0, Classes), or not one per row.</summary>
    Tensor? CheckedLabels(Tensor? labels, long rows)
    {
        if (labels is null) return null;
        if (Classes == 0) throw new InputException("this generator is not conditional: it takes no class labels");
        if (labels.shape.Length != 1 || labels.shape[0] != rows)
            throw new InputException($"labels must be one per noise row ([{rows}]), not [{string.Join(", ", labels.shape)}]");
        if (labels.numel() > 0 && (labels.min().item<long>() < 0 || labels.max().item<long>() >= Classes))
            throw new InputException($"class labels must lie in 0–{Classes - 1}");
        return labels;
    }

    /// <summary>
    /// Whether G maps a fixed probe batch of noise (64 draws from a constant seed) to finite images. Finite weights are
    /// not enough: huge ones overflow inside the net (∞ − ∞), and such a generator draws nothing but NaN.
    /// </summary>
    public bool ProducesFiniteSamples()
    {
        using var scope = NewDisposeScope();
        using var rng = new torch.Generator(20140610);
        var z = Prior.Sample(64, NoiseDim, rng);
        return Weights.AllFinite(Generate(z, SampleLabels(64, rng), rng));
    }

    /// <summary>The device holding the generator's parameters.</summary>
    public Device Device => parameters().First().device;
}
