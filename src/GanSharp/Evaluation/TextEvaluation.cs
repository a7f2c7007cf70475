using GanSharp.Data;
using GanSharp.Games;
using GanSharp.Models;
using GanSharp.Training;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace GanSharp.Evaluation;

/// <summary>
/// A text-to-image run measured on captions (<c>--eval text</c>, <c>gan eval text</c>), apart on the emoji it trained on
/// and on held-out emoji whose names it never read: one image for each caption (one caption's embedding, z drawn from a
/// fixed seed), from the last trained stage, then
/// <list type="bullet">
/// <item><c>r_precision_*</c>: R-precision in the <see cref="TextMatcher"/>'s space (AttnGAN's protocol: the caption
/// against 99 captions of other emoji; chance 1%), beside the real images' (<see cref="References"/>), the ceiling;</item>
/// <item><c>text_fid_resnet18_*</c>: the Fréchet distance between the generated images and the split's real images in the
/// ImageNet ResNet-18's features (Stage-I's images at Stage-I's side against the real ones shrunk to it: <c>_stage1</c>);</item>
/// <item><c>text_precision_resnet18_*</c>, <c>text_recall_resnet18_*</c>: improved precision and recall (Kynkäänniemi et
/// al. 2019, k = 3) in the same features, against the split's distinct real images (a test emoji's several captions
/// share one image: repeated, it would be its own nearest neighbour); per stage as the Fréchet distance;</item>
/// <item><c>category_accuracy_*</c>: the emoji's category (of ten) by the nearest real training image in those features;</item>
/// <item><c>skin_tone_accuracy_*</c>: on captions that name one skin tone, the share of images that show it
/// (<see cref="SkinTone"/>; chance 20%).</item>
/// </list>
/// Splits: <c>test</c> (every caption of the held-out test emoji), <c>valid</c> (the validation emoji: what picks the
/// best checkpoint) and <c>train</c> (the first caption of up to <see cref="TrainImages"/> training emoji, drawn by seed).
/// </summary>
public sealed class TextEvaluation : IPeriodicEvaluation
{
    /// <summary>Training emoji measured (one caption each).</summary>
    public const int TrainImages = 500;
    /// <summary>Distractor captions R-precision ranks each caption against.</summary>
    public const int Distractors = 99;

    private readonly ResNet18Features net;
    private readonly TextMatcher matcher;
    private readonly Split[] splits;
    private readonly Tensor trainFeatures, trainCategories;   // [N, 512] of the real training images, [N]: the category classifier
    private readonly long seed;
    private readonly FeatureCache? cache;
    private readonly Dictionary<(string Split, long Side), (Tensor Features, Tensor Slot)> realFeatures = [];   // computed once a run: the real images do not change
    private IReadOnlyDictionary<string, double>? references;

    /// <summary>
    /// One split's captions as measured: their embeddings, the image each belongs to, the real images, every caption of the
    /// split as the distractor pool, each row's category (its image's) and the skin tone its caption names (−1: none).
    /// </summary>
    sealed record Split(string Name, Tensor Captions, int[] Owners, Tensor Real, Tensor Pool, int[] PoolOwners, long[] Categories, int[] Tones) : IDisposable
    {
        public void Dispose()
        {
            Captions.Dispose();
            Real.Dispose();
            Pool.Dispose();
        }
    }

    /// <summary>
    /// The evaluation of <paramref name="data"/> with <paramref name="net"/> and <paramref name="matcher"/> (both owned from
    /// here); the real images' features read from and kept in <paramref name="cache"/> where one is given.
    /// </summary>
    public TextEvaluation(CaptionedData data, ResNet18Features net, TextMatcher matcher, long seed = 1, FeatureCache? cache = null)
    {
        (this.net, this.matcher, this.seed, this.cache) = (net, matcher, seed, cache);
        using var rng = new TorchSharp.torch.Generator(unchecked((ulong)seed));
        var train = randperm(data.Images.Train.Count, generator: rng).narrow(0, 0, Math.Min(TrainImages, data.Images.Train.Count)).data<long>().ToArray();
        splits =
        [
            Of("test", data.Images.Test ?? throw new InputException("the text evaluation needs test emoji"), data.Test, null),
            Of("valid", data.Images.Validation, data.Validation, null),
            Of("train", data.Images.Train, data.Train, train),
        ];
        trainFeatures = RealImageFeatures(data.Images.Train.Images);
        trainCategories = data.Images.Train.Labels?.clone() ?? throw new InputException("the text evaluation needs the emoji's categories");
    }

