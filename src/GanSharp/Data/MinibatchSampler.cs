using static TorchSharp.torch;

namespace GanSharp.Data;

/// <summary>
/// One minibatch of training data, as its data kind fills it: images <c>[m, C, H, W]</c> in [0, 1]; their class labels
/// <c>[m]</c> (int64) when the dataset has them; a condition the players are given (captioned images: the mean embedding
/// of some of each image's captions, <c>[m, E]</c>) and <see cref="Mismatched"/>, the same of another image's captions
/// (the wrong text of a matching-aware discriminator); and, for two unpaired domains, <see cref="Other"/>: m images of
/// the second domain, unpaired with <see cref="Images"/> (the first's).
/// </summary>
public sealed record Batch(Tensor Images, Tensor? Labels = null, Tensor? Condition = null, Tensor? Other = null, Tensor? Mismatched = null)
{
    /// <summary>Number of examples, m.</summary>
    public long Count => Images.shape[0];
}

/// <summary>
/// Draws data minibatches without replacement, epoch by epoch, in an order that depends only on (seed, epoch): the
/// n-th minibatch of a run is the same whether or not the run was interrupted and resumed in between. The last
/// incomplete minibatch of each epoch is dropped. Images and labels are gathered with the same rows.
/// <para>
/// An epoch may be longer than the images (<c>rowsPerEpoch</c> L ≥ N, the larger of two unpaired domains): its order
/// is then a permutation of 0…L−1 taken modulo N, so every image comes ⌊L/N⌋ or ⌈L/N⌉ times. A <c>stream</c> other than
/// 0 draws its orders from other seeds, so two samplers of one run (two domains) are independent.
/// </para>
/// </summary>
internal sealed class MinibatchSampler : IMinibatches
{
    private readonly Tensor images;   // [N, C, H, W], uint8 or float32
    private readonly Tensor? labels;  // [N]
    private readonly int batch;
    private readonly long seed, stream, rowsPerEpoch;
    private const long StreamStride = unchecked((long)0x9E3779B97F4A7C15UL);   // the golden ratio's bits: streams far apart
    private long permutationEpoch = -1;
    private Tensor? permutation;      // [N] int64, the current epoch's order
    private readonly Tensor?[] owned; // what Dispose frees (the caller's device copies)

    /// <summary>
    /// A sampler over <paramref name="images"/> and their <paramref name="labels"/> (neither owned) with minibatches
    /// of <paramref name="batch"/>.
    /// </summary>
    public MinibatchSampler(Tensor images, Tensor? labels, int batch, long seed, long? rowsPerEpoch = null, long stream = 0, Tensor?[]? owned = null)
    {
        this.owned = owned ?? [];
        if (batch <= 0) throw new ArgumentOutOfRangeException(nameof(batch));
        this.rowsPerEpoch = rowsPerEpoch ?? images.shape[0];
        if (this.rowsPerEpoch < images.shape[0]) throw new ArgumentOutOfRangeException(nameof(rowsPerEpoch), rowsPerEpoch, "an epoch covers every image");
        if (this.rowsPerEpoch < batch)
            throw new InputException($"the training set has {images.shape[0]} images, fewer than one minibatch of {batch}");
        this.images = images;
        this.labels = labels;
        this.batch = batch;
        this.seed = seed;
        this.stream = stream;
    }

    /// <summary>Minibatch size m.</summary>
    public int BatchSize => batch;

    /// <summary>Minibatches per epoch.</summary>
    public long BatchesPerEpoch => rowsPerEpoch / batch;

    /// <summary>The <paramref name="index"/>-th minibatch of the run (0-based, counting across epochs).</summary>
    public Batch Batch(long index)
    {
        using var rows = Rows(index);
        return Gather(rows);
    }

    /// <summary>The rows (image indices) of the <paramref name="index"/>-th minibatch, [m] int64 on the images' device.</summary>
    public Tensor Rows(long index)
    {
        long epoch = index / BatchesPerEpoch, within = index % BatchesPerEpoch;
        if (epoch != permutationEpoch)
        {
            permutation?.Dispose();
            var rng = new TorchSharp.torch.Generator(unchecked((ulong)(seed * 1_000_003 + epoch + stream * StreamStride)));
            using var order = randperm(rowsPerEpoch, generator: rng);     // drawn on the CPU: the same order on every device
            using var wrapped = rowsPerEpoch == images.shape[0] ? order.alias() : order.remainder(images.shape[0]);   // 0…N−1
            permutation = wrapped.to(images.device).DetachFromDisposeScope();
            rng.Dispose();
            permutationEpoch = epoch;
        }
        return permutation!.narrow(0, within * batch, batch);
    }

    /// <summary>The minibatch of <paramref name="rows"/>: one gather each, [m, C, H, W] and [m]; bytes become floats in [0, 1] a minibatch at a time.</summary>
    public Batch Gather(Tensor rows) => new(ImageDataset.ToUnitRange(images.index_select(0, rows)), labels?.index_select(0, rows));

    /// <inheritdoc/>
    public void Dispose()
    {
        permutation?.Dispose();
        foreach (var t in owned) t?.Dispose();
    }
}
