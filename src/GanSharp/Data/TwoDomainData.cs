using GanSharp.Configuration;
using static TorchSharp.torch;

namespace GanSharp.Data;

/// <summary>
/// Two unpaired image domains, each loaded as its own dataset with its own splits (<see cref="TwoDomainsConfig"/>):
/// what a translation between them trains on and is judged on. Both must have images of one shape.
/// </summary>
public sealed class TwoDomainData : IDisposable
{
    /// <summary>Domain X's splits.</summary>
    public DatasetSplits X { get; }
    /// <summary>Domain Y's splits.</summary>
    public DatasetSplits Y { get; }
    /// <summary>The images' shape, the same in both domains.</summary>
    public (int C, int H, int W) ImageShape => X.Train.ImageShape;

    /// <summary>
    /// Whether the held-out images are paired: image i of X's validation (test) set and image i of Y's show the same
    /// thing in the two domains (the emoji pairs) — what translations are measured against.
    /// </summary>
    public bool Paired { get; }

    TwoDomainData(DatasetSplits x, DatasetSplits y, bool paired = false) => (X, Y, Paired) = (x, y, paired);

    /// <summary>
    /// Two domains already loaded (owned from here), <paramref name="paired"/> where image i of X's validation and test
    /// sets shows the same thing as image i of Y's.
    /// </summary>
    /// <exception cref="InputException">Images of two shapes, or paired held-out sets of unequal sizes.</exception>
    public static TwoDomainData Of(DatasetSplits x, DatasetSplits y, bool paired = false)
    {
        if (x.Train.ImageShape != y.Train.ImageShape) throw new InputException($"domains {x.Train.Name} and {y.Train.Name} have images of two shapes");
        if (paired && (x.Validation.Count != y.Validation.Count || x.Test?.Count != y.Test?.Count))
            throw new InputException($"paired domains need held-out sets of one size each ({x.Train.Name}, {y.Train.Name})");
        return new TwoDomainData(x, y, paired);
    }

    /// <summary>Loads both domains (fetched into the cache on first use, as one dataset is).</summary>
    /// <exception cref="InputException">A domain that cannot be loaded, or domains whose images differ in shape.</exception>
    public static TwoDomainData Load(TwoDomainsConfig config, string? dataDir = null, IProgress<FetchProgress>? progress = null)
    {
        if (config.Problems().FirstOrDefault() is { } problem) throw new InputException(problem);
        if (config.Split == DomainSplit.EmojiPairs)
        {
            var (ex, ey) = EmojiPairs.Load(config, dataDir, progress);
            return new TwoDomainData(ex, ey, paired: true);
        }
        var x = Domain(config.X, "x", dataDir, progress);
        DatasetSplits y;
        try { y = Domain(config.Y, "y", dataDir, progress); }
        catch
        {
            x.Dispose();
            throw;
        }
        if (x.Train.ImageShape != y.Train.ImageShape)
        {
            var (a, b) = (x.Train.ImageShape, y.Train.ImageShape);
            x.Dispose();
            y.Dispose();
            throw new InputException($"data: domain x ({config.X.Dataset}) has {a.C}×{a.H}×{a.W} images and domain y ({config.Y.Dataset}) " +
                                     $"{b.C}×{b.H}×{b.W}: a translation maps images of one shape (say --image-size and --color)");
        }
        return new TwoDomainData(x, y);
    }

    static DatasetSplits Domain(DataConfig config, string name, string? dataDir, IProgress<FetchProgress>? progress)
    {
        try { return DatasetLoader.Load(config, dataDir, progress); }
        catch (InputException e) { throw new InputException($"data.{name}: {e.Message}", e); }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        X.Dispose();
        Y.Dispose();
    }
}

/// <summary>
/// Minibatches of two unpaired domains, as a pure function of (seed, index) like <see cref="MinibatchSampler"/>: an
/// epoch is as many minibatches as the larger domain fills (CycleGAN's reference: the length of the larger set); each
/// domain runs through its own order of that length (the smaller one's images ⌊L/N⌋ or ⌈L/N⌉ times), from seeds of its
/// own, so the n-th minibatch pairs images that have nothing to do with each other — and is the same after a resume.
/// </summary>
public sealed class UnpairedSampler : IMinibatches
{
    private readonly MinibatchSampler x, y;

    /// <summary>
    /// A sampler over the training images of <paramref name="xImages"/> and <paramref name="yImages"/> (owned when
    /// <paramref name="ownsImages"/>: a run's device copies).
    /// </summary>
    public UnpairedSampler(Tensor xImages, Tensor yImages, int batch, long seed, bool ownsImages = false)
    {
        long length = Math.Max(xImages.shape[0], yImages.shape[0]);
        x = new MinibatchSampler(xImages, null, batch, seed, length, stream: 1, owned: ownsImages ? [xImages] : null);
        y = new MinibatchSampler(yImages, null, batch, seed, length, stream: 2, owned: ownsImages ? [yImages] : null);
    }

    /// <summary>Minibatch size m.</summary>
    public int BatchSize => x.BatchSize;

    /// <summary>Minibatches per epoch: the larger domain's images over m.</summary>
    public long BatchesPerEpoch => x.BatchesPerEpoch;

    /// <summary>The <paramref name="index"/>-th minibatch (0-based, counting across epochs): X's images, and Y's as <see cref="Data.Batch.Other"/>.</summary>
    public Batch Batch(long index) => new(x.Batch(index).Images, Other: y.Batch(index).Images);

    /// <inheritdoc/>
    public void Dispose()
    {
        x.Dispose();
        y.Dispose();
    }
}
