using System.Diagnostics;
using GanSharp.Configuration;
using GanSharp.Data;
using GanSharp.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace GanSharp.Training;

/// <summary>Where a run is, for progress displays: the step and the game's named scalars of the last iteration.</summary>
public sealed record TrainingStatus(
    long Step, long TotalSteps, double Epoch, IReadOnlyDictionary<string, double> Scalars,
    double LearningRate, double Momentum, double ImagesPerSecond, TimeSpan Elapsed);

/// <summary>How a call to <see cref="TrainingRun.Run"/> ended.</summary>
public enum RunOutcome
{
    /// <summary>The configured number of iterations was reached.</summary>
    Completed,
    /// <summary>Cancelled (Ctrl-C); a checkpoint of the last completed iteration was written.</summary>
    Interrupted,
}

/// <summary>
/// The training loop of one run: drives the <see cref="Trainer"/> and writes what the run's folder
/// (<see cref="RunDirectory"/>) holds — metrics rows and TensorBoard events (<see cref="MetricsLog"/>), fixed-noise
/// sample grids, checkpoints, periodic evaluations and the best checkpoint.
/// </summary>
public sealed class TrainingRun : IDisposable
{
    /// <summary>The run's folder and its layout.</summary>
    public RunDirectory Directory { get; }
    /// <summary>The run directory (a full path).</summary>
    public string Folder => Directory.Folder;
    /// <summary>The resolved configuration (also in config.json).</summary>
    public GanConfig Config => Trainer.Config;
    /// <summary>The game in training.</summary>
    public Trainer Trainer { get; }
    /// <summary>Iterations at which the run ends.</summary>
    public long TotalSteps { get; }

    /// <summary>
    /// What to measure every <see cref="OutputConfig.EvalEvery"/> iterations (null: nothing). Set it before
    /// <see cref="Run"/>; the run does not own it.
    /// </summary>
    public IPeriodicEvaluation? Evaluation { get; set; }
    private double? bestSoFar;

    private readonly Tensor fixedNoise;  // [SampleCount, NoiseDim]: the same z for every sample grid of the run
    private MetricsLog? metrics;
    private double cpuBefore;            // CPU seconds the run spent in earlier processes (a resumed run's)
    private TimeSpan cpuAtStart;         // this process's CPU time when Run started

    /// <summary>CPU seconds of the whole run so far, all threads, every process that worked on it (evaluations included).</summary>
    double CpuSeconds() => cpuBefore + (Process.GetCurrentProcess().TotalProcessorTime - cpuAtStart).TotalSeconds;

    private TrainingRun(string folder, GanConfig config, ImageDataset train)
    {
        Directory = new RunDirectory(folder);
        Trainer = new Trainer(config, train);
        var t = config.Train;
        TotalSteps = t.Steps ?? (long)Math.Ceiling((double)t.Epochs * Trainer.BatchesPerEpoch / Trainer.Game.BatchesPerStep);
        using var rng = new torch.Generator(unchecked((ulong)(t.Seed * 104_729 + 3)));
        fixedNoise = Trainer.G.Prior.Sample(config.Output.SampleCount, config.Model.NoiseDim, rng);
    }

    /// <summary>
    /// Starts a new run in <paramref name="folder"/> (created; it must not already hold a run). The model's image shape
    /// is taken from the data; the thread count is resolved and recorded so that the run can be repeated exactly.
    /// </summary>
    public static TrainingRun Start(GanConfig config, string folder, ImageDataset train)
    {
        RunDirectory.EnsureNew(folder);
        config = Resolve(config, train);
        config.Validate();
        var run = new TrainingRun(folder, config, train);
        System.IO.Directory.CreateDirectory(run.Folder);
        AtomicFile.WriteText(run.Directory.ConfigPath, config.ToJson() + "\n");
        return run;
    }