    /// <summary>The split's captions: all of each image's (or the first of each of <paramref name="only"/>'s images).</summary>
    static Split Of(string name, ImageDataset images, CaptionSet captions, long[]? only)
    {
        using var scope = NewDisposeScope();
        var counts = captions.Counts.data<long>().ToArray();
        var rows = new List<(int Image, int Caption)>();
        foreach (int i in only?.Select(x => (int)x) ?? Enumerable.Range(0, counts.Length))
            for (int j = 0; j < (only is null ? counts[i] : 1); j++) rows.Add((i, j));
        var flat = captions.Embeddings.view(-1, captions.Embeddings.shape[2]);
        long k = captions.Embeddings.shape[1];
        var chosen = flat.index_select(0, tensor(rows.Select(r => r.Image * k + r.Caption).ToArray()));
        var real = ImageDataset.ToUnitRange(images.Storage.index_select(0, tensor(rows.Select(r => (long)r.Image).ToArray())));
        var all = Enumerable.Range(0, counts.Length).SelectMany(i => Enumerable.Range(0, (int)counts[i]).Select(j => (i, j))).ToList();
        var pool = flat.index_select(0, tensor(all.Select(r => r.i * k + r.j).ToArray()));
        var labels = images.Labels?.data<long>().ToArray() ?? throw new InputException($"{images.Name}: the text evaluation needs the emoji's categories");
        return new Split(name, chosen.MoveToOuterDisposeScope(), [.. rows.Select(r => r.Image)], real.MoveToOuterDisposeScope(),
                         pool.MoveToOuterDisposeScope(), [.. all.Select(r => r.i)], [.. rows.Select(r => labels[r.Image])],
                         [.. rows.Select(r => SkinTone.Named(captions.Texts[r.Image][r.Caption]) ?? -1)]);
    }

    /// <inheritdoc/>
    public string SelectBy => "r_precision_valid";
    /// <inheritdoc/>
    public bool HigherIsBetter => true;

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, double> Evaluate(GameProduct product)
    {
        var t2i = product.TextSamples("the text evaluation");
        var values = new Dictionary<string, double>();
        foreach (var split in splits)
        {
            using var rng = new TorchSharp.torch.Generator(unchecked((ulong)(seed * 7_919 + 17)));
            var (low, high) = t2i.Draw(split.Captions, rng: rng);
            using (low) using (high)
            {
                var final = high ?? low;
                using var features = net.Features(final);
                values[$"r_precision_{split.Name}"] = RPrecision(split, features);
                values[$"category_accuracy_{split.Name}"] = CategoryAccuracy(split, features);
                if (ToneAccuracy(split, final) is { } tone) values[$"skin_tone_accuracy_{split.Name}"] = tone;
                InFeatureSpace(values, split, features, final.shape[2], "");
                if (high is not null)
                {
                    using var lowFeatures = net.Features(low);
                    InFeatureSpace(values, split, lowFeatures, low.shape[2], "stage1_");
                }
            }
        }
        return values;
    }

    /// <summary>The Fréchet distance, precision and recall of generated images' <paramref name="features"/> of <paramref name="side"/>² against the split's real images.</summary>
    void InFeatureSpace(Dictionary<string, double> values, Split split, Tensor features, long side, string stage)
    {
        var (distinct, slot) = RealDistinct(split, side);
        using var real = distinct.index_select(0, slot);                                 // a row per caption, as the generated ones
        values[$"text_fid_resnet18_{stage}{split.Name}"] = FeatureMetrics.FrechetDistance(real, features);
        (values[$"text_precision_resnet18_{stage}{split.Name}"], values[$"text_recall_resnet18_{stage}{split.Name}"]) = FeatureMetrics.PrecisionRecall(distinct, features, k: 3);
    }

