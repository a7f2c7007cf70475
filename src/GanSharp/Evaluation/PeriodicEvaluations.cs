using GanSharp.Data;
using GanSharp.Models;
using GanSharp.Configuration;
using GanSharp.Training;

namespace GanSharp.Evaluation;

/// <summary>Builds the measurements a run's configuration names (<see cref="OutputConfig.Eval"/>).</summary>
public static class PeriodicEvaluations
{
    /// <summary>
    /// Samples the <c>resnet18</c> evaluation measures each time: 2,000, where the own classifier's takes 10,000 — the
    /// ResNet-18 at 224×224 embeds about 20 images a second on one core of the machines of docs/performance.md.
    /// </summary>
    public const int ResNet18Samples = 2_000;

    /// <summary>The evaluations' names (<see cref="MetricRegistry.Names"/>).</summary>
    public static IReadOnlyList<string> Known => MetricRegistry.Names;

    /// <summary>
    /// The measurements named in <paramref name="names"/>, over <paramref name="data"/>'s held-out images, as one
    /// evaluation whose values are all of theirs; the first one's value picks the best checkpoint.
    /// </summary>
    /// <exception cref="InputException">No name, an unknown name, or data a metric cannot use.</exception>
    /// <param name="names">Metric names (see <see cref="Known"/>).</param>
    /// <param name="data">The run's data.</param>
    /// <param name="dataDir">Cache folder of the feature classifier (default: the dataset cache).</param>
    /// <param name="progress">Reports the classifier's training, if it has to be trained first.</param>
    public static IPeriodicEvaluation Create(IReadOnlyList<string> names, DatasetSplits data, string? dataDir = null,
                                             IProgress<string>? progress = null) => Create(names, RunData.Of(data), dataDir, progress);

    /// <summary>The measurements named in <paramref name="names"/> of a run on <paramref name="data"/> (one dataset, or two domains).</summary>
    /// <exception cref="InputException">No name, an unknown name, or data a metric cannot use.</exception>
    public static IPeriodicEvaluation Create(IReadOnlyList<string> names, RunData data, string? dataDir = null, IProgress<string>? progress = null)
    {
        if (names.Count == 0) throw new InputException($"name at least one evaluation (known: {string.Join(", ", Known)})");
        foreach (var name in names) MetricRegistry.Evaluation(name);   // an unknown name, before any classifier is trained
        var parts = new List<IPeriodicEvaluation>();
        try
        {
            foreach (var name in names) parts.Add(Create(name, data, dataDir, progress));
        }
        catch
        {
            foreach (var p in parts) p.Dispose();
            throw;
        }
        return parts.Count == 1 ? parts[0] : new Together([.. parts]);
    }

    static IPeriodicEvaluation Create(string name, RunData run, string? dataDir, IProgress<string>? progress) => name switch
    {
        "translation" => Translation(run.Domains ?? throw new InputException("the translation evaluation measures a run between two domains"), dataDir, progress),
        "text" => Text(run.Captioned ?? throw new InputException("the text evaluation measures a text-to-image run on captioned images"), dataDir, progress),
        _ => Create(name, run.Dataset ?? throw new InputException($"the {name} evaluation measures samples of one dataset, not translations between two domains"), dataDir, progress),
    };

    /// <summary>The translation evaluation of <paramref name="data"/>: the ImageNet ResNet-18 loaded, the style probe trained or read from the cache.</summary>
    public static TranslationEvaluation Translation(TwoDomainData data, string? dataDir = null, IProgress<string>? progress = null) =>
        InResNet18(features => StyleProbe.ForDomains(data, features, dataDir, progress), (features, style) => new TranslationEvaluation(data, features, style));

    /// <summary>The text evaluation of <paramref name="data"/>: the ImageNet ResNet-18 loaded, the text matcher trained or read from the cache, the real images' features kept in <see cref="FeatureCache"/>.</summary>
    public static TextEvaluation Text(CaptionedData data, string? dataDir = null, IProgress<string>? progress = null) =>
        InResNet18(features => TextMatcher.ForData(data, features, dataDir, progress), (features, matcher) => new TextEvaluation(data, features, matcher, cache: FeatureCache.In(dataDir)));

    /// <summary>
    /// An evaluation in the ImageNet ResNet-18's features: the net loaded, a model of its own built on them (trained or
    /// read from the cache), then the evaluation, which owns both; on any failure both are disposed.
    /// </summary>
    static T InResNet18<T, TModel>(Func<ResNet18Features, TModel> model, Func<ResNet18Features, TModel, T> evaluation) where TModel : class, IDisposable
    {
        var features = new ResNet18Features();
        TModel? built = null;
        try
        {
            built = model(features);
            return evaluation(features, built);
        }
        catch
        {
            features.Dispose();
            built?.Dispose();
            throw;
        }
    }

    static IPeriodicEvaluation Create(string name, DatasetSplits data, string? dataDir, IProgress<string>? progress) => name switch
    {
        "features" => new PeriodicFeatureEvaluation(FeatureClassifier.ForDataset(data, dataDir, progress).Net, data.Validation,
                                                    realImages: RealReference.Beside(data, data.Validation)),
        "resnet18" => new PeriodicFeatureEvaluation(FeatureSpace.Of(new ResNet18Features()), MetricRegistry.ResNet18, data.Validation,
                                                    ResNet18Samples, realImages: RealReference.Beside(data, data.Validation)),
        "classes" => new PeriodicClassFidelity(FeatureClassifier.ForDataset(data, dataDir, progress).Net),
        "classify" => new PeriodicClassifierError(data.Validation,
            data.Test ?? throw new InputException($"the classify evaluation needs test images, and {data.Train.Name} has none")),
        "parzen" => new ParzenEvaluation(data.Validation.Images,
            (data.Test ?? throw new InputException($"the parzen evaluation needs test images, and {data.Train.Name} has none")).Images),
        _ => throw new InputException(MetricRegistry.Unknown(name)),
    };

    sealed class Together(IPeriodicEvaluation[] parts) : IPeriodicEvaluation
    {
        public string SelectBy => parts[0].SelectBy;
        public bool HigherIsBetter => parts[0].HigherIsBetter;

        public IReadOnlyDictionary<string, double> Evaluate(Games.GameProduct product) =>
            parts.SelectMany(p => p.Evaluate(product)).ToDictionary();

        public IReadOnlyDictionary<string, double> References() => parts.SelectMany(p => p.References()).ToDictionary();

        public void Dispose()
        {
            foreach (var p in parts) p.Dispose();
        }
    }
}
