using System.Diagnostics;
using System.Text.Json;
using GanSharp.Configuration;

namespace GanSharp.Training;

/// <summary>
/// When a run measures its generator, and what it keeps of it: every <see cref="OutputConfig.EvalEvery"/> iterations,
/// whenever training has used another <see cref="OutputConfig.EvalEveryCpuMinutes"/> of CPU, at the start (unless
/// <see cref="OutputConfig.SkipStartEvaluation"/>) and at the end. Each evaluation is a metrics row; the real-image
/// references are written once (<c>eval/references.json</c>); checkpoints/best.ckpt follows the selecting value.
/// </summary>
internal sealed class EvaluationSchedule
{
    private readonly IPeriodicEvaluation evaluation;
    private readonly OutputConfig output;
    private readonly RunDirectory directory;
    private readonly double? everyCpu;    // evaluations by time: every this many training CPU seconds
    private double nextCpu;               // training CPU seconds at which the next evaluation by time is due
    private double? bestSoFar;

    /// <summary>The schedule of <paramref name="evaluation"/> in the run in <paramref name="directory"/>.</summary>
    public EvaluationSchedule(IPeriodicEvaluation evaluation, OutputConfig output, RunDirectory directory)
    {
        (this.evaluation, this.output, this.directory) = (evaluation, output, directory);
        everyCpu = output.EvalEveryCpuMinutes * 60;
    }

    /// <summary>Whether evaluations come by CPU time (the clock is then read after every iteration).</summary>
    public bool ByTime => everyCpu is not null;

    /// <summary>Whether the run evaluates its untrained generator, at step 0.</summary>
    public bool AtStart => output.Evaluates && !output.SkipStartEvaluation;

    /// <summary>Sets the first evaluation by time after <paramref name="trainingCpu"/> seconds of training CPU.</summary>
    public void StartAt(double trainingCpu)
    {
        if (everyCpu is { } period) nextCpu = (Math.Floor(trainingCpu / period) + 1) * period;
    }

    /// <summary>Whether an evaluation is due after the iteration that reached <paramref name="step"/>.</summary>
    public bool Due(long step, double trainingCpu, bool last) =>
        (output.EvalEvery > 0 && step % output.EvalEvery == 0) || (everyCpu is not null && trainingCpu >= nextCpu) || (last && output.Evaluates);

    /// <summary>
    /// Measures <paramref name="trainer"/>'s generator (and classifier) and writes the row: the step, the epoch and every
    /// measured value, then the evaluation's own time and the run's clocks from <paramref name="budget"/> (which counts
    /// the evaluation's CPU apart). Keeps checkpoints/best.ckpt when the selecting value improved.
    /// </summary>
    public void Evaluate(Trainer trainer, RunBudget budget, MetricsLog metrics, double trainingCpu)
    {
        var timer = Stopwatch.StartNew();
        double cpu = budget.CpuSeconds();
        if (!File.Exists(directory.ReferencesPath) && evaluation.References() is { Count: > 0 } references)
            AtomicFile.WriteText(directory.ReferencesPath, JsonSerializer.Serialize(references, new JsonSerializerOptions { WriteIndented = true }) + "\n");
        var values = evaluation.Evaluate(trainer.Product);
        var row = new Dictionary<string, object>
        {
            ["step"] = trainer.Step, ["epoch"] = Math.Round((double)trainer.DataBatches / trainer.BatchesPerEpoch, 4),
        };
        foreach (var (name, value) in values) row[name] = value;
        row["eval_s"] = Math.Round(timer.Elapsed.TotalSeconds, 2);
        double spent = Math.Round(budget.CpuSeconds() - cpu, 2);
        budget.AddEvaluation(spent);  // as logged, so that a resumed run's sum of eval_cpu_s agrees
        row["eval_cpu_s"] = spent;
        row["wall_s"] = Math.Round(budget.Wall.Elapsed.TotalSeconds, 2);
        row["cpu_s"] = Math.Round(budget.CpuSeconds(), 2);
        row["train_cpu_s"] = Math.Round(budget.TrainingCpuSeconds(), 2);
        metrics.Write(row);
        StartAt(trainingCpu);
        KeepIfBest(trainer, values);
    }

    /// <summary>Writes checkpoints/best.ckpt when the selecting value beats every earlier one (a resumed run's too).</summary>
    void KeepIfBest(Trainer trainer, IReadOnlyDictionary<string, double> values)
    {
        if (!values.TryGetValue(evaluation.SelectBy, out var score) || !double.IsFinite(score)) return;
        bestSoFar ??= BestLogged(trainer.Step);
        bool better = bestSoFar is not { } best || (evaluation.HigherIsBetter ? score > best : score < best);
        if (!better) return;
        bestSoFar = score;
        trainer.ToCheckpoint().Write(directory.BestCheckpointPath);
    }

    /// <summary>The best selecting value logged before <paramref name="step"/> (a resumed run's earlier evaluations).</summary>
    double? BestLogged(long step)
    {
        var logged = MetricsFile.Read(directory.MetricsPath).Values(evaluation.SelectBy, step);
        if (logged.Count == 0 || !File.Exists(directory.BestCheckpointPath)) return null;
        return evaluation.HigherIsBetter ? logged.Max() : logged.Min();
    }
}