    /// <summary>The real images' R-precision per split: the ceiling.</summary>
    public IReadOnlyDictionary<string, double> References()
    {
        if (references is not null) return references;
        var values = new Dictionary<string, double>();
        foreach (var split in splits)
        {
            using var features = RealFeatures(split, split.Real.shape[2]);
            values[$"r_precision_{split.Name}"] = RPrecision(split, features);
            values[$"category_accuracy_{split.Name}"] = CategoryAccuracy(split, features);
            if (ToneAccuracy(split, split.Real) is { } tone) values[$"skin_tone_accuracy_{split.Name}"] = tone;
        }
        return references = values;
    }

    /// <summary>
    /// The share of rows whose image's nearest real training image (Euclidean, in ResNet-18 features) is of the row's
    /// emoji's category — the ResNet-18 nearest-neighbour classifier that tells real test emoji's categories apart 86%
    /// of the time (docs/results.md). For the training split the real image is its own nearest: the reference there is 1.
    /// </summary>
    double CategoryAccuracy(Split split, Tensor features)
    {
        using var scope = NewDisposeScope();
        var distances = features.square().sum(1, keepdim: true) + trainFeatures.square().sum(1).unsqueeze(0) - 2 * features.matmul(trainFeatures.t());   // [n, N]
        var predicted = trainCategories.index_select(0, distances.argmin(1));
        return predicted.eq(tensor(split.Categories)).to_type(ScalarType.Float32).mean().item<float>();
    }

    /// <summary>The share of rows whose caption names one skin tone that show that tone (<see cref="SkinTone"/>); null where no caption names one.</summary>
    static double? ToneAccuracy(Split split, Tensor images)
    {
        var rows = Enumerable.Range(0, split.Tones.Length).Where(i => split.Tones[i] >= 0).ToArray();
        if (rows.Length == 0) return null;
        using var toned = images.index_select(0, tensor(rows.Select(i => (long)i).ToArray()));
        var shown = SkinTone.Of(toned);
        return (double)rows.Select((row, j) => shown[j] == split.Tones[row] ? 1 : 0).Sum() / rows.Length;
    }

    double RPrecision(Split split, Tensor features)
    {
        using var embedded = matcher.Embed(features);
        return TextMatcher.RPrecision(embedded, split.Captions, split.Owners, split.Pool, split.PoolOwners, Distractors, seed);
    }

    /// <summary>The split's real images' features at <paramref name="side"/>, a row per caption (its image's); the caller's.</summary>
    Tensor RealFeatures(Split split, long side)
    {
        var (distinct, slot) = RealDistinct(split, side);
        return distinct.index_select(0, slot);                                          // [rows, 512]
    }

    /// <summary>
    /// The features of the split's distinct real images at <paramref name="side"/> (shrunk by average pooling) <c>[u, 512]</c>,
    /// and each row's place among them <c>[rows]</c>; each image computed once (a test emoji has up to five captions) and
    /// kept for the evaluation's life. Owned by the cache.
    /// </summary>
    (Tensor Features, Tensor Slot) RealDistinct(Split split, long side)
    {
        if (realFeatures.TryGetValue((split.Name, side), out var known)) return known;
        using var scope = NewDisposeScope();
        var slots = new Dictionary<int, long>();                                      // image → its place among the distinct images
        var firstRows = new List<long>();                                             // the first row of each distinct image
        var slot = new long[split.Owners.Length];                                     // row → its image's place
        for (int row = 0; row < split.Owners.Length; row++)
        {
            if (!slots.TryGetValue(split.Owners[row], out slot[row])) { slot[row] = slots[split.Owners[row]] = firstRows.Count; firstRows.Add(row); }
        }
        var distinct = split.Real.index_select(0, tensor(firstRows.ToArray()));        // [u, C, H, W]
        var shrunk = side == distinct.shape[2] ? distinct : F.avg_pool2d(distinct, distinct.shape[2] / side);
        var features = RealImageFeatures(shrunk);                                      // [u, 512]
        return realFeatures[(split.Name, side)] = (features.DetachFromDisposeScope(), tensor(slot).DetachFromDisposeScope());
    }

    Tensor RealImageFeatures(Tensor images) => cache?.Features(net, images) ?? net.Features(images);

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var s in splits) s.Dispose();
        foreach (var (f, slot) in realFeatures.Values)
        {
            f.Dispose();
            slot.Dispose();
        }
        trainFeatures.Dispose();
        trainCategories.Dispose();
        matcher.Dispose();
        net.Dispose();
    }
}
