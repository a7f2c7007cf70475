using GanSharp.Games;

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
    /// <summary>
    /// Measures what <paramref name="product"/> draws (the moving average of G where the run keeps one; the classifier of
    /// a game that trains one), asking it for the kind it needs; the result holds <see cref="SelectBy"/> among its named values.
    /// </summary>
    /// <exception cref="InputException">The product does not supply what the measurement needs.</exception>
    IReadOnlyDictionary<string, double> Evaluate(GameProduct product);

    /// <summary>
    /// What the same measurement gives real images in place of samples (held-out images against the same reference set),
    /// under the same names: the line a curve of <see cref="Evaluate"/> approaches. Empty where the measurement has none.
    /// Measured once, when first asked; a run writes it to <c>eval/references.json</c>.
    /// </summary>
    IReadOnlyDictionary<string, double> References() => new Dictionary<string, double>();
}
