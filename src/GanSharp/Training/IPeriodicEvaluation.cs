using GanSharp.Models;

namespace GanSharp.Training;

/// <summary>
/// What a periodic evaluation measures: the generator that samples (the moving average of G when the run keeps one)
/// and, in a game whose discriminator classifies, that classifier (the semi-supervised GAN's average of D's weights, or
/// D; ACGAN's D); null where the game has none.
/// </summary>
public sealed record EvaluationSubject(Generator Generator, Discriminator? Classifier = null);

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
    /// <summary>Measures <paramref name="subject"/>; the result holds <see cref="SelectBy"/> among its named values.</summary>
    IReadOnlyDictionary<string, double> Evaluate(EvaluationSubject subject);

    /// <summary>
    /// What the same measurement gives real images in place of samples (held-out images against the same reference set),
    /// under the same names: the line a curve of <see cref="Evaluate"/> approaches. Empty where the measurement has none.
    /// Measured once, when first asked; a run writes it to <c>eval/references.json</c>.
    /// </summary>
    IReadOnlyDictionary<string, double> References() => new Dictionary<string, double>();
}
