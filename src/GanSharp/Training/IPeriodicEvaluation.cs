using GanSharp.Models;

namespace GanSharp.Training;

/// <summary>
/// A measurement of the generator taken while it trains (every <see cref="Configuration.OutputConfig.EvalEvery"/> iterations). Its
/// values go to metrics.jsonl and TensorBoard; <see cref="SelectBy"/> picks the checkpoint kept as best.ckpt.
/// </summary>
public interface IPeriodicEvaluation : IDisposable
{
    /// <summary>The value that ranks checkpoints (it must not be measured on test images).</summary>
    string SelectBy { get; }
    /// <summary>Whether a higher <see cref="SelectBy"/> is better.</summary>
    bool HigherIsBetter { get; }
    /// <summary>Measures <paramref name="generator"/>; the result holds <see cref="SelectBy"/> among its named values.</summary>
    IReadOnlyDictionary<string, double> Evaluate(Generator generator);
}