    /// <summary>
    /// Continues the run in <paramref name="folder"/> from its last checkpoint, exactly: same data order, noise, dropout
    /// masks and optimizer state. <paramref name="extend"/> may change the run's length (epochs or steps), nothing else.
    /// </summary>
    public static TrainingRun Resume(string folder, ImageDataset train, Func<TrainConfig, TrainConfig>? extend = null)
    {
        var directory = new RunDirectory(folder);
        var checkpoint = Checkpoint.Read(directory.LastCheckpointPath);
        var config = checkpoint.Config;
        if (extend is not null) config = config with { Train = extend(config.Train) };
        ApplyThreads(config.Train.Threads);
        var run = new TrainingRun(folder, config, train);
        run.Trainer.Restore(checkpoint);
        AtomicFile.WriteText(directory.ConfigPath, config.ToJson() + "\n");
        MetricsLog.Truncate(directory.MetricsPath, checkpoint.Step);
        run.cpuBefore = MetricsLog.Last(directory.MetricsPath, "cpu_s") ?? 0;
        return run;
    }

    static GanConfig Resolve(GanConfig config, ImageDataset train)
    {
        var (c, h, w) = train.ImageShape;
        ApplyThreads(config.Train.Threads);
        return config with
        {
            Model = config.Model with { Channels = c, Height = h, Width = w },
            Train = config.Train with { Threads = torch.get_num_threads(), Device = Devices.Name(Devices.Resolve(config.Train.Device)) },
        };
    }

    static void ApplyThreads(int threads)
    {
        if (threads > 0) torch.set_num_threads(threads);
    }

    /// <summary>
    /// Trains until <see cref="TotalSteps"/> or until <paramref name="cancel"/> fires. Every LogEvery iterations a row goes
    /// to metrics.jsonl and TensorBoard (the game's scalars averaged over the interval, the schedules, the speed); every
    /// SampleEvery a grid to samples/; every CheckpointEvery a checkpoint. At the end, or on cancellation, the last
    /// checkpoint is written. A diverged step (non-finite loss) throws before anything is saved, so the last good
    /// checkpoint stays.
    /// </summary>
    public RunOutcome Run(CancellationToken cancel = default, IProgress<TrainingStatus>? progress = null)
    {
        var o = Config.Output;
        metrics ??= new MetricsLog(Directory.MetricsPath, o.TensorBoard ? Directory.TensorBoardFolder : null);
        var clock = Stopwatch.StartNew();
        cpuAtStart = Process.GetCurrentProcess().TotalProcessorTime;
        var interval = Stopwatch.StartNew();
        var sums = new OrderedDictionary<string, double>();
        int n = 0;
        long imagesPerStep = (long)Config.Train.Batch * Trainer.Game.BatchesPerStep;
        double imagesPerSecond = 0;

        if (Trainer.Step == 0)
        {
            SaveSamples();
            if (Evaluation is not null && o.EvalEvery > 0) Evaluate(clock);
            interval.Restart();  // images/s counts training only
        }
        while (Trainer.Step < TotalSteps)
        {
            if (cancel.IsCancellationRequested)
            {
                SaveCheckpoint(periodic: false);
                return RunOutcome.Interrupted;
            }
            double lr = Trainer.LearningRate, momentum = Trainer.Momentum;
            var scalars = Trainer.TrainStep();
            foreach (var (name, value) in scalars) sums[name] = sums.GetValueOrDefault(name) + value;
            n++;
            long step = Trainer.Step;
            double epoch = (double)Trainer.DataBatches / Trainer.BatchesPerEpoch;

            if (step % o.LogEvery == 0 || step == TotalSteps)
            {
                imagesPerSecond = n * imagesPerStep / interval.Elapsed.TotalSeconds;
                var row = new Dictionary<string, object> { ["step"] = step, ["epoch"] = Math.Round(epoch, 4) };
                foreach (var (name, sum) in sums) row[name] = sum / n;
                row["lr"] = lr;
                row["momentum"] = momentum;
                row["images_per_s"] = Math.Round(imagesPerSecond, 1);
                row["wall_s"] = Math.Round(clock.Elapsed.TotalSeconds, 2);
                row["cpu_s"] = Math.Round(CpuSeconds(), 2);
                metrics.Write(row);
                sums.Clear();
                n = 0;
                interval.Restart();
            }
            if (step % o.SampleEvery == 0 || step == TotalSteps) SaveSamples();
            if (Evaluation is not null && o.EvalEvery > 0 && (step % o.EvalEvery == 0 || step == TotalSteps))
            {
                interval.Stop();  // images/s counts training only
                Evaluate(clock);
                interval.Start();
            }
            if (step % o.CheckpointEvery == 0) SaveCheckpoint(periodic: true);
            else if (step == TotalSteps) SaveCheckpoint(periodic: false);

            progress?.Report(new TrainingStatus(step, TotalSteps, epoch, scalars, lr, momentum, imagesPerSecond, clock.Elapsed));
        }
        return RunOutcome.Completed;
    }

