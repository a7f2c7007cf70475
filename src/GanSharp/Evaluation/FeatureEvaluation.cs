using GanSharp.Configuration;
using GanSharp.Data;
using GanSharp.Training;
using static TorchSharp.torch;
using Generator = GanSharp.Models.Generator;

namespace GanSharp.Evaluation;

/// <summary>Every feature-space metric of one set of images against a reference set, in one <see cref="FeatureSpace"/>.</summary>
/// <param name="Frechet">Fréchet distance (FID's formula; lower is better).</param>
/// <param name="Kernel">Kernel distance (KID: unbiased MMD², cubic kernel; mean ± std over subsets; lower is better).</param>
/// <param name="ClassifierScore">Classifier score of the images alone (Inception score's formula; higher is better, at most the class count); null in a space without classes (the ResNet-18's pooled features).</param>
/// <param name="Precision">Share of the images inside the reference manifold (k = 3).</param>
/// <param name="Recall">Share of the reference inside the images' manifold (k = 3).</param>
/// <param name="Density">Density (k = 5; about 1 for images distributed like the reference).</param>
/// <param name="Coverage">Coverage (k = 5): share of reference neighbourhoods holding an image.</param>
/// <param name="Images">Images measured.</param>
/// <param name="ReferenceImages">Reference images.</param>
public sealed record FeatureReport(double Frechet, Estimate Kernel, Estimate? ClassifierScore, double Precision, double Recall,
                                   double Density, double Coverage, long Images, long ReferenceImages);

/// <summary>Measures images against a reference set in a <see cref="FeatureClassifier"/>'s features, or in any <see cref="FeatureSpace"/>.</summary>
public static class FeatureEvaluation
{
    /// <summary>Images each side needs: density and coverage's 5 nearest neighbours, and the image itself.</summary>
    public const int MinimumImages = 6;

    /// <summary>
    /// All metrics of <paramref name="images"/> against <paramref name="reference"/> (both <c>[N, C, H, W]</c> in [0, 1]).
    /// KID subsets are drawn from a generator seeded with <paramref name="seed"/>.
    /// </summary>
    public static FeatureReport Compare(FeatureClassifier classifier, Tensor images, Tensor reference, long seed = 1)
    {
        using var scope = NewDisposeScope();
        var (real, _) = classifier.Embed(reference);
        return CompareWithFeatures(classifier, images, real, seed);
    }

    /// <summary>
    /// All metrics of <paramref name="images"/> against <paramref name="referenceFeatures"/> already computed, so that
    /// several image sets can be measured against one reference embedded once.
    /// </summary>
    public static FeatureReport CompareWithFeatures(FeatureClassifier classifier, Tensor images, Tensor referenceFeatures, long seed = 1)
    {
        using var scope = NewDisposeScope();
        var (features, probabilities) = classifier.Embed(images);
        return Compare(features, probabilities, referenceFeatures, seed);
    }

    /// <summary>All metrics of <paramref name="images"/> against <paramref name="referenceFeatures"/>, both in <paramref name="space"/>.</summary>
    public static FeatureReport CompareWithFeatures(FeatureSpace space, Tensor images, Tensor referenceFeatures, long seed = 1)
    {
        using var scope = NewDisposeScope();
        var (features, probabilities) = space.Embed(images);
        return Compare(features, probabilities, referenceFeatures, seed);
    }

    /// <summary>
    /// All metrics from features already computed (<paramref name="probabilities"/> belong to <paramref name="features"/>;
    /// without them, no classifier score).
    /// </summary>
    /// <exception cref="InputException">Fewer than <see cref="MinimumImages"/> images on a side.</exception>
    public static FeatureReport Compare(Tensor features, Tensor? probabilities, Tensor referenceFeatures, long seed = 1)
    {
        if (Math.Min(features.shape[0], referenceFeatures.shape[0]) < MinimumImages)
            throw new InputException($"the feature metrics need at least {MinimumImages} images on each side (density and coverage count 5 nearest " +
                                     $"neighbours besides an image itself): got {features.shape[0]:N0} against {referenceFeatures.shape[0]:N0}");
        using var rng = new TorchSharp.torch.Generator(unchecked((ulong)seed));
        var (precision, recall) = FeatureMetrics.PrecisionRecall(referenceFeatures, features, k: 3);
        var (density, coverage) = FeatureMetrics.DensityCoverage(referenceFeatures, features, k: 5);
        return new FeatureReport(
            FeatureMetrics.FrechetDistance(features, referenceFeatures),
            FeatureMetrics.KernelDistance(features, referenceFeatures, rng),
            probabilities is null ? null : FeatureMetrics.ClassifierScore(probabilities, splits: (int)Math.Min(10, probabilities.shape[0])),
            precision, recall, density, coverage, features.shape[0], referenceFeatures.shape[0]);
    }
}

