using System.Diagnostics;

namespace GanSharp.Training;

/// <summary>
/// The training rows of metrics.jsonl: the game's scalars averaged over the iterations since the last row, the schedules
/// of the last iteration, the speed of the interval (training only: <see cref="Pause"/> stops its clock for
/// evaluations) and the run's clocks.
/// </summary>
internal sealed class IntervalMetrics(long imagesPerStep)
{
    private readonly OrderedDictionary<string, double> sums = new();
    private readonly Stopwatch interval = new();
    private int n;
    private double lastLr, lastMomentum;

    /// <summary>Images per second of training in the last written interval.</summary>
    public double ImagesPerSecond { get; private set; }

    /// <summary>Whether iterations were added since the last row.</summary>
    public bool Pending => n > 0;

    /// <summary>Starts (or restarts) the interval's clock.</summary>
    public void Restart() => interval.Restart();
    /// <summary>Stops the interval's clock (an evaluation is not training).</summary>
    public void Pause() => interval.Stop();
    /// <summary>Starts the interval's clock again after <see cref="Pause"/>.</summary>
    public void Continue() => interval.Start();

    /// <summary>Adds one iteration: its scalars, and the learning rate and momentum it ran with.</summary>
    public void Add(IReadOnlyDictionary<string, double> scalars, double lr, double momentum)
    {
        foreach (var (name, value) in scalars) sums[name] = sums.GetValueOrDefault(name) + value;
        n++;
        (lastLr, lastMomentum) = (lr, momentum);
    }

    /// <summary>Writes the row of the iterations since the last, at <paramref name="trainer"/>'s step, and starts the next interval.</summary>
    public void Write(MetricsLog metrics, Trainer trainer, RunBudget budget)
    {
        ImagesPerSecond = n * imagesPerStep / interval.Elapsed.TotalSeconds;
        var row = new Dictionary<string, object>
        {
            ["step"] = trainer.Step, ["epoch"] = Math.Round((double)trainer.DataBatches / trainer.BatchesPerEpoch, 4),
        };
        foreach (var (name, sum) in sums) row[name] = sum / n;
        row["lr"] = lastLr;
        row["momentum"] = lastMomentum;
        row["images_per_s"] = Math.Round(ImagesPerSecond, 1);
        row["wall_s"] = Math.Round(budget.Wall.Elapsed.TotalSeconds, 2);
        row["cpu_s"] = Math.Round(budget.CpuSeconds(), 2);
        row["train_cpu_s"] = Math.Round(budget.TrainingCpuSeconds(), 2);
        metrics.Write(row);
        sums.Clear();
        n = 0;
        interval.Restart();
    }
}