    /// <summary>
    /// Measures the generator with <see cref="Evaluation"/>: a row in metrics.jsonl with the step, the epoch and every
    /// measured value (the same names in TensorBoard), and checkpoints/best.ckpt when the selecting value improved.
    /// </summary>
    void Evaluate(Stopwatch clock)
    {
        var evaluation = Evaluation!;
        var timer = Stopwatch.StartNew();
        double cpu = CpuSeconds();
        var values = evaluation.Evaluate(Trainer.G);
        var row = new Dictionary<string, object>
        {
            ["step"] = Trainer.Step, ["epoch"] = Math.Round((double)Trainer.DataBatches / Trainer.BatchesPerEpoch, 4),
        };
        foreach (var (name, value) in values) row[name] = value;
        row["eval_s"] = Math.Round(timer.Elapsed.TotalSeconds, 2);
        row["eval_cpu_s"] = Math.Round(CpuSeconds() - cpu, 2);
        row["wall_s"] = Math.Round(clock.Elapsed.TotalSeconds, 2);
        row["cpu_s"] = Math.Round(CpuSeconds(), 2);
        metrics!.Write(row);

        if (!values.TryGetValue(evaluation.SelectBy, out var score) || !double.IsFinite(score)) return;
        bestSoFar ??= BestLogged(evaluation.SelectBy, evaluation.HigherIsBetter);
        bool better = bestSoFar is not { } best || (evaluation.HigherIsBetter ? score > best : score < best);
        if (!better) return;
        bestSoFar = score;
        Trainer.ToCheckpoint().Write(Directory.BestCheckpointPath);
    }

    /// <summary>The best value of <paramref name="key"/> logged before this row (a resumed run's earlier evaluations).</summary>
    double? BestLogged(string key, bool higherIsBetter)
    {
        var logged = metrics!.Logged(key, Trainer.Step);
        if (logged.Count == 0 || !File.Exists(Directory.BestCheckpointPath)) return null;
        return higherIsBetter ? logged.Max() : logged.Min();
    }

    /// <summary>Writes the fixed-noise sample grid for the current step (samples/step-N.png and samples/last.png).</summary>
    public void SaveSamples()
    {
        using var scope = NewDisposeScope();
        var images = Trainer.G.Generate(fixedNoise);  // [SampleCount, C, H, W]
        var path = Directory.SamplesPath(Trainer.Step);
        ImageGrid.SavePng(images, path);
        File.Copy(path, Directory.LastSamplesPath, overwrite: true);
        metrics?.Image("samples", path, Trainer.Step);
    }

    /// <summary>Writes checkpoints/last.ckpt and, if <paramref name="periodic"/>, checkpoints/step-N.ckpt.</summary>
    public void SaveCheckpoint(bool periodic)
    {
        var checkpoint = Trainer.ToCheckpoint();
        checkpoint.Write(Directory.LastCheckpointPath);
        if (periodic) checkpoint.Write(Directory.CheckpointPath(Trainer.Step));
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        metrics?.Dispose();
        fixedNoise.Dispose();
        Trainer.Dispose();
    }
}
