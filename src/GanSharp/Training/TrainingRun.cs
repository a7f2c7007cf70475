using System.Diagnostics;
using System.Text.Json;
using GanSharp.Data;
using GanSharp.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace GanSharp.Training;

/// <summary>Where a run is, for progress displays.</summary>
public sealed record TrainingStatus(
    long Step, long TotalSteps, double Epoch, double DLoss, double GLoss, double DReal, double DFake,
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
/// One training run and its directory: <c>config.json</c>, <c>metrics.jsonl</c>, <c>samples/</c> (grids from one fixed
/// noise batch), <c>checkpoints/</c> (<c>last.ckpt</c> and periodic ones, atomic, checksummed) and <c>tb/</c>
/// (TensorBoard events). <see cref="Run"/> drives the <see cref="Trainer"/> and writes all of them.
/// </summary>
public sealed class TrainingRun : IDisposable
{
    /// <summary>The run directory.</summary>
    public string Folder { get; }
    /// <summary>The resolved configuration (also in config.json).</summary>
    public GanConfig Config => Trainer.Config;
    /// <summary>Algorithm 1's state.</summary>
    public Trainer Trainer { get; }
    /// <summary>Iterations at which the run ends.</summary>
    public long TotalSteps { get; }

    /// <summary>Path of the configuration file.</summary>
    public string ConfigPath => Path.Combine(Folder, "config.json");
    /// <summary>Path of the metrics log.</summary>
    public string MetricsPath => Path.Combine(Folder, "metrics.jsonl");
    /// <summary>Folder of sample grids.</summary>
    public string SamplesFolder => Path.Combine(Folder, "samples");
    /// <summary>Folder of checkpoints.</summary>
    public string CheckpointsFolder => Path.Combine(Folder, "checkpoints");
    /// <summary>The checkpoint refreshed at every save; <c>--resume</c> continues from it.</summary>
    public string LastCheckpointPath => Path.Combine(CheckpointsFolder, "last.ckpt");
    /// <summary>The checkpoint with the best <see cref="IPeriodicEvaluation.SelectBy"/> value so far.</summary>
    public string BestCheckpointPath => Path.Combine(CheckpointsFolder, "best.ckpt");

    /// <summary>
    /// What to measure every <see cref="OutputConfig.EvalEvery"/> iterations (null: nothing). Set it before
    /// <see cref="Run"/>; the run does not own it.
    /// </summary>
    public IPeriodicEvaluation? Evaluation { get; set; }
    private double? bestSoFar;

    private readonly Tensor fixedNoise;  // [SampleCount, NoiseDim]: the same z for every sample grid of the run
    private TorchSharp.Modules.SummaryWriter? tensorBoard;

    private TrainingRun(string folder, GanConfig config, ImageDataset train)
    {
        Folder = Path.GetFullPath(folder);
        Trainer = new Trainer(config, train.Images);
        var t = config.Train;
        TotalSteps = t.Steps ?? (long)Math.Ceiling((double)t.Epochs * Trainer.BatchesPerEpoch / t.K);
        using var rng = new torch.Generator(unchecked((ulong)(t.Seed * 104_729 + 3)));
        fixedNoise = Trainer.G.Prior.Sample(config.Output.SampleCount, config.Model.NoiseDim, rng);
    }

    /// <summary>
    /// Starts a new run in <paramref name="folder"/> (created; it must not already hold a run). The model's image shape
    /// is taken from the data; the thread count is resolved and recorded so that the run can be repeated exactly.
    /// </summary>
    public static TrainingRun Start(GanConfig config, string folder, ImageDataset train)
    {
        EnsureNewFolder(folder);
        config = Resolve(config, train);
        Validate(config);
        var run = new TrainingRun(folder, config, train);
        Directory.CreateDirectory(run.Folder);
        AtomicFile.WriteText(run.ConfigPath, config.ToJson() + "\n");
        return run;
    }

    /// <summary>Refuses a folder that already has content: a run never overwrites another run, or anything else.</summary>
    /// <exception cref="InputException">The folder exists and is not empty.</exception>
    public static void EnsureNewFolder(string folder)
    {
        if (File.Exists(Path.Combine(folder, "config.json")))
            throw new InputException($"{folder} already holds a run: continue it with --resume {folder}, or choose another --out");
        if (File.Exists(folder) || (Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any()))
            throw new InputException($"{folder} exists and is not an empty folder: choose another --out");
    }

    /// <summary>
    /// Continues the run in <paramref name="folder"/> from its last checkpoint, exactly: same data order, noise, dropout
    /// masks and optimizer state. <paramref name="extend"/> may change the run's length (epochs or steps), nothing else.
    /// </summary>
    public static TrainingRun Resume(string folder, ImageDataset train, Func<TrainConfig, TrainConfig>? extend = null)
    {
        var checkpoint = Checkpoint.Read(Path.Combine(folder, "checkpoints", "last.ckpt"));
        var config = checkpoint.Config;
        if (extend is not null) config = config with { Train = extend(config.Train) };
        ApplyThreads(config.Train.Threads);
        var run = new TrainingRun(folder, config, train);
        run.Trainer.Restore(checkpoint);
        AtomicFile.WriteText(run.ConfigPath, config.ToJson() + "\n");
        run.TruncateMetrics(checkpoint.Step);
        return run;
    }

    /// <summary>Reads a run's configuration (config.json).</summary>
    public static GanConfig ReadConfig(string folder)
    {
        var path = Path.Combine(folder, "config.json");
        if (!File.Exists(path)) throw new InputException($"{folder}: not a run directory (no config.json)");
        return GanConfig.FromJson(File.ReadAllText(path), path);
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

    static void Validate(GanConfig c)
    {
        void Check(bool ok, string message) { if (!ok) throw new InputException(message); }
        Check(c.Train.Batch > 0, $"batch must be positive (got {c.Train.Batch})");
        Check(c.Train.K >= 1, $"k must be at least 1 (got {c.Train.K})");
        Check(c.Train.Epochs > 0 || c.Train.Steps > 0, "the run needs a positive number of epochs or steps");
        Check(c.Train.Steps is null or > 0, $"steps must be positive (got {c.Train.Steps})");
        Check(c.Model.NoiseDim > 0, $"noise-dim must be positive (got {c.Model.NoiseDim})");
        Check(c.Model.GeneratorHidden.All(h => h > 0), "generator-hidden widths must be positive");
        Check(c.Model.DiscriminatorUnits > 0 && c.Model.DiscriminatorPieces > 0, "discriminator units and pieces must be positive");
        Check(c.Model.DiscriminatorInputKeep is > 0 and <= 1 && c.Model.DiscriminatorHiddenKeep is > 0 and <= 1,
              "dropout keep probabilities must lie in (0, 1]");
        Check(c.Optimizer.LearningRate > 0, $"learning-rate must be positive (got {c.Optimizer.LearningRate})");
        Check(c.Optimizer.LearningRateDecay >= 1, "learning-rate-decay must be at least 1 (the rate is divided by it)");
        Check(c.Optimizer.MomentumStart is >= 0 and < 1 && c.Optimizer.MomentumEnd is >= 0 and < 1, "momentum must lie in [0, 1)");
        Check(c.Output.LogEvery > 0 && c.Output.SampleEvery > 0 && c.Output.CheckpointEvery > 0, "output intervals must be positive");
        Check(c.Output.SampleCount > 0, "sample-count must be positive");
        Check(c.Output.EvalEvery >= 0, $"eval-every must not be negative (got {c.Output.EvalEvery})");
    }

    /// <summary>
    /// Trains until <see cref="TotalSteps"/> or until <paramref name="cancel"/> fires. Every LogEvery iterations a row goes
    /// to metrics.jsonl and TensorBoard; every SampleEvery a grid to samples/; every CheckpointEvery a checkpoint. At the
    /// end, or on cancellation, the last checkpoint is written. A diverged step (non-finite loss) throws before anything
    /// is saved, so the last good checkpoint stays.
    /// </summary>
    public RunOutcome Run(CancellationToken cancel = default, IProgress<TrainingStatus>? progress = null)
    {
        var o = Config.Output;
        if (o.TensorBoard) tensorBoard ??= torch.utils.tensorboard.SummaryWriter(Path.Combine(Folder, "tb"));
        using var metrics = new StreamWriter(MetricsPath, append: true) { AutoFlush = true };
        var clock = Stopwatch.StartNew();
        var interval = Stopwatch.StartNew();
        double sumD = 0, sumG = 0, sumReal = 0, sumFake = 0;
        int n = 0;
        long imagesPerStep = (long)Config.Train.Batch * (Config.Train.Update == UpdateOrder.Alternating ? Config.Train.K : 1);
        double imagesPerSecond = 0;

        if (Trainer.Step == 0)
        {
            SaveSamples();
            if (Evaluation is not null && o.EvalEvery > 0) Evaluate(metrics, clock);
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
            var r = Trainer.TrainStep();
            sumD += r.DLoss; sumG += r.GLoss; sumReal += r.DReal; sumFake += r.DFake; n++;
            long step = Trainer.Step;
            double epoch = (double)Trainer.DataBatches / Trainer.BatchesPerEpoch;

            if (step % o.LogEvery == 0 || step == TotalSteps)
            {
                imagesPerSecond = n * imagesPerStep / interval.Elapsed.TotalSeconds;
                var row = new Dictionary<string, object>
                {
                    ["step"] = step, ["epoch"] = Math.Round(epoch, 4),
                    ["d_loss"] = sumD / n, ["g_loss"] = sumG / n, ["d_real"] = sumReal / n, ["d_fake"] = sumFake / n,
                    ["lr"] = lr, ["momentum"] = momentum, ["images_per_s"] = Math.Round(imagesPerSecond, 1),
                    ["wall_s"] = Math.Round(clock.Elapsed.TotalSeconds, 2),
                };
                metrics.WriteLine(JsonSerializer.Serialize(row));
                if (tensorBoard is not null)
                {
                    int s = (int)step;
                    tensorBoard.add_scalar("loss/discriminator", (float)(sumD / n), s);
                    tensorBoard.add_scalar("loss/generator", (float)(sumG / n), s);
                    tensorBoard.add_scalar("D/real", (float)(sumReal / n), s);
                    tensorBoard.add_scalar("D/fake", (float)(sumFake / n), s);
                    tensorBoard.add_scalar("schedule/lr", (float)lr, s);
                    tensorBoard.add_scalar("schedule/momentum", (float)momentum, s);
                    tensorBoard.add_scalar("speed/images_per_s", (float)imagesPerSecond, s);
                }
                sumD = sumG = sumReal = sumFake = 0;
                n = 0;
                interval.Restart();
            }
            if (step % o.SampleEvery == 0 || step == TotalSteps) SaveSamples();
            if (Evaluation is not null && o.EvalEvery > 0 && (step % o.EvalEvery == 0 || step == TotalSteps))
            {
                interval.Stop();  // images/s counts training only
                Evaluate(metrics, clock);
                interval.Start();
            }
            if (step % o.CheckpointEvery == 0) SaveCheckpoint(periodic: true);
            else if (step == TotalSteps) SaveCheckpoint(periodic: false);

            progress?.Report(new TrainingStatus(step, TotalSteps, epoch, r.DLoss, r.GLoss, r.DReal, r.DFake, lr, momentum,
                                                imagesPerSecond, clock.Elapsed));
        }
        return RunOutcome.Completed;
    }

    /// <summary>
    /// Measures the generator with <see cref="Evaluation"/>: a row in metrics.jsonl with the step, the epoch and every
    /// measured value, the values in TensorBoard under eval/, and checkpoints/best.ckpt when the selecting value improved.
    /// </summary>
    void Evaluate(StreamWriter metrics, Stopwatch clock)
    {
        var evaluation = Evaluation!;
        var timer = Stopwatch.StartNew();
        var values = evaluation.Evaluate(Trainer.G);
        var row = new Dictionary<string, object>
        {
            ["step"] = Trainer.Step, ["epoch"] = Math.Round((double)Trainer.DataBatches / Trainer.BatchesPerEpoch, 4),
        };
        foreach (var (name, value) in values) row[name] = value;
        row["eval_s"] = Math.Round(timer.Elapsed.TotalSeconds, 2);
        row["wall_s"] = Math.Round(clock.Elapsed.TotalSeconds, 2);
        metrics.WriteLine(JsonSerializer.Serialize(row));
        foreach (var (name, value) in values) tensorBoard?.add_scalar($"eval/{name}", (float)value, (int)Trainer.Step);

        if (!values.TryGetValue(evaluation.SelectBy, out var score) || !double.IsFinite(score)) return;
        bestSoFar ??= BestLogged(evaluation.SelectBy, evaluation.HigherIsBetter);
        bool better = bestSoFar is not { } best || (evaluation.HigherIsBetter ? score > best : score < best);
        if (!better) return;
        bestSoFar = score;
        Trainer.ToCheckpoint().Write(BestCheckpointPath);
    }

    /// <summary>The best value of <paramref name="key"/> logged before this row (a resumed run's earlier evaluations).</summary>
    double? BestLogged(string key, bool higherIsBetter)
    {
        var logged = File.ReadLines(MetricsPath)
            .Select(line => JsonDocument.Parse(line).RootElement)
            .Where(r => r.TryGetProperty(key, out var v) && r.GetProperty("step").GetInt64() < Trainer.Step && v.ValueKind == JsonValueKind.Number)
            .Select(r => r.GetProperty(key).GetDouble())
            .ToList();
        if (logged.Count == 0 || !File.Exists(BestCheckpointPath)) return null;
        return higherIsBetter ? logged.Max() : logged.Min();
    }

    /// <summary>Writes the fixed-noise sample grid for the current step (samples/step-N.png and samples/last.png).</summary>
    public void SaveSamples()
    {
        using var scope = NewDisposeScope();
        var images = Trainer.G.Generate(fixedNoise);  // [SampleCount, C, H, W]
        var path = Path.Combine(SamplesFolder, $"step-{Trainer.Step:D7}.png");
        ImageGrid.SavePng(images, path);
        File.Copy(path, Path.Combine(SamplesFolder, "last.png"), overwrite: true);
        tensorBoard?.add_img("samples", path, (int)Trainer.Step);
    }

    /// <summary>Writes checkpoints/last.ckpt and, if <paramref name="periodic"/>, checkpoints/step-N.ckpt.</summary>
    public void SaveCheckpoint(bool periodic)
    {
        var checkpoint = Trainer.ToCheckpoint();
        checkpoint.Write(LastCheckpointPath);
        if (periodic) checkpoint.Write(Path.Combine(CheckpointsFolder, $"step-{Trainer.Step:D7}.ckpt"));
    }

    /// <summary>Drops metrics rows logged after <paramref name="step"/> (a crash after the last checkpoint leaves some).</summary>
    void TruncateMetrics(long step)
    {
        if (!File.Exists(MetricsPath)) return;
        var kept = File.ReadLines(MetricsPath).Where(line =>
        {
            try { return JsonDocument.Parse(line).RootElement.GetProperty("step").GetInt64() <= step; }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException) { return false; }
        }).ToList();
        AtomicFile.WriteText(MetricsPath, kept.Count == 0 ? "" : string.Join("\n", kept) + "\n");
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        fixedNoise.Dispose();
        Trainer.Dispose();
    }
}
