namespace GanSharp.Configuration;

/// <summary>Which way a metric is better.</summary>
public enum Better
{
    /// <summary>Higher values are better (a log-likelihood, a precision).</summary>
    Higher,
    /// <summary>Lower values are better (a distance, an error rate).</summary>
    Lower,
    /// <summary>Neither: a diagnostic (a kernel width, a density whose ideal is 1, a standard error).</summary>
    Neither,
}

/// <summary>A value an evaluation measures, as metrics.jsonl, TensorBoard, tables and plots name it.</summary>
/// <param name="Name">Its key (<c>fid_valid</c>).</param>
/// <param name="Label">Its name for people, with ↑ or ↓ where one way is better (<c>Fréchet ↓</c>).</param>
/// <param name="Better">Which way is better.</param>
/// <param name="Tabulated">Whether summary tables show it (a standard error goes beside its value, not in a column).</param>
public sealed record Metric(string Name, string Label, Better Better, bool Tabulated = true);

/// <summary>
/// An evaluation as <c>--eval NAME</c> and <c>gan eval NAME</c> name it: what it needs a run's game to supply, the
/// metrics it writes, and the one that ranks checkpoints (never measured on test images).
/// </summary>
/// <param name="Name">Its name (<c>features</c>).</param>
/// <param name="Needs">What it draws from a run (for messages): samples from noise, samples for a class, a classifier.</param>
/// <param name="Metrics">What it writes, in order.</param>
/// <param name="SelectBy">The metric that picks checkpoints/best.ckpt.</param>
/// <param name="Refuses">The line that refuses a run's configuration this evaluation cannot measure, or null when it can.</param>
public sealed record EvaluationKind(string Name, string Needs, IReadOnlyList<Metric> Metrics, string SelectBy, Func<GanConfig, string?> Refuses)
{
    /// <summary>Whether a higher <see cref="SelectBy"/> is better.</summary>
    public bool HigherIsBetter => Metrics.Single(m => m.Name == SelectBy).Better == Better.Higher;
}

/// <summary>
/// The one list of evaluations and their metrics: <c>gan eval</c>, the periodic evaluations (their best-checkpoint rule),
/// the sweep's tables and plots, <c>gan compare</c> and configuration checks all read it, so a new metric is named once.
/// </summary>
public static class MetricRegistry
{
    /// <summary>The paper's Parzen-window log-likelihood (Table 1's protocol).</summary>
    public static readonly EvaluationKind Parzen = new("parzen", "samples from noise",
    [
        new("parzen_test", "Parzen ↑", Better.Higher), new("parzen_test_se", "Parzen standard error", Better.Neither, Tabulated: false),
        new("parzen_sigma", "Parzen σ", Better.Neither, Tabulated: false), new("parzen_valid", "Parzen (validation) ↑", Better.Higher, Tabulated: false),
    ], "parzen_valid", run => FromNoise(run, "parzen"));

    /// <summary>Feature-space metrics in the dataset's classifier's features, against validation images.</summary>
    public static readonly EvaluationKind Features = new("features", "samples from noise",
    [
        new("fid_valid", "Fréchet ↓", Better.Lower), new("kid_valid", "kernel distance ↓", Better.Lower),
        new("precision_valid", "precision ↑", Better.Higher), new("recall_valid", "recall ↑", Better.Higher),
        new("density_valid", "density", Better.Neither), new("coverage_valid", "coverage ↑", Better.Higher),
        new("classifier_score", "classifier score ↑", Better.Higher),
    ], "fid_valid", run => FromNoise(run, "features"));

    /// <summary>
    /// The same feature metrics in the ImageNet-trained ResNet-18's features (<c>Evaluation.ResNet18Features</c>), against
    /// validation images: a space no GanSharp training chose, for colour images above all. Named <c>_resnet18</c> so that
    /// nobody takes them for Inception-based numbers (FID, KID).
    /// </summary>
    public static readonly EvaluationKind ResNet18 = new("resnet18", "samples from noise",
    [
        new("fid_resnet18_valid", "Fréchet (ResNet-18) ↓", Better.Lower), new("kid_resnet18_valid", "kernel distance (ResNet-18) ↓", Better.Lower),
        new("precision_resnet18_valid", "precision (ResNet-18) ↑", Better.Higher), new("recall_resnet18_valid", "recall (ResNet-18) ↑", Better.Higher),
        new("density_resnet18_valid", "density (ResNet-18)", Better.Neither), new("coverage_resnet18_valid", "coverage (ResNet-18) ↑", Better.Higher),
    ], "fid_resnet18_valid", run => FromNoise(run, "resnet18"));

