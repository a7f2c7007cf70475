using System.Diagnostics;
using System.Text.Json;
using GanSharp.Configuration;
using GanSharp.Data;
using GanSharp.Imaging;
using TorchSharp;
using static TorchSharp.torch;

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
    /// <summary>Iterations at which the run ends (<see cref="long.MaxValue"/>: only its CPU budget ends it).</summary>
    public long TotalSteps { get; }
    /// <summary>The run's budget of training CPU seconds (<see cref="TrainConfig.CpuMinutes"/>), or null.</summary>
    public double? CpuBudgetSeconds => Config.Train.CpuMinutes * 60;

    /// <summary>Whether the run has reached its length or its CPU budget (a resumed finished run: <see cref="Run"/> does nothing).</summary>
    public bool Finished => Trainer.Step >= TotalSteps || (Trainer.Step > 0 && TrainingCpuSeconds() >= CpuBudgetSeconds);

    /// <summary>
    /// What to measure every <see cref="OutputConfig.EvalEvery"/> iterations (null: nothing). Set it before
    /// <see cref="Run"/>; the run does not own it.
    /// </summary>
    public IPeriodicEvaluation? Evaluation { get; set; }
    private double? bestSoFar;

    private readonly Tensor fixedNoise;  // [SampleCount, NoiseDim]: the same z for every sample grid of the run
    private readonly Tensor? fixedLabels;  // [SampleCount] for a conditional G: a row of the grid per class
    private readonly int? gridColumns;     // a conditional G's grid: the samples of a class per row
    private MetricsLog? metrics;
    private double cpuBefore;            // CPU seconds the run spent in earlier processes (a resumed run's)
    private RunLock? runLock;            // held from Start or Resume until Dispose
    private (string Path, long Step)? lastCheckpoint;  // the newest checkpoint this run has on disk
    private TimeSpan cpuAtStart;         // this process's CPU time when Run started
    private double evaluationCpu;        // CPU seconds the run's evaluations took, all processes (logged as eval_cpu_s)
    private double nextEvaluationCpu;    // training CPU seconds at which the next evaluation by time is due

    /// <summary>CPU seconds of the whole run so far, all threads, every process that worked on it (evaluations included).</summary>
    double CpuSeconds() => cpuBefore + (Process.GetCurrentProcess().TotalProcessorTime - cpuAtStart).TotalSeconds;

    /// <summary>CPU seconds the run has spent training so far: <see cref="CpuSeconds"/> without its evaluations.</summary>
    public double TrainingCpuSeconds() => CpuSeconds() - evaluationCpu;

    private TrainingRun(string folder, GanConfig config, ImageDataset train)
    {
        Directory = new RunDirectory(folder);
        cpuAtStart = Process.GetCurrentProcess().TotalProcessorTime;  // until Run: what came before is not the run's
        Trainer = new Trainer(config, train);
        var t = config.Train;
        TotalSteps = t.Steps ?? (t.CpuMinutes is not null ? long.MaxValue  // a budget alone: the budget ends the run
            : (long)Math.Ceiling((double)t.Epochs * Trainer.BatchesPerEpoch / Trainer.Game.BatchesPerStep));
        using var rng = new torch.Generator(unchecked((ulong)(t.Seed * 104_729 + 3)));
        // A conditional G's grids have a row per class (the row's label, the same noise down each column).
        int classes = Trainer.G.Classes, perClass = Math.Max(1, config.Output.SampleCount / Math.Max(classes, 1));
        gridColumns = classes > 0 ? perClass : null;
        fixedNoise = classes > 0
            ? Trainer.G.Prior.Sample(perClass, config.Model.NoiseDim, rng).repeat(classes, 1)    // [K·per, NoiseDim]
            : Trainer.G.Prior.Sample(config.Output.SampleCount, config.Model.NoiseDim, rng);
        fixedLabels = classes > 0 ? arange(classes, dtype: ScalarType.Int64).repeat_interleave(perClass) : null;  // [K·per]
        gridDrawsSeed = unchecked((ulong)(t.Seed * 104_729 + 5));
    }

    /// <summary>
    /// The fixed draws of a G that samples with its own randomness (dropout masks; <see cref="Models.Generator.RandomWhenSampling"/>):
    /// a generator from the same seed for every grid, so that the grids differ by training alone.
    /// </summary>
    torch.Generator GridDraws() => new(gridDrawsSeed);
    private readonly ulong gridDrawsSeed;

    /// <summary>
    /// Starts a new run in <paramref name="folder"/> (created; it must not already hold a run). The model's image shape
    /// is taken from the data; the thread count is resolved and recorded so that the run can be repeated exactly. The
    /// configuration is validated and the nets built before anything is written; the run's lock is held until
    /// <see cref="Dispose"/>.
    /// </summary>
    /// <exception cref="InputException">A bad configuration, a folder that is not new, or another process writing it.</exception>
    public static TrainingRun Start(GanConfig config, string folder, ImageDataset train)
    {
        RunDirectory.EnsureNew(folder);
        config.Validate();                 // before anything acts on it (threads, device)
        config = Resolve(config, train);
        config.Validate();                 // with the data's image shape
        var run = new TrainingRun(folder, config, train);
        bool created = !System.IO.Directory.Exists(run.Folder);
        try
        {
            System.IO.Directory.CreateDirectory(run.Folder);
            run.runLock = RunLock.Take(run.Directory);
            RunDirectory.EnsureNew(folder);  // again under the lock: another process may have started a run here meanwhile
            AtomicFile.RemoveLeftovers(run.Folder);
            AtomicFile.WriteText(run.Directory.ConfigPath, config.ToJson() + "\n");
            return run;
        }
        catch
        {
            bool ours = run.runLock is not null;
            run.Dispose();
            if (created && ours && !run.Directory.HoldsRun) System.IO.Directory.Delete(run.Folder, recursive: true);  // nothing half-made stays
            throw;
        }
    }

    /// <summary>
    /// Continues the run in <paramref name="folder"/> from its last checkpoint, exactly: same data order, noise, dropout
    /// masks and optimizer state. A run stopped before its first checkpoint starts again from step 0. config.json must
    /// agree with the checkpoint (<see cref="RunDirectory.ResumeConfig"/>). <paramref name="extend"/> may change the
    /// run's length (epochs or steps), nothing else, and not below the iterations done. Takes the run's lock, removes
    /// temporary files a killed writer left, and drops metrics rows logged after the checkpoint.
    /// </summary>
    /// <exception cref="InputException">
    /// Not a run, a bad checkpoint or config.json, data of another shape than the run's, a length shorter than what was
    /// done, or another process writing the run.
    /// </exception>
    public static TrainingRun Resume(string folder, ImageDataset train, Func<TrainConfig, TrainConfig>? extend = null)
    {
        var directory = new RunDirectory(folder);
        if (!System.IO.Directory.Exists(directory.Folder)) throw new InputException($"{folder}: no such run folder");
        var runLock = RunLock.Take(directory);
        TrainingRun? run = null;
        try
        {
            var config = directory.ResumeConfig(out var checkpoint);
            long done = checkpoint?.Step ?? 0;
            if (extend is not null) config = config with { Train = extend(config.Train) };
            config.Validate();
            var m = config.Model;
            if (train.ImageShape != (m.Channels, m.Height, m.Width))
                throw new InputException(
                    $"{train.Name}: images are {Shape(train.ImageShape)} but the run in {folder} was trained on {Shape((m.Channels, m.Height, m.Width))}");
            ApplyThreads(config.Train.Threads);
            run = new TrainingRun(folder, config, train) { runLock = runLock };
            if (run.TotalSteps < done)
                throw new InputException($"the run has done {done:N0} iterations; a length of {run.TotalSteps:N0} would undo some (give more --steps or --epochs)");
            if (checkpoint is not null)
            {
                run.Trainer.Restore(checkpoint);
                run.lastCheckpoint = (directory.LastCheckpointPath, checkpoint.Step);
            }
            AtomicFile.RemoveLeftovers(directory.Folder);
            if (!directory.HoldsRun || config.DifferencesFrom(directory.ReadConfig()).Count > 0)
                AtomicFile.WriteText(directory.ConfigPath, config.ToJson() + "\n");
            MetricsLog.Truncate(directory.MetricsPath, done);
            run.cpuBefore = MetricsLog.Last(directory.MetricsPath, "cpu_s") ?? 0;
            run.evaluationCpu = MetricsLog.Sum(directory.MetricsPath, "eval_cpu_s");
            return run;
        }
        catch
        {
            if (run is not null) run.Dispose();
            else runLock.Dispose();
            throw;
        }
    }

    static string Shape((int C, int H, int W) s) => $"{s.C}×{s.H}×{s.W}";

    static GanConfig Resolve(GanConfig config, ImageDataset train)
    {
        var (c, h, w) = train.ImageShape;
        ApplyThreads(config.Train.Threads);
        return config with
        {
            Model = WithClasses(config.Model with { Channels = c, Height = h, Width = w }, train),
            Train = config.Train with { Threads = torch.get_num_threads(), Device = Devices.Name(Devices.Resolve(config.Train.Device)) },
        };
    }

    /// <summary>
    /// A conditional model with the classes of <paramref name="train"/>'s labels: how many (the dataset's label names, else
    /// the largest label + 1), their names, and how often each occurs. An unconditional model as it is.
    /// </summary>
    /// <exception cref="InputException">A conditional model and data without labels.</exception>
    internal static ModelConfig WithClasses(ModelConfig model, ImageDataset train)
    {
        if (!model.UsesClasses) return model;
        if (train.Labels is not { } labels || labels.numel() == 0)
            throw new InputException($"{train.Name}: the {Kinds.NameOf(model)} model {(model.Conditional ? "is conditional and " : "")}needs class labels; these images have none " +
                                     "(an image folder gives them by subfolder)");
        using var scope = NewDisposeScope();
        long largest = labels.max().item<long>();
        int classes = train.LabelNames?.Count ?? (int)largest + 1;
        if (labels.min().item<long>() < 0 || largest >= classes)
            throw new InputException($"{train.Name}: labels must lie in 0–{classes - 1} (one per class name), found {labels.min().item<long>()}–{largest}");
        var counts = labels.cpu().bincount(null, classes).to_type(ScalarType.Float64);
        var shares = (counts / counts.sum()).data<double>().ToArray();
        return model with { Classes = classes, ClassNames = train.LabelNames?.ToArray(), ClassFrequencies = shares };
    }

    static void ApplyThreads(int threads)
    {
        if (threads > 0) torch.set_num_threads(threads);
    }

    /// <summary>
    /// Trains until <see cref="TotalSteps"/> or until <paramref name="cancel"/> fires. Every LogEvery iterations a row goes
    /// to metrics.jsonl and TensorBoard (the game's scalars averaged over the interval, the schedules, the speed); every
    /// SampleEvery a grid to samples/; every CheckpointEvery a checkpoint. At the end, or on cancellation, the last
    /// checkpoint is written, and on cancellation the metrics of the unfinished log interval too (a row at the step
    /// reached). A diverged step (a non-finite loss or weight) throws before anything of it is saved, so the last good
    /// checkpoint stays, and the message says where it is.
    /// </summary>
    /// <exception cref="TrainingDivergedException">Training diverged; nothing non-finite was written.</exception>
    public RunOutcome Run(CancellationToken cancel = default, IProgress<TrainingStatus>? progress = null)
    {
        try { return Loop(cancel, progress); }
        catch (TrainingDivergedException e)
        {
            var kept = lastCheckpoint is { } c
                ? $"the last good checkpoint is {c.Path} (step {c.Step:N0})"
                : "no checkpoint had been written yet";
            throw new TrainingDivergedException($"{e.Message}; nothing of it was saved: {kept}");
        }
    }

    RunOutcome Loop(CancellationToken cancel, IProgress<TrainingStatus>? progress)
    {
        var o = Config.Output;
        metrics ??= new MetricsLog(Directory.MetricsPath, o.TensorBoard ? Directory.TensorBoardFolder : null);
        var clock = Stopwatch.StartNew();
        cpuAtStart = Process.GetCurrentProcess().TotalProcessorTime;
        var interval = Stopwatch.StartNew();
        var sums = new OrderedDictionary<string, double>();
        int n = 0;
        long imagesPerStep = (long)Config.Train.Batch * Trainer.Game.BatchesPerStep;
        double imagesPerSecond = 0, lastLr = 0, lastMomentum = 0;

        // A metrics row: the game's scalars averaged over the iterations since the last row, the schedules, the speed.
        void LogInterval()
        {
            imagesPerSecond = n * imagesPerStep / interval.Elapsed.TotalSeconds;
            var row = new Dictionary<string, object>
            {
                ["step"] = Trainer.Step, ["epoch"] = Math.Round((double)Trainer.DataBatches / Trainer.BatchesPerEpoch, 4),
            };
            foreach (var (name, sum) in sums) row[name] = sum / n;
            row["lr"] = lastLr;
            row["momentum"] = lastMomentum;
            row["images_per_s"] = Math.Round(imagesPerSecond, 1);
            row["wall_s"] = Math.Round(clock.Elapsed.TotalSeconds, 2);
            row["cpu_s"] = Math.Round(CpuSeconds(), 2);
            row["train_cpu_s"] = Math.Round(TrainingCpuSeconds(), 2);
            metrics!.Write(row);
            sums.Clear();
            n = 0;
            interval.Restart();
        }

        // Evaluations by time come every EvalEveryCpuMinutes of training CPU (checked after each iteration).
        double? evaluateEveryCpu = Evaluation is null ? null : o.EvalEveryCpuMinutes * 60;
        if (Trainer.Step == 0)
        {
            SaveSamples();
            if (Evaluation is not null && o.Evaluates && !o.SkipStartEvaluation) Evaluate(clock);
            interval.Restart();  // images/s counts training only
        }
        if (evaluateEveryCpu is { } period) nextEvaluationCpu = (Math.Floor(TrainingCpuSeconds() / period) + 1) * period;
        if (Finished) return RunOutcome.Completed;  // a finished run, resumed: nothing to do
        while (Trainer.Step < TotalSteps)
        {
            if (cancel.IsCancellationRequested)
            {
                if (n > 0) LogInterval();  // the unfinished interval, so that no iteration goes unlogged
                SaveCheckpoint(periodic: false);
                return RunOutcome.Interrupted;
            }
            double lr = Trainer.LearningRate, momentum = Trainer.Momentum;
            var scalars = Trainer.TrainStep();
            foreach (var (name, value) in scalars) sums[name] = sums.GetValueOrDefault(name) + value;
            n++;
            long step = Trainer.Step;
            double epoch = (double)Trainer.DataBatches / Trainer.BatchesPerEpoch;

            lastLr = lr;
            lastMomentum = momentum;
            bool timed = CpuBudgetSeconds is not null || evaluateEveryCpu is not null;
            double trainingCpu = timed ? TrainingCpuSeconds() : 0;  // read only when a budget or a timed evaluation needs it
            bool last = step == TotalSteps || trainingCpu >= CpuBudgetSeconds;
            if (step % o.LogEvery == 0 || last) LogInterval();
            if (step % o.SampleEvery == 0 || last) SaveSamples();
            bool byTime = evaluateEveryCpu is not null && trainingCpu >= nextEvaluationCpu;
            if (Evaluation is not null && ((o.EvalEvery > 0 && step % o.EvalEvery == 0) || byTime || (last && o.Evaluates)))
            {
                interval.Stop();  // images/s counts training only
                Evaluate(clock);
                interval.Start();
                if (evaluateEveryCpu is { } e) nextEvaluationCpu = (Math.Floor(trainingCpu / e) + 1) * e;
            }
            if (step % o.CheckpointEvery == 0) SaveCheckpoint(periodic: true);
            else if (last) SaveCheckpoint(periodic: false);

            progress?.Report(new TrainingStatus(step, TotalSteps, epoch, scalars, lr, momentum, imagesPerSecond, clock.Elapsed,
                                                trainingCpu, CpuBudgetSeconds));
            if (last) break;
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
        if (!File.Exists(Directory.ReferencesPath) && evaluation.References() is { Count: > 0 } references)
            AtomicFile.WriteText(Directory.ReferencesPath, JsonSerializer.Serialize(references, new JsonSerializerOptions { WriteIndented = true }) + "\n");
        var values = evaluation.Evaluate(new EvaluationSubject(Trainer.SamplingGenerator, Trainer.Game.Classifier));
        var row = new Dictionary<string, object>
        {
            ["step"] = Trainer.Step, ["epoch"] = Math.Round((double)Trainer.DataBatches / Trainer.BatchesPerEpoch, 4),
        };
        foreach (var (name, value) in values) row[name] = value;
        row["eval_s"] = Math.Round(timer.Elapsed.TotalSeconds, 2);
        double spent = Math.Round(CpuSeconds() - cpu, 2);
        evaluationCpu += spent;  // as logged, so that a resumed run's sum of eval_cpu_s agrees
        row["eval_cpu_s"] = spent;
        row["wall_s"] = Math.Round(clock.Elapsed.TotalSeconds, 2);
        row["cpu_s"] = Math.Round(CpuSeconds(), 2);
        row["train_cpu_s"] = Math.Round(TrainingCpuSeconds(), 2);
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
        using var draws = GridDraws();
        var g = Trainer.SamplingGenerator;  // the average of G if kept
        var images = g.GenerateBlocks(fixedNoise, fixedLabels, Math.Max(g.Classes, 1), draws);  // [SampleCount, C, H, W]: a column's draws alike
        if (!Models.Weights.AllFinite(images)) throw NonFiniteSamples();
        var path = Directory.SamplesPath(Trainer.Step);
        ImageGrid.SavePng(images, path, gridColumns);
        File.Copy(path, Directory.LastSamplesPath, overwrite: true);
        metrics?.Image("samples", path, Trainer.Step);
    }

    TrainingDivergedException NonFiniteSamples() =>
        new($"training diverged at step {Trainer.Step}: the generator's samples are not finite (NaN or infinity)");

    /// <summary>Writes checkpoints/last.ckpt and, if <paramref name="periodic"/>, checkpoints/step-N.ckpt.</summary>
    public void SaveCheckpoint(bool periodic)
    {
        using (var draws = GridDraws())
        using (var images = Trainer.G.Generate(fixedNoise, fixedLabels, draws))  // finite weights can still overflow inside G
            if (!Models.Weights.AllFinite(images)) throw NonFiniteSamples();
        var checkpoint = Trainer.ToCheckpoint();  // refuses non-finite weights
        checkpoint.Write(Directory.LastCheckpointPath);
        lastCheckpoint = (Directory.LastCheckpointPath, Trainer.Step);
        if (periodic) checkpoint.Write(Directory.CheckpointPath(Trainer.Step));
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        metrics?.Dispose();
        fixedNoise.Dispose();
        fixedLabels?.Dispose();
        Trainer.Dispose();
        runLock?.Dispose();
    }
}
