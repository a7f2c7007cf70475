namespace GanSharp.Evaluation;

/// <summary>
/// What every result file of <c>gan eval</c> records beside its measurement (snake_case keys, written by
/// <see cref="EvaluationFiles"/>): the metric, the dataset measured against, and where the measured images came from —
/// a checkpoint (its step, and whether sampling used the run's moving average of G) or a samples file.
/// </summary>
public abstract record EvaluationResult(string Metric, string Dataset)
{
    /// <summary>The checkpoint whose players were measured, or null for a samples file.</summary>
    public string? Checkpoint { get; init; }
    /// <summary>Which weights sampled: <c>moving-average</c> (the run kept one) or <c>trained</c>; null for a samples file.</summary>
    public string? GeneratorWeights { get; init; }
    /// <summary>The checkpoint's step, or null.</summary>
    public long? Step { get; init; }
    /// <summary>The seed of the samples drawn, or null where none were drawn.</summary>
    public long? Seed { get; init; }
    /// <summary>The samples file measured, or null.</summary>
    public string? SamplesFile { get; init; }
}

/// <summary>The Parzen-window log-likelihood of a test set (Table 1's protocol), as <c>gan eval parzen</c> writes it.</summary>
public sealed record ParzenResultFile(string Dataset, string TestSet, double LogLikelihood, double StandardError, double Sigma,
                                      IReadOnlyList<SigmaTrial> SigmaSearch, long Samples, long ValidationImages, long TestImages,
                                      double Seconds) : EvaluationResult("parzen", Dataset);

/// <summary>The feature metrics of samples and of real images (the reference) against a test set, as <c>gan eval features</c> writes them.</summary>
public sealed record FeaturesResultFile(string Dataset, string ReferenceSet, ClassifierInfo Classifier, FeatureReport Model,
                                        FeatureReport RealReference, long RealReferenceImages) : EvaluationResult("features", Dataset);

/// <summary>The feature metrics of samples and of real images against a test set in the ImageNet ResNet-18's features, as <c>gan eval resnet18</c> writes them.</summary>
public sealed record ResNet18ResultFile(string Dataset, string ReferenceSet, string Features, FeatureReport Model,
                                        FeatureReport RealReference, long RealReferenceImages) : EvaluationResult("resnet18", Dataset);

/// <summary>One feature space (its short name and what it is), its nearest-neighbour accuracy, and the accuracy of the classifier it comes from (null for the ResNet-18).</summary>
public sealed record FeatureSpaceRow(string Space, string Features, double? ClassifierAccuracy, double NearestNeighbourAccuracy);

/// <summary>How well each feature space tells a dataset's classes apart, as <c>gan eval feature-spaces</c> writes it.</summary>
public sealed record FeatureSpacesResultFile(string Dataset, string TestSet, long TestImages, long TrainingImages, IReadOnlyList<FeatureSpaceRow> Spaces)
    : EvaluationResult("feature-spaces", Dataset);

/// <summary>Precision against recall for each truncation of z, and real images' point, as <c>gan eval truncation</c> writes them.</summary>
public sealed record TruncationResultFile(string Dataset, string ReferenceSet, ClassifierInfo Classifier, int Samples,
                                          IReadOnlyList<TruncationPoint> Points, FeatureReport RealReference) : EvaluationResult("truncation", Dataset);

/// <summary>A conditional generator's class fidelity, as <c>gan eval classes</c> writes it.</summary>
public sealed record ClassesResultFile(string Dataset, string ReferenceSet, ClassifierInfo Classifier, ClassFidelityReport Report)
    : EvaluationResult("classes", Dataset);

/// <summary>
/// A classifying discriminator's test error, as <c>gan eval classify</c> writes it: its errors of the images, the
/// weights that classified (<c>average</c>, the semi-supervised game's running average of D, or <c>trained</c>), and
/// the labelled images of a semi-supervised run (null for another).
/// </summary>
public sealed record ClassifyResultFile(string Dataset, string TestSet, long Errors, long Images, double ErrorRate, string Weights, int? Labels)
    : EvaluationResult("classify", Dataset);

/// <summary>
/// Which real images stand beside a measurement as its reference — the policy of <c>gan eval</c> and of the periodic
/// evaluations alike: real images of the held-out split the measurement is <em>not</em> against (measured against the
/// test split, the validation images; against the validation split, the test images), never the classifier's own
/// training images (its features of them are distributed otherwise), as many as the samples.
/// </summary>
public static class RealReference
{
    /// <summary>The held-out split beside <paramref name="measuredAgainst"/>, or null when the data has no other.</summary>
    public static Data.ImageDataset? Beside(Data.DatasetSplits data, Data.ImageDataset measuredAgainst) =>
        ReferenceEquals(measuredAgainst, data.Test) ? data.Validation : data.Test;
}

/// <summary>
/// A text-to-image run's scores on captions (metric names: <c>Configuration.MetricRegistry.Text</c>), beside the real
/// images' R-precision (the ceiling) and chance, as <c>gan eval text</c> writes them.
/// </summary>
public sealed record TextResultFile(string Dataset, long TestImages, long TestCaptions, IReadOnlyDictionary<string, double> Scores,
                                    IReadOnlyDictionary<string, double> RealImages, double Chance, string Matcher, string Features)
    : EvaluationResult("text", Dataset);

/// <summary>
/// A translation run's scores on the held-out pairs, both ways, beside the identity baseline (the untranslated inputs
/// scored alike), as <c>gan eval translation</c> writes them (metric names: <c>Configuration.MetricRegistry.Translation</c>).
/// </summary>
public sealed record TranslationResultFile(string Dataset, long TestPairs, IReadOnlyDictionary<string, double> Scores,
                                           IReadOnlyDictionary<string, double> IdentityBaseline, double StyleProbeTestAccuracy,
                                           string Features) : EvaluationResult("translation", Dataset);
