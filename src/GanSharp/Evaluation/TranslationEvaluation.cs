using GanSharp.Data;
using GanSharp.Games;
using GanSharp.Models;
using GanSharp.Training;
using static TorchSharp.torch;

namespace GanSharp.Evaluation;

/// <summary>
/// How well a translation run translates, measured on held-out pairs — the same thing drawn in both domains (the emoji
/// split by <c>emoji-pairs</c>: image i of X's test set and image i of Y's show one emoji) — both ways, each beside the
/// <i>identity baseline</i>, the untranslated input scored the same way (<see cref="References"/>). For a direction
/// S → T, with translations t̂ᵢ = T(sᵢ) of the test images sᵢ and their true counterparts tᵢ:
/// <code>
/// translation_l1        mean over i of the mean |t̂ᵢ − tᵢ| per pixel (pixels in [0, 1])           baseline: sᵢ for t̂ᵢ
/// translation_feature   mean over i of ‖φ(t̂ᵢ) − φ(tᵢ)‖₂, φ the ImageNet ResNet-18's 512 features  baseline: φ(sᵢ)
/// retrieval_top1/top5   share of i whose tᵢ is among the 1 / 5 test images of T nearest φ(t̂ᵢ)     baseline: φ(sᵢ)
/// style_accuracy        share of t̂ᵢ the style probe (a linear classifier of the net's style statistics,
///                       trained to tell the domains' training images apart, <see cref="StyleProbe"/>) calls T's style
///                                                                                                  baseline: the sᵢ
/// fid_resnet18          Fréchet distance of {φ(t̂ᵢ)} to {φ(tᵢ)}                                    baseline: {φ(sᵢ)}
/// cycle_l1              mean |S(T(sᵢ)) − sᵢ| per pixel: a diagnostic (a translation may be perfect and not invertible)
/// </code>
/// Names end in the direction (<c>_x_to_y</c>, <c>_y_to_x</c>). Checkpoints are ranked by <c>retrieval_top1_valid</c>,
/// the top-1 retrieval of both directions on the validation pairs, never on the test pairs.
/// </summary>
public sealed class TranslationEvaluation : IPeriodicEvaluation
{
    /// <summary>Labels of the style classifier: domain X's style, domain Y's.</summary>
    public const long StyleX = 0, StyleY = 1;

    private readonly ResNet18Features features;
    private readonly StyleProbe style;
    private readonly Pairs test, validation;
    private Dictionary<string, double>? references;

    /// <summary>The style probe's accuracy on the test images of both domains (its own quality, printed beside style_accuracy).</summary>
    public double StyleClassifierAccuracy { get; }

    /// <summary>Held-out pairs and their cached features.</summary>
    sealed class Pairs(Tensor x, Tensor y, (Tensor Features, Tensor Style) ox, (Tensor Features, Tensor Style) oy) : IDisposable
    {
        public Tensor X { get; } = x;                // [n, C, H, W] in [0, 1]
        public Tensor Y { get; } = y;
        public Tensor FX { get; } = ox.Features;     // [n, 512]
        public Tensor FY { get; } = oy.Features;
        public Tensor SX { get; } = ox.Style;        // [n, StyleDim]
        public Tensor SY { get; } = oy.Style;
        public void Dispose()
        {
            foreach (var t in new[] { X, Y, FX, FY, SX, SY }) t.Dispose();
        }
    }

    /// <summary>
    /// The evaluation of translations between <paramref name="data"/>'s paired domains, in <paramref name="features"/>
    /// (owned from here), with <paramref name="style"/> (owned) telling X's style (<see cref="StyleX"/>) from Y's.
    /// </summary>
    /// <exception cref="InputException">Domains without paired held-out images.</exception>
    public TranslationEvaluation(TwoDomainData data, ResNet18Features features, StyleProbe style)
    {
        if (!data.Paired || data.X.Test is null || data.Y.Test is null)
            throw new InputException("the translation evaluation measures translations against their true counterparts: it needs paired domains (data split emoji-pairs)");
        (this.features, this.style) = (features, style);
        test = Load(data.X.Test, data.Y.Test);
        validation = Load(data.X.Validation, data.Y.Validation);
        StyleClassifierAccuracy = style.Accuracy(test.SX, test.SY);
    }

    Pairs Load(ImageDataset x, ImageDataset y)
    {
        var (ux, uy) = (ImageDataset.ToUnitRangeCopy(x.Storage), ImageDataset.ToUnitRangeCopy(y.Storage));
        return new Pairs(ux, uy, features.FeaturesAndStyle(ux), features.FeaturesAndStyle(uy));
    }

