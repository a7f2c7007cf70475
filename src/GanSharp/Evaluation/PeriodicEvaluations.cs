using GanSharp.Data;
using GanSharp.Models;
using GanSharp.Training;

namespace GanSharp.Evaluation;

/// <summary>Builds the measurements a run's configuration names (<see cref="OutputConfig.Eval"/>).</summary>
public static class PeriodicEvaluations
{
    /// <summary>Metric names <see cref="Create"/> knows.</summary>
    public static readonly string[] Known = ["parzen"];

    /// <summary>
    /// The measurements named in <paramref name="names"/>, over <paramref name="data"/>'s held-out images, as one
    /// evaluation whose values are all of theirs; the first one's value picks the best checkpoint.
    /// </summary>
    /// <exception cref="InputException">No name, an unknown name, or data a metric cannot use.</exception>
    public static IPeriodicEvaluation Create(IReadOnlyList<string> names, DatasetSplits data)
    {
        if (names.Count == 0) throw new InputException($"name at least one evaluation (known: {string.Join(", ", Known)})");
        var parts = names.Select(name => Create(name, data)).ToArray();
        return parts.Length == 1 ? parts[0] : new Together(parts);
    }

    static IPeriodicEvaluation Create(string name, DatasetSplits data) => name switch
    {
        "parzen" => new ParzenEvaluation(data.Validation.Images,
            (data.Test ?? throw new InputException($"the parzen evaluation needs test images, and {data.Train.Name} has none")).Images),
        _ => throw new InputException($"unknown evaluation '{name}' (known: {string.Join(", ", Known)})"),
    };

    sealed class Together(IPeriodicEvaluation[] parts) : IPeriodicEvaluation
    {
        public string SelectBy => parts[0].SelectBy;
        public bool HigherIsBetter => parts[0].HigherIsBetter;

        public IReadOnlyDictionary<string, double> Evaluate(Generator generator) =>
            parts.SelectMany(p => p.Evaluate(generator)).ToDictionary();

        public void Dispose()
        {
            foreach (var p in parts) p.Dispose();
        }
    }
}
