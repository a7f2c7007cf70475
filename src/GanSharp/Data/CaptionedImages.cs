using static TorchSharp.torch;

namespace GanSharp.Data;

/// <summary>
/// Images with captions, as embeddings (what a text-to-image game such as StackGAN trains on): each training image
/// has K caption embeddings <c>[N, K, E]</c> (the StackGAN reference's birds: ten captions an image, embedded once by a
/// frozen text encoder). Its minibatches hold the images, their labels where the dataset has them, and as
/// <see cref="Batch.Condition"/> <c>[m, E]</c> the mean of <see cref="CaptionsPerStep"/> of each image's K embeddings, drawn
/// without replacement (the reference's birds configuration: 4) — see <see cref="CaptionSampler"/>. An epoch is one
/// pass over the images, as for one dataset.
/// </summary>
public sealed class CaptionedImages : TrainingSet
{
    private readonly ImageDataset train;
    private readonly Tensor embeddings;   // [N, K, E] float32, the caller's

    /// <summary>
    /// <paramref name="train"/>'s images with <paramref name="embeddings"/> <c>[N, K, E]</c> (row i: image i's K
    /// captions; not owned), <paramref name="captionsPerStep"/> of them averaged per image and minibatch.
    /// </summary>
    /// <exception cref="InputException">Embeddings of another shape or count than the images, or more captions per step than an image has.</exception>
    public CaptionedImages(ImageDataset train, Tensor embeddings, int captionsPerStep = 4)
    {
        if (embeddings.dim() != 3 || embeddings.dtype != ScalarType.Float32)
            throw new InputException($"{train.Name}: caption embeddings must be float32 [images, captions, dimension] (got {embeddings.dtype} [{string.Join(", ", embeddings.shape)}])");
        if (embeddings.shape[0] != train.Count)
            throw new InputException($"{train.Name}: {embeddings.shape[0]} images' caption embeddings for {train.Count} images");
        if (captionsPerStep < 1 || captionsPerStep > embeddings.shape[1])
            throw new InputException($"{train.Name}: captions-per-step must lie in 1…{embeddings.shape[1]}, the captions each image has (got {captionsPerStep})");
        (this.train, this.embeddings, CaptionsPerStep) = (train, embeddings, captionsPerStep);
    }

    /// <summary>Captions averaged per image and minibatch.</summary>
    public int CaptionsPerStep { get; }
    /// <summary>Captions each image has, K.</summary>
    public long Captions => embeddings.shape[1];
    /// <summary>The embeddings' dimension, E.</summary>
    public long Dimension => embeddings.shape[2];

    /// <inheritdoc/>
    public override string Name => $"{train.Name} with captions";
    /// <inheritdoc/>
    public override (int C, int H, int W) ImageShape => train.ImageShape;
    /// <inheritdoc/>
    public override ImageDataset Single => train;

    /// <inheritdoc/>
    public override Tensor Preview(int count) => First(train, count);

    /// <inheritdoc/>
    internal override IMinibatches Minibatches(Device device, int batch, long seed)
    {
        var (images, labels, captions) = (train.Storage.to(device), train.Labels?.to(device), embeddings.to(device));
        return new CaptionSampler(new MinibatchSampler(images, labels, batch, seed, owned: [images, labels, captions]), captions, CaptionsPerStep, seed);
    }
}

/// <summary>
/// Minibatches of captioned images, a pure function of (seed, index) like <see cref="MinibatchSampler"/>, whose rows it
/// takes: for each image, r of its K caption embeddings without replacement — the r smallest of K uniform keys drawn
/// from a generator of (seed, index) alone, so a resumed run averages the same captions — and their mean as the
/// minibatch's <see cref="Batch.Condition"/> <c>[m, E]</c>.
/// </summary>
internal sealed class CaptionSampler(MinibatchSampler rows, Tensor captions, int perStep, long seed) : IMinibatches
{
    private const long Stream = 0x5DEECE66DL;   // the captions' draws, apart from the rows' orders

    /// <inheritdoc/>
    public int BatchSize => rows.BatchSize;
    /// <inheritdoc/>
    public long BatchesPerEpoch => rows.BatchesPerEpoch;

    /// <inheritdoc/>
    public Batch Batch(long index)
    {
        using var r = rows.Rows(index);                                                 // [m]
        var batch = rows.Gather(r);
        using var rng = new TorchSharp.torch.Generator(unchecked((ulong)(seed * 1_000_003 + index + Stream)));
        long k = captions.shape[1], e = captions.shape[2];
        using var keys = rand([r.shape[0], k], generator: rng);                           // [m, K], on the CPU: the same draws on every device
        using var order = keys.argsort(1);
        using var picks = order.narrow(1, 0, perStep).to(captions.device);               // [m, r]: r of K, distinct
        using var own = captions.index_select(0, r);                                     // [m, K, E]
        using var at = picks.unsqueeze(2).expand(-1, -1, e);                            // [m, r, E]
        using var chosen = own.gather(1, at);                                           // [m, r, E]
        return batch with { Condition = chosen.mean([1]) };                             // [m, E]
    }

    /// <inheritdoc/>
    public void Dispose() => rows.Dispose();
}