    /// <inheritdoc/>
    public string SelectBy => "retrieval_top1_valid";
    /// <inheritdoc/>
    public bool HigherIsBetter => true;

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, double> Evaluate(GameProduct product)
    {
        var g = product.Translation(TranslationDirection.XToY, "the translation evaluation");
        var f = product.Translation(TranslationDirection.YToX, "the translation evaluation");
        var result = new OrderedDictionary<string, double>();
        foreach (var (name, value) in Scores(test, g, f)) result[name] = value;
        using (var scope = NewDisposeScope())
        {
            double Top1(Translator t, Tensor source, Tensor targetFeatures) => Retrieval(features.Features(t.Translate(source)), targetFeatures).Top1;
            result["retrieval_top1_valid"] = (Top1(g, validation.X, validation.FY) + Top1(f, validation.Y, validation.FX)) / 2;
        }
        return result;
    }

    /// <summary>The identity baseline: every score of the untranslated inputs, under the same names.</summary>
    public IReadOnlyDictionary<string, double> References()
    {
        if (references is not null) return references;
        references = Scores(test, null, null).ToDictionary();
        using var scope = NewDisposeScope();
        references["retrieval_top1_valid"] = (Retrieval(validation.FX, validation.FY).Top1 + Retrieval(validation.FY, validation.FX).Top1) / 2;
        references["style_classifier_accuracy"] = StyleClassifierAccuracy;
        return references;
    }

    /// <summary>Both directions' scores of translators <paramref name="g"/> (X → Y) and <paramref name="f"/> (Y → X); null: the identity.</summary>
    List<(string Name, double Value)> Scores(Pairs pairs, Translator? g, Translator? f)
    {
        var scores = new List<(string Name, double Value)>();
        foreach (var (suffix, forward, back, source, target, sourceFeatures, sourceStyle, targetFeatures, targetStyle) in new[]
                 {
                     ("x_to_y", g, f, pairs.X, pairs.Y, pairs.FX, pairs.SX, pairs.FY, StyleY),
                     ("y_to_x", f, g, pairs.Y, pairs.X, pairs.FY, pairs.SY, pairs.FX, StyleX),
                 })
        {
            using var scope = NewDisposeScope();
            var translated = forward?.Translate(source) ?? source;                               // [n, C, H, W]
            var (translatedFeatures, translatedStyle) = forward is null ? (sourceFeatures, sourceStyle) : features.FeaturesAndStyle(translated);   // [n, 512], [n, StyleDim]
            var (top1, top5) = Retrieval(translatedFeatures, targetFeatures);
            scores.Add(($"translation_l1_{suffix}", (translated - target).abs().mean().item<float>()));
            scores.Add(($"translation_feature_{suffix}", (translatedFeatures - targetFeatures).square().sum(1).sqrt().mean().item<float>()));
            scores.Add(($"retrieval_top1_{suffix}", top1));
            scores.Add(($"retrieval_top5_{suffix}", top5));
            scores.Add(($"style_accuracy_{suffix}", style.ShareCalled(translatedStyle, targetStyle)));
            scores.Add(($"fid_resnet18_{suffix}", FeatureMetrics.FrechetDistance(translatedFeatures, targetFeatures)));
            if (forward is not null && back is not null)
                scores.Add(($"cycle_l1_{suffix}", (back.Translate(translated) - source).abs().mean().item<float>()));
        }
        return scores;
    }

    /// <summary>
    /// For each query row i of <paramref name="queries"/> <c>[n, D]</c>, the rank of row i of <paramref name="targets"/>
    /// <c>[n, D]</c> among all targets by Euclidean distance (0: nearest; ties counted against it): the shares of rank 0 and
    /// of rank below 5.
    /// </summary>
    public static (double Top1, double Top5) Retrieval(Tensor queries, Tensor targets)
    {
        using var scope = NewDisposeScope();
        var q = queries.to_type(ScalarType.Float64);
        var t = targets.to_type(ScalarType.Float64);
        var d = q.square().sum(1, keepdim: true) + t.square().sum(1).unsqueeze(0) - 2 * q.mm(t.t());   // [n, n]: ‖qᵢ − tⱼ‖²
        var own = d.diagonal().unsqueeze(1);                                                          // [n, 1]
        var rank = d.le(own).sum(1) - 1;                                                              // others at least as near
        return (rank.eq(0).to_type(ScalarType.Float64).mean().item<double>(), rank.lt(5).to_type(ScalarType.Float64).mean().item<double>());
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        test.Dispose();
        validation.Dispose();
        features.Dispose();
        style.Dispose();
    }
}