    /// <summary>A conditional generator's class fidelity: how many samples of each class the feature classifier assigns to it.</summary>
    public static readonly EvaluationKind Classes = new("classes", "samples for a class (a conditional generator)",
    [
        new("class_accuracy", "class fidelity ↑", Better.Higher), new("class_accuracy_worst", "worst class ↑", Better.Higher),
    ], "class_accuracy",
        run => run.Model.Conditional ? null : "eval: 'classes' measures a conditional generator's classes, and this model is not conditional");

    /// <summary>The error of a classifying discriminator (the semi-supervised GAN's, ACGAN's).</summary>
    public static readonly EvaluationKind Classify = new("classify", "a discriminator that classifies",
    [
        new("classify_error_valid", "classifier error (validation) ↓", Better.Lower), new("classify_error_test", "classifier error ↓", Better.Lower),
    ], "classify_error_valid",
        run => run.Model.Conditioning is Conditioning.Classifier or Conditioning.AuxiliaryClassifier ? null
            : "eval: 'classify' measures a discriminator that classifies (a semi-supervised or ACGAN model's), and this model's does not");

    /// <summary>
    /// A translation run's translations against the true counterparts of held-out pairs, both ways, beside the identity
    /// baseline (<c>Evaluation.TranslationEvaluation</c>): pixel and ImageNet ResNet-18 feature distances, retrieval,
    /// style accuracy, Fréchet distance in those features, and the cycle's L1.
    /// </summary>
    public static readonly EvaluationKind Translation = new("translation", "translations both ways (a translation run)",
    [
        .. new[] { "x_to_y", "y_to_x" }.SelectMany(d => new Metric[]
        {
            new($"translation_l1_{d}", $"pixel L1 {Arrow(d)} ↓", Better.Lower), new($"translation_feature_{d}", $"feature distance {Arrow(d)} ↓", Better.Lower),
            new($"retrieval_top1_{d}", $"retrieval top-1 {Arrow(d)} ↑", Better.Higher), new($"retrieval_top5_{d}", $"retrieval top-5 {Arrow(d)} ↑", Better.Higher),
            new($"style_accuracy_{d}", $"style accuracy {Arrow(d)} ↑", Better.Higher), new($"fid_resnet18_{d}", $"Fréchet (ResNet-18) {Arrow(d)} ↓", Better.Lower),
            new($"cycle_l1_{d}", $"cycle L1 {Arrow(d)}", Better.Neither, Tabulated: false),
        }),
        new("retrieval_top1_valid", "retrieval top-1 (validation) ↑", Better.Higher, Tabulated: false),
        new("style_classifier_accuracy", "style classifier accuracy", Better.Neither, Tabulated: false),
    ], "retrieval_top1_valid",
        run => run.Data is TwoDomainsConfig { Split: DomainSplit.EmojiPairs } ? null
            : "eval: 'translation' measures translations against their true counterparts, which only paired domains have (data split emoji-pairs)");

