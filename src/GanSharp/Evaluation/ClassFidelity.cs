using GanSharp.Configuration;
using GanSharp.Data;
using GanSharp.Training;
using static TorchSharp.torch;
using Generator = GanSharp.Models.Generator;

namespace GanSharp.Evaluation;

/// <summary>One class of a conditional generator, measured.</summary>
/// <param name="Label">The class asked for.</param>
/// <param name="Name">Its name.</param>
/// <param name="Accuracy">Share of the class's samples the feature classifier assigns to it.</param>
/// <param name="Features">
/// The class's samples against the reference images of that class, in the classifier's features (null: not measured, or
/// fewer than <see cref="ClassFidelity.MinimumForFeatures"/> images on a side).
/// </param>
public sealed record ClassFidelityRow(int Label, string Name, double Accuracy, FeatureReport? Features);

/// <summary>A conditional generator's class fidelity: per class, and over all classes.</summary>
/// <param name="Accuracy">Share of all samples classified as the class they were drawn for (every class drawn equally often).</param>
/// <param name="WorstAccuracy">The lowest class's accuracy.</param>
/// <param name="SamplesPerClass">Samples drawn for each class.</param>
/// <param name="Classes">Each class's row, in label order.</param>
public sealed record ClassFidelityReport(double Accuracy, double WorstAccuracy, long SamplesPerClass, IReadOnlyList<ClassFidelityRow> Classes);

/// <summary>
/// Whether a conditional generator draws the class it is asked for: <c>n</c> samples of each class, classified by the
/// dataset's <see cref="FeatureClassifier"/> — the share assigned to the requested class, per class and overall (ACGAN's
/// and cGAN papers' "class fidelity", here in GanSharp's classifier, whose own test accuracy bounds what it can see) —
/// and, per class, the feature metrics of those samples against the reference images of that class.
/// </summary>
public static class ClassFidelity
{
    /// <summary>Images a class needs on both sides for its feature metrics: density and coverage look at 5 neighbours.</summary>
    public const int MinimumForFeatures = 6;

    /// <summary>
    /// Measures <paramref name="generator"/> with <paramref name="classifier"/>: <paramref name="perClass"/> samples of each
    /// class from a generator seeded with <paramref name="seed"/>; with <paramref name="reference"/> (labelled images,
    /// e.g. the test split) also each class's feature metrics against that class's reference images.
    /// </summary>
    /// <exception cref="InputException">An unconditional generator, or a classifier (or reference) of other classes.</exception>
    public static ClassFidelityReport Measure(FeatureClassifier classifier, Generator generator, int perClass, long seed = 1, ImageDataset? reference = null)
    {
        int k = generator.Classes;
        if (k == 0) throw new InputException("class fidelity needs a conditional generator; this one draws no class on request");
        if (classifier.Classes != k)
            throw new InputException($"the generator has {k} classes but the feature classifier tells {classifier.Classes} apart: evaluate on the run's own dataset");
        if (perClass < 1) throw new InputException($"the samples per class must be positive (got {perClass})");
        if (reference is not null && reference.Labels is null) throw new InputException($"{reference.Name} has no labels to measure each class against");
        using var scope = NewDisposeScope();
        using var rng = new TorchSharp.torch.Generator(unchecked((ulong)seed));
        Tensor? referenceFeatures = null, referenceLabels = null;
        if (reference is not null)
        {
            var (features, probabilities) = classifier.Embed(reference.Images);   // [R, 128]
            probabilities.Dispose();
            referenceFeatures = features;
            referenceLabels = reference.Labels!.to(features.device);
        }
        var rows = new List<ClassFidelityRow>();
        for (int label = 0; label < k; label++)
        {
            using var classScope = NewDisposeScope();
            var samples = generator.SampleClass(perClass, label, rng: rng);                  // [n, C, H, W]
            var (features, probabilities) = classifier.Embed(samples);                      // [n, 128], [n, K]
            double accuracy = probabilities.argmax(1).eq(label).to_type(ScalarType.Float64).mean().item<double>();
            FeatureReport? report = null;
            if (referenceFeatures is not null)
            {
                var own = referenceFeatures.index_select(0, referenceLabels!.eq(label).nonzero().view(-1));  // [R_k, 128]
                if (own.shape[0] >= MinimumForFeatures && perClass >= MinimumForFeatures)
                    report = FeatureEvaluation.Compare(features, probabilities, own, seed);
            }
            rows.Add(new ClassFidelityRow(label, generator.Config.ClassName(label), accuracy, report));
        }
        return new ClassFidelityReport(rows.Average(r => r.Accuracy), rows.Min(r => r.Accuracy), perClass, rows);
    }
}

/// <summary>
/// Class fidelity as a measurement during training: 1,000 samples of each class (the same noise every time), classified.
/// Values: <c>class_accuracy</c> (over all classes; it ranks checkpoints, higher is better) and <c>class_accuracy_worst</c>
/// (the lowest class's). Touches no held-out images.
/// </summary>
public sealed class PeriodicClassFidelity(FeatureClassifier classifier, int perClass = 1_000, long seed = 1) : IPeriodicEvaluation
{
    /// <inheritdoc/>
    public string SelectBy => MetricRegistry.Classes.SelectBy;
    /// <inheritdoc/>
    public bool HigherIsBetter => MetricRegistry.Classes.HigherIsBetter;

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, double> Evaluate(Games.GameProduct product)
    {
        var r = ClassFidelity.Measure(classifier, product.ClassSamples("eval: 'classes'"), perClass, seed);
        return new Dictionary<string, double> { ["class_accuracy"] = r.Accuracy, ["class_accuracy_worst"] = r.WorstAccuracy };
    }

    /// <inheritdoc/>
    public void Dispose() => classifier.Dispose();
}