/// <summary>
/// The feature metrics as a measurement during training: samples (the same noise every time) against the validation
/// images, so that ranking checkpoints by Fréchet distance never looks at the test set. Values, in the dataset's own
/// classifier: <c>fid_valid</c>, <c>kid_valid</c>, <c>classifier_score</c>, <c>precision_valid</c>, <c>recall_valid</c>,
/// <c>density_valid</c>, <c>coverage_valid</c>; in another space, its <see cref="FeatureSpace.Key"/> before
/// <c>_valid</c> (<c>fid_resnet18_valid</c>) and no classifier score where it has no classes.
/// </summary>
public sealed class PeriodicFeatureEvaluation : IPeriodicEvaluation
{
    private readonly FeatureSpace space;
    private readonly Configuration.EvaluationKind kind;
    private readonly Tensor validationFeatures;  // [V, D]
    private readonly int samples;
    private readonly long seed;
    private readonly ImageDataset? realImages;
    private IReadOnlyDictionary<string, double>? references;

    /// <summary>In the dataset's own classifier (owned from here on): <see cref="Configuration.MetricRegistry.Features"/>, 10,000 samples by default.</summary>
    public PeriodicFeatureEvaluation(FeatureClassifier classifier, ImageDataset validation, int samples = 10_000, long seed = 1,
                                     ImageDataset? realImages = null)
        : this(FeatureSpace.Of(classifier), Configuration.MetricRegistry.Features, validation, samples, seed, realImages) { }

    /// <summary>
    /// Embeds the validation images once; <paramref name="space"/> is owned from here on and <paramref name="kind"/>
    /// names the values. With <paramref name="realImages"/> (images the space was not trained on, e.g. the test split:
    /// a classifier's features of its own training images are distributed otherwise), <see cref="References"/> measures
    /// their first images (as many as the samples) in place of samples.
    /// </summary>
    public PeriodicFeatureEvaluation(FeatureSpace space, Configuration.EvaluationKind kind, ImageDataset validation, int samples, long seed = 1,
                                     ImageDataset? realImages = null)
    {
        this.space = space;
        this.kind = kind;
        this.realImages = realImages;
        var (features, probabilities) = space.Embed(validation.Images);
        probabilities?.Dispose();
        validationFeatures = features;
        this.samples = samples;
        this.seed = seed;
    }

    /// <inheritdoc/>
    public string SelectBy => kind.SelectBy;
    /// <inheritdoc/>
    public bool HigherIsBetter => kind.HigherIsBetter;

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, double> Evaluate(Games.GameProduct product)
    {
        using var scope = NewDisposeScope();
        using var rng = new TorchSharp.torch.Generator(unchecked((ulong)seed));
        return Values(FeatureEvaluation.CompareWithFeatures(space, product.Samples($"eval: '{kind.Name}'").Sample(samples, rng), validationFeatures, seed));
    }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, double> References()
    {
        if (references is not null || realImages is null) return references ?? new Dictionary<string, double>();
        using var scope = NewDisposeScope();
        var real = ImageDataset.ToUnitRange(realImages.Storage.narrow(0, 0, Math.Min(samples, realImages.Count)));   // [n, C, H, W]
        return references = Values(FeatureEvaluation.CompareWithFeatures(space, real, validationFeatures, seed));
    }

    Dictionary<string, double> Values(FeatureReport r)
    {
        var k = space.Key;
        var values = new Dictionary<string, double> { [$"fid{k}_valid"] = r.Frechet, [$"kid{k}_valid"] = r.Kernel.Mean };
        if (r.ClassifierScore is { } score) values[$"classifier_score{k}"] = score.Mean;
        values[$"precision{k}_valid"] = r.Precision;
        values[$"recall{k}_valid"] = r.Recall;
        values[$"density{k}_valid"] = r.Density;
        values[$"coverage{k}_valid"] = r.Coverage;
        return values;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        validationFeatures.Dispose();
        space.Dispose();
    }
}
