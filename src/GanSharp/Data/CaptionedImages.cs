using static TorchSharp.torch;

namespace GanSharp.Data;

/// <summary>
/// Images with captions, as embeddings (what a text-to-image game such as StackGAN trains on): each training image
/// has up to K caption embeddings <c>[N, K, E]</c> (the StackGAN reference's birds: ten captions an image, embedded once by
/// a frozen text encoder; emoji: one to five), image i's first <c>counts[i]</c> rows its own. Its minibatches hold the
/// images, their labels where the dataset has them, as <see cref="Batch.Condition"/> <c>[m, E]</c> the mean of
/// <see cref="CaptionsPerStep"/> of each image's embeddings (all of them where it has fewer), drawn without replacement
/// (the reference's birds configuration: 4), and as <see cref="Batch.Mismatched"/> the same for another image, drawn
/// uniformly from the others — the matching-aware discriminator's wrong text — see <see cref="CaptionSampler"/>. An
/// epoch is one pass over the images, as for one dataset.
/// </summary>
public sealed class CaptionedImages : TrainingSet
{
    private readonly ImageDataset train;
    private readonly Tensor embeddings;   // [N, K, E] float32, the caller's
    private readonly Tensor counts;       // [N] int64, ours

    /// <summary>
    /// <paramref name="train"/>'s images with <paramref name="embeddings"/> <c>[N, K, E]</c> (row i: image i's captions;
    /// not owned), of which image i has the first <paramref name="counts"/>[i] (null: all K), <paramref name="captionsPerStep"/>
    /// of them averaged per image and minibatch.
    /// </summary>
    /// <exception cref="InputException">Embeddings or counts of another shape or count than the images, a count outside 1…K, or more captions per step than K.</exception>
    public CaptionedImages(ImageDataset train, Tensor embeddings, int captionsPerStep = 4, Tensor? counts = null)
    {
        if (embeddings.dim() != 3 || embeddings.dtype != ScalarType.Float32)
            throw new InputException($"{train.Name}: caption embeddings must be float32 [images, captions, dimension] (got {embeddings.dtype} [{string.Join(", ", embeddings.shape)}])");
        if (embeddings.shape[0] != train.Count)
            throw new InputException($"{train.Name}: {embeddings.shape[0]} images' caption embeddings for {train.Count} images");
        if (captionsPerStep < 1 || captionsPerStep > embeddings.shape[1])
            throw new InputException($"{train.Name}: captions-per-step must lie in 1…{embeddings.shape[1]}, the captions each image has (got {captionsPerStep})");
        if (train.Count < 2) throw new InputException($"{train.Name}: captioned training needs two images at least (a wrong caption is another image's)");
        if (counts is not null)
        {
            if (counts.shape.Length != 1 || counts.shape[0] != train.Count)
                throw new InputException($"{train.Name}: {counts.shape.FirstOrDefault()} caption counts for {train.Count} images");
            if (counts.min().item<long>() < 1 || counts.max().item<long>() > embeddings.shape[1])
                throw new InputException($"{train.Name}: every image needs 1…{embeddings.shape[1]} captions");
        }
        (this.train, this.embeddings, CaptionsPerStep) = (train, embeddings, captionsPerStep);
        this.counts = counts?.to_type(ScalarType.Int64, copy: true).DetachFromDisposeScope() ?? full(train.Count, embeddings.shape[1], ScalarType.Int64).DetachFromDisposeScope();
    }

    /// <summary>Captions averaged per image and minibatch.</summary>
    public int CaptionsPerStep { get; }
    /// <summary>The images' caption embeddings, <c>[N, K, E]</c> (image i's first <see cref="Counts"/>[i] rows).</summary>
    public Tensor Embeddings => embeddings;
    /// <summary>How many captions each image has, <c>[N]</c> int64.</summary>
    public Tensor Counts => counts;
    /// <summary>Captions the best-captioned image has, K.</summary>
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
        var (images, labels, captions, has) = (train.Storage.to(device), train.Labels?.to(device), embeddings.to(device), counts.to(device));
        return new CaptionSampler(new MinibatchSampler(images, labels, batch, seed, owned: [images, labels, captions, has]), captions, has, CaptionsPerStep, seed);
    }
}

/// <summary>
/// Minibatches of captioned images, a pure function of (seed, index) like <see cref="MinibatchSampler"/>, whose rows it
/// takes. For each image, r of its n captions without replacement (all n where n &lt; r) — the smallest of n uniform keys
/// drawn from a generator of (seed, index) alone, so a resumed run averages the same captions — and their mean as
/// <see cref="Batch.Condition"/> <c>[m, E]</c>; then, from the same generator, another image for each row (i + 1 + u
/// mod N with u uniform in 0…N−2: never the image itself) and the mean of r of its captions as
/// <see cref="Batch.Mismatched"/>.
/// </summary>
internal sealed class CaptionSampler(MinibatchSampler rows, Tensor captions, Tensor counts, int perStep, long seed) : IMinibatches
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
        using var scope = NewDisposeScope();
        long n = captions.shape[0], m = r.shape[0];
        var own = Mean(r, rng);                                                         // [m, E]
        var shift = randint(0, n - 1, [m], dtype: ScalarType.Int64, generator: rng).to(r.device);   // drawn on the CPU: the same on every device
        var other = (r + 1 + shift).remainder(n);                                       // [m], never r itself
        var wrong = Mean(other, rng);
        return batch with { Condition = own.MoveToOuterDisposeScope(), Mismatched = wrong.MoveToOuterDisposeScope() };
    }

    /// <summary>The mean of r (or all n &lt; r) of each image's captions, images <paramref name="images"/> <c>[m]</c> → <c>[m, E]</c>.</summary>
    Tensor Mean(Tensor images, TorchSharp.torch.Generator rng)
    {
        long k = captions.shape[1];
        var keys = rand([images.shape[0], k], generator: rng).to(captions.device);      // [m, K], drawn on the CPU
        var has = counts.index_select(0, images).unsqueeze(1);                          // [m, 1]
        var slot = arange(k, device: captions.device).unsqueeze(0);                     // [1, K]
        keys = keys.masked_fill(slot >= has, 2.0);                                      // captions an image lacks sort last
        var rank = keys.argsort(1).argsort(1);                                          // [m, K]: each slot's place in its row's order
        var chosen = (rank < perStep).logical_and(slot < has).to_type(ScalarType.Float32);   // [m, K]: r of n, or all n < r
        var own = captions.index_select(0, images);                                     // [m, K, E]
        return (own * chosen.unsqueeze(2)).sum(1) / chosen.sum(1, keepdim: true);       // [m, E]
    }

    /// <inheritdoc/>
    public void Dispose() => rows.Dispose();
}
