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
/// ImageNet ResNet-18's features (Stage-I's images at Stage-I's side against the real ones shrunk to it: <c>_stage1</c>).</item>
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
    private readonly long seed;
    private IReadOnlyDictionary<string, double>? references;

    /// <summary>One split's captions as measured: their embeddings, the image each belongs to, the real images, and every caption of the split as the distractor pool.</summary>
    sealed record Split(string Name, Tensor Captions, int[] Owners, Tensor Real, Tensor Pool, int[] PoolOwners) : IDisposable
    {
        public void Dispose()
        {
            Captions.Dispose();
            Real.Dispose();
            Pool.Dispose();
        }
    }

    /// <summary>The evaluation of <paramref name="data"/> with <paramref name="net"/> and <paramref name="matcher"/> (both owned from here).</summary>
    public TextEvaluation(CaptionedData data, ResNet18Features net, TextMatcher matcher, long seed = 1)
    {
        (this.net, this.matcher, this.seed) = (net, matcher, seed);
        using var rng = new TorchSharp.torch.Generator(unchecked((ulong)seed));
        var train = randperm(data.Images.Train.Count, generator: rng).narrow(0, 0, Math.Min(TrainImages, data.Images.Train.Count)).data<long>().ToArray();
        splits =
        [
            Of("test", data.Images.Test ?? throw new InputException("the text evaluation needs test emoji"), data.Test, null),
            Of("valid", data.Images.Validation, data.Validation, null),
            Of("train", data.Images.Train, data.Train, train),
        ];
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
        return new Split(name, chosen.MoveToOuterDisposeScope(), [.. rows.Select(r => r.Image)], real.MoveToOuterDisposeScope(),
                         pool.MoveToOuterDisposeScope(), [.. all.Select(r => r.i)]);
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
                using var realFeatures = RealFeatures(split, final.shape[2]);
                values[$"text_fid_resnet18_{split.Name}"] = FeatureMetrics.FrechetDistance(realFeatures, features);
                if (high is not null)
                {
                    using var lowFeatures = net.Features(low);
                    using var realLow = RealFeatures(split, low.shape[2]);
                    values[$"text_fid_resnet18_stage1_{split.Name}"] = FeatureMetrics.FrechetDistance(realLow, lowFeatures);
                }
            }
        }
        return values;
    }

    /// <summary>The real images' R-precision per split: the ceiling.</summary>
    public IReadOnlyDictionary<string, double> References()
    {
        if (references is not null) return references;
        var values = new Dictionary<string, double>();
        foreach (var split in splits)
        {
            using var features = net.Features(split.Real);
            values[$"r_precision_{split.Name}"] = RPrecision(split, features);
        }
        return references = values;
    }

    double RPrecision(Split split, Tensor features)
    {
        using var embedded = matcher.Embed(features);
        return TextMatcher.RPrecision(embedded, split.Captions, split.Owners, split.Pool, split.PoolOwners, Distractors, seed);
    }

    Tensor RealFeatures(Split split, long side)
    {
        using var shrunk = side == split.Real.shape[2] ? split.Real.alias() : F.avg_pool2d(split.Real, split.Real.shape[2] / side);
        return net.Features(shrunk);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var s in splits) s.Dispose();
        matcher.Dispose();
        net.Dispose();
    }
}
