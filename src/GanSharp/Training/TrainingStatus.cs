namespace GanSharp.Training;

/// <summary>
/// Where a run is, for progress displays: the step and the game's named scalars of the last iteration, the training CPU
/// time so far, and the fraction done (of its iterations, or of its CPU budget when that is nearer its end).
/// </summary>
public sealed record TrainingStatus(
    long Step, long TotalSteps, double Epoch, IReadOnlyDictionary<string, double> Scalars,
    double LearningRate, double Momentum, double ImagesPerSecond, TimeSpan Elapsed,
    double TrainingCpuSeconds = 0, double? CpuBudgetSeconds = null)
{
    /// <summary>Whether the run has a length in iterations (not only a CPU budget).</summary>
    public bool Bounded => TotalSteps != long.MaxValue;

    /// <summary>The fraction of the run done, 0 to 1: of its iterations, or of its CPU budget, whichever is further.</summary>
    public double Fraction => Math.Clamp(Math.Max(Bounded ? (double)Step / TotalSteps : 0,
                                                  CpuBudgetSeconds is { } b ? TrainingCpuSeconds / b : 0), 0, 1);
}

/// <summary>How a call to <see cref="TrainingRun.Run"/> ended.</summary>
public enum RunOutcome
{
    /// <summary>The configured number of iterations was reached.</summary>
    Completed,
    /// <summary>Cancelled (Ctrl-C); a checkpoint of the last completed iteration was written.</summary>
    Interrupted,
}
