using GanSharp.Configuration;
using GanSharp.Data;
using static TorchSharp.torch;
using Discriminator = GanSharp.Models.Discriminator;
using IClassifyingDiscriminator = GanSharp.Models.IClassifyingDiscriminator;

namespace GanSharp.Evaluation;

/// <summary>A classifier's mistakes on labelled images: how many of how many (Salimans et al. report errors of 10,000).</summary>
/// <param name="Errors">Images whose most likely class is not their label.</param>
/// <param name="Images">Images classified.</param>
public sealed record ClassifierErrors(long Errors, long Images)
{
    /// <summary>The error rate, Errors / Images.</summary>
    public double Rate => (double)Errors / Images;
}

/// <summary>The test error of a discriminator that classifies (the semi-supervised GAN's D), in evaluation mode.</summary>
public static class ClassifierError
{
    /// <summary>
    /// Classifies <paramref name="data"/>'s images with <paramref name="d"/>'s class logits (argmax; no noise or dropout:
    /// evaluation mode), <paramref name="batch"/> at a time, and counts the mistakes against its labels.
    /// </summary>
    /// <exception cref="InputException">A D that does not classify, or images without labels.</exception>
    public static ClassifierErrors Of(Discriminator d, ImageDataset data, int batch = 1000)
    {
        var classifier = d as IClassifyingDiscriminator ?? throw new InputException("the discriminator does not classify (a semi-supervised or ACGAN run's does)");
        var labels = data.Labels ?? throw new InputException($"{data.Name} has no labels to count errors against");
        using var _ = inference_mode();
        bool wasTraining = d.training;
        d.eval();
        try
        {
            long errors = 0;
            var device = d.parameters().First().device;
            for (long start = 0; start < data.Count; start += batch)
            {
                using var scope = NewDisposeScope();
                long n = Math.Min(batch, data.Count - start);
                var x = ImageDataset.ToUnitRange(data.Storage.narrow(0, start, n)).to(device);
                var (_, classes) = classifier.Classify(x);                                     // [n, K]
                errors += classes.argmax(1).ne(labels.narrow(0, start, n).to(device)).sum().item<long>();
            }
            return new ClassifierErrors(errors, data.Count);
        }
        finally { d.train(wasTraining); }
    }
}

/// <summary>
/// The error of the game's classifying discriminator (<see cref="Games.GameProduct.Classifier"/>: the
/// semi-supervised GAN's average of D's weights, or D; ACGAN's D) during training: <c>classify_error_valid</c> on the
/// validation images, which ranks checkpoints, and <c>classify_error_test</c> on the test images (rates; ×10,000 for
/// the errors of 10,000 Salimans et al. report).
/// </summary>
public sealed class PeriodicClassifierError(ImageDataset validation, ImageDataset test) : Training.IPeriodicEvaluation
{
    /// <inheritdoc/>
    public string SelectBy => MetricRegistry.Classify.SelectBy;
    /// <inheritdoc/>
    public bool HigherIsBetter => MetricRegistry.Classify.HigherIsBetter;

    /// <inheritdoc/>
    /// <exception cref="InputException">A game whose discriminator does not classify.</exception>
    public IReadOnlyDictionary<string, double> Evaluate(Games.GameProduct product)
    {
        var d = product.Classifying("eval: 'classify'");
        return new Dictionary<string, double>
        {
            ["classify_error_valid"] = ClassifierError.Of(d, validation).Rate,
            ["classify_error_test"] = ClassifierError.Of(d, test).Rate,
        };
    }

    /// <inheritdoc/>
    public void Dispose() { }
}
