using GanSharp.Configuration;
using GanSharp.Data;
using GanSharp.Training;
using static TorchSharp.torch;
using Generator = GanSharp.Models.Generator;

namespace GanSharp.Evaluation;

/// <summary>Every feature-space metric of one set of images against a reference set, in the classifier's features.</summary>
/// <param name="Frechet">Fréchet distance (FID's formula; lower is better).</param>
/// <param name="Kernel">Kernel distance (KID: unbiased MMD², cubic kernel; mean ± std over subsets; lower is better).</param>
/// <param name="ClassifierScore">Classifier score of the images alone (Inception score's formula; higher is better, at most the class count).</param>
/// <param name="Precision">Share of the images inside the reference manifold (k = 3).</param>
/// <param name="Recall">Share of the reference inside the images' manifold (k = 3).</param>
/// <param name="Density">Density (k = 5; about 1 for images distributed like the reference).</param>
/// <param name="Coverage">Coverage (k = 5): share of reference neighbourhoods holding an image.</param>
/// <param name="Images">Images measured.</param>
/// <param name="ReferenceImages">Reference images.</param>
public sealed record FeatureReport(double Frechet, Estimate Kernel, Estimate ClassifierScore, double Precision, double Recall,
                                   double Density, double Coverage, long Images, long ReferenceImages);

/// <summary>Measures images against a reference set in a <see cref="FeatureClassifier"/>'s features.</summary>
public static class FeatureEvaluation
{
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

    /// <summary>All metrics from features already computed (<paramref name="probabilities"/> belong to <paramref name="features"/>).</summary>
    public static FeatureReport Compare(Tensor features, Tensor probabilities, Tensor referenceFeatures, long seed = 1)
    {
        using var rng = new TorchSharp.torch.Generator(unchecked((ulong)seed));
        var (precision, recall) = FeatureMetrics.PrecisionRecall(referenceFeatures, features, k: 3);
        var (density, coverage) = FeatureMetrics.DensityCoverage(referenceFeatures, features, k: 5);
        return new FeatureReport(
            FeatureMetrics.FrechetDistance(features, referenceFeatures),
            FeatureMetrics.KernelDistance(features, referenceFeatures, rng),
            FeatureMetrics.ClassifierScore(probabilities, splits: (int)Math.Min(10, probabilities.shape[0])),
            precision, recall, density, coverage, features.shape[0], referenceFeatures.shape[0]);
    }
}

/// <summary>
/// The feature metrics as a measurement during training: 10,000 samples (the same noise every time) against the
/// validation images, so that ranking checkpoints by <c>fid_valid</c> never looks at the test set. Values:
/// <c>fid_valid</c>, <c>kid_valid</c>, <c>classifier_score</c>, <c>precision_valid</c>, <c>recall_valid</c>,
/// <c>density_valid</c>, <c>coverage_valid</c>.
/// </summary>
public sealed class PeriodicFeatureEvaluation : IPeriodicEvaluation
{
    private readonly FeatureClassifier classifier;
    private readonly Tensor validationFeatures;  // [V, 128]
    private readonly int samples;
    private readonly long seed;
    private readonly ImageDataset? realImages;
    private IReadOnlyDictionary<string, double>? references;

    /// <summary>
    /// Embeds the validation images once; <paramref name="classifier"/> is owned from here on. With
    /// <paramref name="realImages"/> (images the classifier was not trained on, e.g. the test split: its features of its
    /// own training images are distributed otherwise), <see cref="References"/> measures their first images (as many as
    /// the samples) in place of samples.
    /// </summary>
    public PeriodicFeatureEvaluation(FeatureClassifier classifier, ImageDataset validation, int samples = 10_000, long seed = 1,
                                     ImageDataset? realImages = null)
    {
        this.classifier = classifier;
        this.realImages = realImages;
        var (features, probabilities) = classifier.Embed(validation.Images);
        probabilities.Dispose();
        validationFeatures = features;
        this.samples = samples;
        this.seed = seed;
    }

    /// <inheritdoc/>
    public string SelectBy => MetricRegistry.Features.SelectBy;
    /// <inheritdoc/>
    public bool HigherIsBetter => MetricRegistry.Features.HigherIsBetter;

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, double> Evaluate(Games.GameProduct product)
    {
        using var scope = NewDisposeScope();
        using var rng = new TorchSharp.torch.Generator(unchecked((ulong)seed));
        return Values(FeatureEvaluation.CompareWithFeatures(classifier, product.Samples("eval: 'features'").Sample(samples, rng), validationFeatures, seed));
    }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, double> References()
    {
        if (references is not null || realImages is null) return references ?? new Dictionary<string, double>();
        using var scope = NewDisposeScope();
        var real = ImageDataset.ToUnitRange(realImages.Storage.narrow(0, 0, Math.Min(samples, realImages.Count)));   // [n, C, H, W]
        return references = Values(FeatureEvaluation.CompareWithFeatures(classifier, real, validationFeatures, seed));
    }

    static Dictionary<string, double> Values(FeatureReport r) =>
        new()
        {
            ["fid_valid"] = r.Frechet, ["kid_valid"] = r.Kernel.Mean, ["classifier_score"] = r.ClassifierScore.Mean,
            ["precision_valid"] = r.Precision, ["recall_valid"] = r.Recall, ["density_valid"] = r.Density, ["coverage_valid"] = r.Coverage,
        };

    /// <inheritdoc/>
    public void Dispose()
    {
        validationFeatures.Dispose();
        classifier.Dispose();
    }
}
