using static TorchSharp.torch;

namespace GanSharp.Data;

/// <summary>Minibatches of a run's training images in the run's order, on its device: what a trainer draws from.</summary>
internal interface IMinibatches : IDisposable
{
    /// <summary>Minibatch size m.</summary>
    int BatchSize { get; }
    /// <summary>Minibatches per epoch (the stream kind's definition of an epoch).</summary>
    long BatchesPerEpoch { get; }
    /// <summary>The <paramref name="index"/>-th minibatch of the run, counting across epochs.</summary>
    Batch Batch(long index);
}

/// <summary>
/// What a run trains on, by data kind (<see cref="Configuration.StreamConfig"/>): one dataset's training images and
/// labels (<see cref="OneDataset"/>), two unpaired domains' (<see cref="TwoDomains"/>), or images with caption
/// embeddings (<see cref="CaptionedImages"/>, from C#; its configuration kind comes with the captions and text encoder
/// of the StackGAN issue). Each kind says what its minibatches hold and what an epoch is. An <see cref="ImageDataset"/>
/// converts to one dataset.
/// </summary>
public abstract class TrainingSet
{
    /// <summary>Its name, for messages.</summary>
    public abstract string Name { get; }
    /// <summary>The shape of its images (the same in every domain).</summary>
    public abstract (int C, int H, int W) ImageShape { get; }
    /// <summary>The one dataset of a set of one, else null.</summary>
    public virtual ImageDataset? Single => null;
    /// <summary>Its minibatches on <paramref name="device"/> in the order of <paramref name="seed"/> (the images copied there once).</summary>
    internal abstract IMinibatches Minibatches(Device device, int batch, long seed);

    /// <summary>
    /// Up to <paramref name="count"/> of its first training images as the nets see them, <c>[n, C, H, W]</c> in [0, 1]
    /// (two domains: half from each) — what a run's report shows, so that cropping and colour can be checked.
    /// </summary>
    public abstract Tensor Preview(int count);

    /// <summary>The first <paramref name="count"/> images of <paramref name="data"/> (at most all), in [0, 1].</summary>
    private protected static Tensor First(ImageDataset data, long count) =>
        ImageDataset.ToUnitRange(data.Storage.narrow(0, 0, Math.Min(count, data.Count)));

    /// <summary>One dataset.</summary>
    public static implicit operator TrainingSet(ImageDataset train) => new OneDataset(train);
}

/// <summary>One dataset (<c>"kind": "images"</c>): minibatches of its images and, where it has them, their labels.</summary>
public sealed class OneDataset(ImageDataset train) : TrainingSet
{
    /// <inheritdoc/>
    public override string Name => train.Name;
    /// <inheritdoc/>
    public override (int C, int H, int W) ImageShape => train.ImageShape;
    /// <inheritdoc/>
    public override ImageDataset Single => train;

    /// <inheritdoc/>
    public override Tensor Preview(int count) => First(train, count);

    /// <inheritdoc/>
    internal override IMinibatches Minibatches(Device device, int batch, long seed)
    {
        // The whole training set on the device once (on the CPU: an alias, no copy); a minibatch is one gather there.
        var images = train.Storage.to(device);
        var labels = train.Labels?.to(device);
        return new MinibatchSampler(images, labels, batch, seed, owned: [images, labels]);
    }
}

/// <summary>
/// Two unpaired domains (<c>"kind": "two-domains"</c>): each minibatch holds m images of X (<see cref="Batch.Images"/>)
/// and m of Y (<see cref="Batch.Other"/>), unpaired (<see cref="UnpairedSampler"/>).
/// </summary>
public sealed class TwoDomains(ImageDataset x, ImageDataset y) : TrainingSet
{
    /// <summary>The training images of two loaded domains.</summary>
    public TwoDomains(TwoDomainData data) : this(data.X.Train, data.Y.Train) { }

    /// <summary>Domain X's training images.</summary>
    public ImageDataset X => x;
    /// <summary>Domain Y's training images.</summary>
    public ImageDataset Y => y;

    /// <inheritdoc/>
    public override string Name => $"{x.Name} ↔ {y.Name}";
    /// <inheritdoc/>
    public override (int C, int H, int W) ImageShape => x.ImageShape == y.ImageShape ? x.ImageShape
        : throw new InputException($"domains {x.Name} and {y.Name} have images of two shapes");

    /// <inheritdoc/>
    public override Tensor Preview(int count)
    {
        using var a = First(x, (count + 1) / 2);
        using var b = First(y, count / 2);
        return cat([a, b]);
    }

    /// <inheritdoc/>
    internal override IMinibatches Minibatches(Device device, int batch, long seed) =>
        new UnpairedSampler(x.Storage.to(device), y.Storage.to(device), batch, seed, ownsImages: true);
}
