using GanSharp.Captions;
using GanSharp.Configuration;
using static TorchSharp.torch;

namespace GanSharp.Data;

/// <summary>
/// One split's captions: each image's caption texts, and their embeddings <c>[N, K, E]</c> (K the most any image has;
/// image i's first <see cref="Counts"/>[i] rows are its own, the rest zeros).
/// </summary>
public sealed class CaptionSet : IDisposable
{
    /// <summary>Each image's captions, in the images' order.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Texts { get; }
    /// <summary>The embeddings, <c>[N, K, E]</c> float32.</summary>
    public Tensor Embeddings { get; }
    /// <summary>How many captions each image has, <c>[N]</c> int64.</summary>
    public Tensor Counts { get; }

    CaptionSet(IReadOnlyList<IReadOnlyList<string>> texts, Tensor embeddings, Tensor counts) => (Texts, Embeddings, Counts) = (texts, embeddings, counts);

    /// <summary>
    /// The captions <paramref name="texts"/> (each image at least one) embedded through <paramref name="cache"/>; every
    /// distinct caption is looked up or embedded once.
    /// </summary>
    /// <exception cref="InputException">An image without captions, or a caption the encoder refuses (<paramref name="where"/> names them).</exception>
    public static CaptionSet Embed(IReadOnlyList<IReadOnlyList<string>> texts, EmbeddingCache cache, string where, IProgress<FetchProgress>? progress = null)
    {
        if (texts.Select((t, i) => (t, i)).FirstOrDefault(p => p.t.Count == 0) is { t: not null } empty)
            throw new InputException($"{where}: image {empty.i} has no captions");
        var flat = texts.SelectMany(t => t).ToList();
        using var scope = NewDisposeScope();
        var embedded = cache.Embed(flat, where, progress);                                    // [Σ n_i, E]
        int k = texts.Count == 0 ? 1 : texts.Max(t => t.Count);
        var all = zeros(texts.Count, k, embedded.shape[1]);
        for (int i = 0, at = 0; i < texts.Count; at += texts[i].Count, i++)
            all[i].narrow(0, 0, texts[i].Count).copy_(embedded.narrow(0, at, texts[i].Count));
        var counts = tensor(texts.Select(t => (long)t.Count).ToArray());
        return new CaptionSet(texts, all.MoveToOuterDisposeScope().DetachFromDisposeScope(), counts.MoveToOuterDisposeScope().DetachFromDisposeScope());
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Embeddings.Dispose();
        Counts.Dispose();
    }
}

/// <summary>
/// Captioned images as a run loads them (<see cref="CaptionedConfig"/>): an emoji style's images split by emoji — the
/// rule of CycleGAN's pairs (<see cref="EmojiPairs.PartOf"/>): a tenth of the emoji (with their skin-tone variants) for
/// test, a tenth for validation, the rest for training — so that no test emoji's name is ever a training caption; and
/// each split's captions (<see cref="EmojiCaptions"/>), embedded by all-MiniLM-L6-v2 through the embedding cache.
/// </summary>
public sealed class CaptionedData : IDisposable
{
    /// <summary>The images: training, validation and test emoji.</summary>
    public DatasetSplits Images { get; }
    /// <summary>The training images' captions.</summary>
    public CaptionSet Train { get; }
    /// <summary>The validation images' captions.</summary>
    public CaptionSet Validation { get; }
    /// <summary>The test images' captions.</summary>
    public CaptionSet Test { get; }
    /// <summary>The text encoder that embedded them (its id).</summary>
    public string Encoder { get; }
    /// <summary>Captions averaged per image and minibatch (the configuration's, at most what the best-captioned image has).</summary>
    public int CaptionsPerStep { get; }

    CaptionedData(DatasetSplits images, CaptionSet train, CaptionSet validation, CaptionSet test, string encoder, int perStep) =>
        (Images, Train, Validation, Test, Encoder, CaptionsPerStep) = (images, train, validation, test, encoder, perStep);

    /// <summary>The training set the run draws from: the training images with their captions.</summary>
    public CaptionedImages TrainingSet() => new(Images.Train, Train.Embeddings, CaptionsPerStep, Train.Counts);

    /// <summary>Loads the images and captions <paramref name="config"/> describes (fetched into the cache on first use), embedding new captions.</summary>
    /// <exception cref="InputException">Settings that cannot be loaded (<see cref="CaptionedConfig.Problems"/>), or data that cannot.</exception>
    public static CaptionedData Load(CaptionedConfig config, string? dataDir = null, IProgress<FetchProgress>? progress = null)
    {
        if (config.Problems().FirstOrDefault() is { } problem) throw new InputException(problem);
        var style = (EmojiDataset)DatasetCatalog.Find(config.Images.Dataset)!;
        var folder = style.Ensure(dataDir, progress);
        var annotations = EmojiCaptions.Cldr.Load(dataDir, progress);
        var entries = style.Described(folder);
        var parts = entries.GroupBy(e => EmojiPairs.PartOf(e.Base) switch { EmojiPairs.Part.Test => 2, EmojiPairs.Part.Validation => 1, _ => 0 })
                           .ToDictionary(g => g.Key, g => g.ToList());
        List<EmojiEntry> Part(int p) => parts.GetValueOrDefault(p) ?? [];
        var images = EmojiPairs.Decode(style, folder, [.. Part(0).Select(e => e.Image)], [.. Part(1).Select(e => e.Image)], [.. Part(2).Select(e => e.Image)],
                                       config.Images, "every image is needed beside its captions", progress);
        var sets = new List<CaptionSet>();
        try
        {
            using var encoder = new MiniLmEncoder();
            var cache = EmbeddingCache.InDataCache(encoder, dataDir);
            var texts = new[] { 0, 1, 2 }.Select(p => Part(p).Select(e => EmojiCaptions.Of(e, annotations)).ToList()).ToArray();
            // A held-out emoji's caption that a training emoji also has (Unicode's names cross: 😄 is "grinning face with
            // smiling eyes" to CLDR, and so is 😁 to emoji.json) is dropped: held-out names must be new to the nets.
            var seen = texts[0].SelectMany(t => t).ToHashSet(StringComparer.OrdinalIgnoreCase);
            for (int p = 1; p < 3; p++)
                texts[p] = [.. texts[p].Select(t => t.Count(c => !seen.Contains(c)) > 0 ? (IReadOnlyList<string>)[.. t.Where(c => !seen.Contains(c))] : t)];
            foreach (var (p, name) in new[] { (0, "training"), (1, "validation"), (2, "test") })
                sets.Add(CaptionSet.Embed(texts[p], cache, $"{style.Name} {name} captions", progress));
            int perStep = Math.Min(config.CaptionsPerStep, (int)sets[0].Embeddings.shape[1]);
            return new CaptionedData(images, sets[0], sets[1], sets[2], encoder.Id, perStep);
        }
        catch
        {
            foreach (var s in sets) s.Dispose();
            images.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Images.Dispose();
        Train.Dispose();
        Validation.Dispose();
        Test.Dispose();
    }
}
