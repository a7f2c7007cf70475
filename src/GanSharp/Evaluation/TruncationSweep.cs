using static TorchSharp.torch;
using Generator = GanSharp.Models.Generator;

namespace GanSharp.Evaluation;

/// <summary>One truncation value and what the generator's samples scored at it.</summary>
public sealed record TruncationPoint(double Truncation, FeatureReport Report);

/// <summary>
/// The truncation trade-off: samples drawn from ever narrower noise gain fidelity (precision, classifier score) and
/// lose diversity (recall, coverage). Each value draws its samples from the same seed.
/// </summary>
public static class TruncationSweep
{
    /// <summary>
    /// Scores <paramref name="count"/> samples of <paramref name="generator"/> at each of <paramref name="values"/>
    /// against <paramref name="reference"/> images, in <paramref name="classifier"/>'s features.
    /// </summary>
    public static IReadOnlyList<TruncationPoint> Run(Generator generator, FeatureClassifier classifier, Tensor reference,
                                                     IReadOnlyList<double> values, int count = 10_000, long seed = 1)
    {
        using var scope = NewDisposeScope();
        var (referenceFeatures, _) = classifier.Embed(reference);
        var points = new List<TruncationPoint>();
        foreach (var t in values)
        {
            using var inner = NewDisposeScope();
            using var rng = new TorchSharp.torch.Generator(unchecked((ulong)seed));
            points.Add(new TruncationPoint(t, FeatureEvaluation.CompareWithFeatures(classifier, generator.Sample(count, t, rng), referenceFeatures, seed)));
        }
        return points;
    }
}
