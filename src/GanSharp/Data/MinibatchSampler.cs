using static TorchSharp.torch;

namespace GanSharp.Data;

/// <summary>
/// One minibatch of training data: images <c>[m, C, H, W]</c> in [0, 1], their class labels <c>[m]</c> (int64) when
/// the dataset has them, and room for a condition (text, another image) that later games feed to their players.
/// </summary>
public sealed record Batch(Tensor Images, Tensor? Labels = null, Tensor? Condition = null)
{
    /// <summary>Number of examples, m.</summary>
    public long Count => Images.shape[0];
}

/// <summary>
/// Draws data minibatches without replacement, epoch by epoch, in an order that depends only on (seed, epoch): the
/// n-th minibatch of a run is the same whether or not the run was interrupted and resumed in between. The last
/// incomplete minibatch of each epoch is dropped. Images and labels are gathered with the same rows.
/// </summary>
internal sealed class MinibatchSampler : IDisposable
{
    private readonly Tensor images;   // [N, C, H, W], uint8 or float32
    private readonly Tensor? labels;  // [N]
    private readonly int batch;
    private readonly long seed;
    private long permutationEpoch = -1;
    private Tensor? permutation;      // [N] int64, the current epoch's order

    /// <summary>
    /// A sampler over <paramref name="images"/> and their <paramref name="labels"/> (neither owned) with minibatches
    /// of <paramref name="batch"/>.
    /// </summary>
    public MinibatchSampler(Tensor images, Tensor? labels, int batch, long seed)
    {
        if (batch <= 0) throw new ArgumentOutOfRangeException(nameof(batch));
        if (images.shape[0] < batch)
            throw new InputException($"the training set has {images.shape[0]} images, fewer than one minibatch of {batch}");
        this.images = images;
        this.labels = labels;
        this.batch = batch;
        this.seed = seed;
    }

    /// <summary>Minibatch size m.</summary>
    public int BatchSize => batch;

    /// <summary>Minibatches per epoch.</summary>
    public long BatchesPerEpoch => images.shape[0] / batch;

    /// <summary>The <paramref name="index"/>-th minibatch of the run (0-based, counting across epochs).</summary>
    public Batch Batch(long index)
    {
        long epoch = index / BatchesPerEpoch, within = index % BatchesPerEpoch;
        if (epoch != permutationEpoch)
        {
            permutation?.Dispose();
            var rng = new TorchSharp.torch.Generator(unchecked((ulong)(seed * 1_000_003 + epoch)));
            using var order = randperm(images.shape[0], generator: rng);  // drawn on the CPU: the same order on every device
            permutation = order.to(images.device).DetachFromDisposeScope();
            rng.Dispose();
            permutationEpoch = epoch;
        }
        using var rows = permutation!.narrow(0, within * batch, batch);
        // One gather each, [m, C, H, W] and [m]; bytes become floats in [0, 1] a minibatch at a time.
        return new Batch(ImageDataset.ToUnitRange(images.index_select(0, rows)), labels?.index_select(0, rows));
    }

    /// <inheritdoc/>
    public void Dispose() => permutation?.Dispose();
}