    /// <summary>
    /// A text-to-image run on captions (<c>Evaluation.TextEvaluation</c>): R-precision against 99 captions of other emoji
    /// in a matching model trained on real training images (chance 1%), and Fréchet distances in the ImageNet ResNet-18's
    /// features, on the held-out test emoji, the validation emoji (which pick the best checkpoint) and training emoji.
    /// </summary>
    public static readonly EvaluationKind Text = new("text", "images from text (a text-to-image run)",
    [
        new("r_precision_test", "R-precision (held-out emoji) ↑", Better.Higher), new("r_precision_train", "R-precision (training emoji) ↑", Better.Higher),
        new("text_fid_resnet18_test", "Fréchet (ResNet-18, held-out) ↓", Better.Lower), new("text_fid_resnet18_train", "Fréchet (ResNet-18, training) ↓", Better.Lower),
        new("text_fid_resnet18_stage1_test", "Stage-I Fréchet (ResNet-18, held-out) ↓", Better.Lower, Tabulated: false),
        new("text_fid_resnet18_stage1_train", "Stage-I Fréchet (ResNet-18, training) ↓", Better.Lower, Tabulated: false),
        new("text_precision_resnet18_test", "precision (ResNet-18, held-out) ↑", Better.Higher), new("text_recall_resnet18_test", "recall (ResNet-18, held-out) ↑", Better.Higher),
        new("text_precision_resnet18_train", "precision (ResNet-18, training) ↑", Better.Higher, Tabulated: false),
        new("text_recall_resnet18_train", "recall (ResNet-18, training) ↑", Better.Higher, Tabulated: false),
        new("text_precision_resnet18_stage1_test", "Stage-I precision (ResNet-18, held-out) ↑", Better.Higher, Tabulated: false),
        new("text_recall_resnet18_stage1_test", "Stage-I recall (ResNet-18, held-out) ↑", Better.Higher, Tabulated: false),
        new("text_precision_resnet18_stage1_train", "Stage-I precision (ResNet-18, training) ↑", Better.Higher, Tabulated: false),
        new("text_recall_resnet18_stage1_train", "Stage-I recall (ResNet-18, training) ↑", Better.Higher, Tabulated: false),
        new("category_accuracy_test", "category accuracy (held-out) ↑", Better.Higher), new("category_accuracy_train", "category accuracy (training) ↑", Better.Higher),
        new("skin_tone_accuracy_test", "skin-tone accuracy (held-out) ↑", Better.Higher), new("skin_tone_accuracy_train", "skin-tone accuracy (training) ↑", Better.Higher),
        new("category_accuracy_valid", "category accuracy (validation) ↑", Better.Higher, Tabulated: false),
        new("skin_tone_accuracy_valid", "skin-tone accuracy (validation) ↑", Better.Higher, Tabulated: false),
        new("r_precision_valid", "R-precision (validation) ↑", Better.Higher, Tabulated: false),
        new("text_fid_resnet18_valid", "Fréchet (ResNet-18, validation) ↓", Better.Lower, Tabulated: false),
        new("text_fid_resnet18_stage1_valid", "Stage-I Fréchet (ResNet-18, validation) ↓", Better.Lower, Tabulated: false),
        new("text_precision_resnet18_valid", "precision (ResNet-18, validation) ↑", Better.Higher, Tabulated: false),
        new("text_recall_resnet18_valid", "recall (ResNet-18, validation) ↑", Better.Higher, Tabulated: false),
        new("text_precision_resnet18_stage1_valid", "Stage-I precision (ResNet-18, validation) ↑", Better.Higher, Tabulated: false),
        new("text_recall_resnet18_stage1_valid", "Stage-I recall (ResNet-18, validation) ↑", Better.Higher, Tabulated: false),
    ], "r_precision_valid",
        run => run.Data is CaptionedConfig && run.Game is StackedConfig ? null : "eval: 'text' measures images drawn from captions, which only a text-to-image run (game stacked) draws");

    static string Arrow(string direction) => direction == "x_to_y" ? "X→Y" : "Y→X";

    /// <summary>The refusal of an evaluation of samples from noise for nets that draw none (translators).</summary>
    static string? FromNoise(GanConfig run, string name) =>
        run.Data is CaptionedConfig ? $"eval: '{name}' measures samples from noise, and this run draws images from text (use 'text')"
        : run.Model.DrawsFromNoise ? null
        : $"eval: '{name}' measures samples from noise, and the {Kinds.NameOf(run.Model)} model's nets translate images";

    /// <summary>Every evaluation, in the order help texts list them.</summary>
    public static IReadOnlyList<EvaluationKind> Evaluations { get; } = [Parzen, Features, ResNet18, Classes, Classify, Translation, Text];

    /// <summary>Every metric, evaluation by evaluation.</summary>
    public static IReadOnlyList<Metric> Metrics { get; } = [.. Evaluations.SelectMany(e => e.Metrics)];

    /// <summary>The evaluations' names.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Evaluations.Select(e => e.Name)];

    /// <summary>The evaluation called <paramref name="name"/>.</summary>
    /// <exception cref="InputException">No such evaluation.</exception>
    public static EvaluationKind Evaluation(string name) =>
        Evaluations.FirstOrDefault(e => e.Name == name) ?? throw new InputException(Unknown(name));

    /// <summary>The line that refuses an evaluation name nobody knows.</summary>
    public static string Unknown(string name) => $"unknown evaluation '{GanSharp.Text.Short(name)}' (known: {string.Join(", ", Names)})";

    /// <summary>The metric called <paramref name="name"/>, or null.</summary>
    public static Metric? Find(string name) => Metrics.FirstOrDefault(m => m.Name == name);

    /// <summary>The label of <paramref name="name"/> in tables and plots (its name where it is not registered).</summary>
    public static string Label(string name) => Find(name)?.Label ?? name;

    /// <summary>The problems of a run's evaluations: names nobody knows, and evaluations its model cannot give.</summary>
    public static IEnumerable<string> Problems(GanConfig run)
    {
        if (!run.Output.Evaluates) yield break;
        foreach (var name in run.Output.Eval)
        {
            if (Evaluations.FirstOrDefault(e => e.Name == name) is not { } kind) yield return $"eval: {Unknown(name)}";
            else if (kind.Refuses(run) is { } refusal) yield return refusal;
        }
    }
}
