using System.Diagnostics;
using GanSharp.Configuration;

namespace GanSharp.Training;

/// <summary>
/// A run's length and its clocks: the iterations it ends at, its budget of training CPU seconds, and the CPU time it has
/// spent — in this process and in the earlier ones a resumed run continues (read back from metrics.jsonl) — with the
/// evaluations' share kept apart, so that a budget counts training alone.
/// </summary>
internal sealed class RunBudget
{
    /// <summary>Iterations at which the run ends (<see cref="long.MaxValue"/>: only its CPU budget ends it).</summary>
    public long TotalSteps { get; }
    /// <summary>The run's budget of training CPU seconds, or null.</summary>
    public double? CpuBudgetSeconds { get; }
    /// <summary>Wall-clock time since <see cref="StartProcess"/>.</summary>
    public Stopwatch Wall { get; } = new();

    private double cpuBefore;   // CPU seconds the run spent in earlier processes (a resumed run's)
    private double evaluationCpu;        // CPU seconds the run's evaluations took, all processes (logged as eval_cpu_s)
    private TimeSpan cpuAtStart;         // this process's CPU time when the run started here

    /// <summary>The budget of a run of <paramref name="train"/> that ends after <paramref name="totalSteps"/> iterations (<see cref="Trainer.TotalSteps"/>).</summary>
    public RunBudget(TrainConfig train, long totalSteps)
    {
        TotalSteps = totalSteps;
        CpuBudgetSeconds = train.CpuMinutes * 60;
        cpuAtStart = ProcessCpu();  // until StartProcess: what came before is not the run's
    }

    /// <summary>
    /// Continues a run whose earlier processes spent <paramref name="log"/>'s last <c>cpu_s</c>, its evaluations the sum
    /// of its <c>eval_cpu_s</c> (the log as a resume keeps it).
    /// </summary>
    public void ContinueFrom(MetricsFile log)
    {
        cpuBefore = log.Last("cpu_s") ?? 0;
        evaluationCpu = log.Sum("eval_cpu_s");
    }

    static TimeSpan ProcessCpu() => Process.GetCurrentProcess().TotalProcessorTime;

    /// <summary>Starts this process's clocks (what the process did before is not the run's).</summary>
    public void StartProcess()
    {
        Wall.Restart();
        cpuAtStart = ProcessCpu();
    }

    /// <summary>CPU seconds of the whole run so far, all threads, every process that worked on it (evaluations included).</summary>
    public double CpuSeconds() => cpuBefore + (ProcessCpu() - cpuAtStart).TotalSeconds;

    /// <summary>CPU seconds the run has spent training so far: <see cref="CpuSeconds"/> without its evaluations.</summary>
    public double TrainingCpuSeconds() => CpuSeconds() - evaluationCpu;

    /// <summary>Counts <paramref name="seconds"/> of CPU as an evaluation's (as logged, so that a resumed run's sum agrees).</summary>
    public void AddEvaluation(double seconds) => evaluationCpu += seconds;

    /// <summary>Whether a run at <paramref name="step"/> has reached its length or its CPU budget.</summary>
    public bool Finished(long step) => step >= TotalSteps || (step > 0 && TrainingCpuSeconds() >= CpuBudgetSeconds);

    /// <summary>Whether the CPU clock must be read after every iteration (a budget, or evaluations by time).</summary>
    public bool Timed(bool evaluatesByTime) => CpuBudgetSeconds is not null || evaluatesByTime;

    /// <summary>Whether the iteration that reached <paramref name="step"/> after <paramref name="trainingCpu"/> seconds is the run's last.</summary>
    public bool EndsAt(long step, double trainingCpu) => step == TotalSteps || trainingCpu >= CpuBudgetSeconds;
}
