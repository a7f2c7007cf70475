using GanSharp.Configuration;
using GanSharp.Data;
using static TorchSharp.torch;

namespace GanSharp.Training;

/// <summary>
/// One training run: a game in training (<see cref="Trainer"/>) in its folder (<see cref="RunDirectory"/>), held by one
/// process (its lock) from <see cref="Start"/> or <see cref="Resume"/> to <see cref="Dispose"/>. <see cref="Run"/> is the
/// loop; around each iteration of the game it writes what the folder holds — metrics rows and TensorBoard events
/// (<see cref="IntervalMetrics"/>), the fixed-input grids (<see cref="SampleGrids"/>), evaluations and best.ckpt
/// (<see cref="EvaluationSchedule"/>), checkpoints — until the run's length or CPU budget (<see cref="RunBudget"/>).
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
    public long TotalSteps => budget.TotalSteps;
    /// <summary>The run's budget of training CPU seconds (<see cref="TrainConfig.CpuMinutes"/>), or null.</summary>
    public double? CpuBudgetSeconds => budget.CpuBudgetSeconds;
    /// <summary>Whether the run has reached its length or its CPU budget (a resumed finished run: <see cref="Run"/> does nothing).</summary>
    public bool Finished => budget.Finished(Trainer.Step);
    /// <summary>CPU seconds the run has spent training so far, every process that worked on it (evaluations excluded).</summary>
    public double TrainingCpuSeconds() => budget.TrainingCpuSeconds();
    /// <summary>What opening the run found and mended, a line each for the user (a torn last metrics row dropped on resume).</summary>
    public IReadOnlyList<string> Notices => notices;

    /// <summary>
    /// What to measure every <see cref="OutputConfig.EvalEvery"/> iterations (null: nothing). Set it before
    /// <see cref="Run"/>; the run does not own it.
    /// </summary>
    public IPeriodicEvaluation? Evaluation { get; set; }

    private readonly RunBudget budget;
    private readonly SampleGrids grids;
    private readonly List<string> notices = [];
    private RunLock? runLock;                          // held from Start or Resume until Dispose
    private MetricsLog? metrics;
    private (string Path, long Step)? lastCheckpoint;  // the newest checkpoint this run has on disk

    private TrainingRun(string folder, Trainer trainer)
    {
        Directory = new RunDirectory(folder);
        Trainer = trainer;
        budget = new RunBudget(trainer.Config.Train, trainer.TotalSteps);
        grids = new SampleGrids(trainer, Directory);
    }

    /// <summary>
    /// Starts a new run in <paramref name="folder"/> (created; it must not already hold a run). The model's image shape
    /// is taken from the data; the thread count is resolved and recorded so that the run can be repeated exactly. The
    /// configuration is validated and the nets built before anything is written; the run's lock is held until
    /// <see cref="Dispose"/>.
    /// </summary>
    /// <param name="config">The configuration (preset, file, flags); resolved here against the data.</param>
    /// <param name="folder">The run folder to create.</param>
    /// <param name="train">The training images (one dataset, or two domains).</param>
    /// <param name="game">How the game is built (default: GanSharp's, from the configuration); pass your own nets or game here.</param>
    /// <exception cref="InputException">A bad configuration, a folder that is not new, or another process writing it.</exception>
    public static TrainingRun Start(GanConfig config, string folder, TrainingSet train, GameBuilder? game = null)
    {
        RunDirectory.EnsureNew(folder);
        config.Validate();                 // before anything acts on it (threads, device)
        config = RunConfiguration.Resolve(config, train);
        config.Validate();                 // with the data's image shape
        var run = new TrainingRun(folder, new Trainer(config, train, game ?? GameBuilder.BuiltIn));
        bool created = !System.IO.Directory.Exists(run.Folder);
        try
        {
            System.IO.Directory.CreateDirectory(run.Folder);
            run.runLock = RunLock.Take(run.Directory);
            RunDirectory.EnsureNew(folder);  // again under the lock: another process may have started a run here meanwhile
            AtomicFile.RemoveLeftovers(run.Folder);
            AtomicFile.WriteText(run.Directory.ConfigPath, config.ToJson() + "\n");
            SampleGrids.SaveReal(train, run.Directory, config.Output.SampleCount);
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
    /// temporary files a killed writer left, and drops the metrics rows logged after the checkpoint (all of them when
    /// there is none: the run starts again from nothing), saying so in <see cref="Notices"/> when the last was torn. A run
    /// of a caller's own game resumes with the same <paramref name="game"/> it started with.
    /// </summary>
    /// <exception cref="InputException">
    /// Not a run, a bad checkpoint or config.json, data of another shape than the run's, a length shorter than what was
    /// done, or another process writing the run.
    /// </exception>
    public static TrainingRun Resume(string folder, TrainingSet train, Func<TrainConfig, TrainConfig>? extend = null, GameBuilder? game = null)
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
            RunConfiguration.CheckShape(config, train, folder);
            RunConfiguration.ApplyThreads(config.Train.Threads);
            run = new TrainingRun(folder, new Trainer(config, train, game ?? GameBuilder.BuiltIn, loadPlayers: checkpoint is null)) { runLock = runLock };
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
            if (MetricsFile.Truncate(directory.MetricsPath, done, keepStep: checkpoint is not null) is { } torn) run.notices.Add(torn);
            run.budget.ContinueFrom(MetricsFile.Read(directory.MetricsPath));
            return run;
        }
        catch
        {
            if (run is not null) run.Dispose();
            else runLock.Dispose();
            throw;
        }
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

    /// <summary>The loop, one iteration of the game at a time, and what the run writes after it.</summary>
    RunOutcome Loop(CancellationToken cancel, IProgress<TrainingStatus>? progress)
    {
        var o = Config.Output;
        metrics ??= new MetricsLog(Directory.MetricsPath, o.TensorBoard ? Directory.TensorBoardFolder : null);
        var evaluations = Evaluation is null ? null : new EvaluationSchedule(Evaluation, o, Directory);
        var interval = new IntervalMetrics((long)Config.Train.Batch * Trainer.Game.BatchesPerStep);
        budget.StartProcess();
        interval.Restart();

        if (Trainer.Step == 0)                                           // the untrained generator's grid and evaluation
        {
            SaveGrid();
            if (evaluations is { AtStart: true }) evaluations.Evaluate(Trainer, budget, metrics, budget.TrainingCpuSeconds());
            interval.Restart();                                          // images/s counts training only
        }
        evaluations?.StartAt(budget.TrainingCpuSeconds());
        if (Finished) return RunOutcome.Completed;                       // a finished run, resumed: nothing to do
        bool timed = budget.Timed(evaluations is { ByTime: true });
        while (Trainer.Step < TotalSteps)
        {
            if (cancel.IsCancellationRequested)
            {
                if (interval.Pending) interval.Write(metrics, Trainer, budget);  // the unfinished interval: no iteration goes unlogged
                SaveCheckpoint(periodic: false);
                return RunOutcome.Interrupted;
            }
            double lr = Trainer.LearningRate, momentum = Trainer.Momentum;
            var scalars = Trainer.TrainStep();                           // one iteration of the game
            interval.Add(scalars, lr, momentum);
            long step = Trainer.Step;
            double trainingCpu = timed ? budget.TrainingCpuSeconds() : 0;  // read only when a budget or a timed evaluation needs it
            bool last = budget.EndsAt(step, trainingCpu);

            if (step % o.LogEvery == 0 || last) interval.Write(metrics, Trainer, budget);
            if (step % o.SampleEvery == 0 || last) SaveGrid();
            if (evaluations is not null && evaluations.Due(step, trainingCpu, last))
            {
                interval.Pause();                                        // images/s counts training only
                evaluations.Evaluate(Trainer, budget, metrics, trainingCpu);
                interval.Continue();
            }
            if (step % o.CheckpointEvery == 0) SaveCheckpoint(periodic: true);
            else if (last) SaveCheckpoint(periodic: false);

            progress?.Report(new TrainingStatus(step, TotalSteps, (double)Trainer.DataBatches / Trainer.BatchesPerEpoch, scalars,
                                                lr, momentum, interval.ImagesPerSecond, budget.Wall.Elapsed, trainingCpu, CpuBudgetSeconds));
            if (last) break;
        }
        return RunOutcome.Completed;
    }

    /// <summary>Writes the fixed-input sample grid for the current step (samples/step-N.png and samples/last.png), and to TensorBoard.</summary>
    public void SaveSamples() => SaveGrid();

    void SaveGrid() => grids.Save(path => metrics?.Image("samples", path, Trainer.Step));

    /// <summary>Writes checkpoints/last.ckpt and, if <paramref name="periodic"/>, checkpoints/step-N.ckpt.</summary>
    /// <exception cref="TrainingDivergedException">The trained nets are not finite or draw non-finite images: nothing is written.</exception>
    public void SaveCheckpoint(bool periodic)
    {
        grids.CheckFinite();
        var checkpoint = Trainer.ToCheckpoint();  // refuses non-finite weights
        checkpoint.Write(Directory.LastCheckpointPath);
        lastCheckpoint = (Directory.LastCheckpointPath, Trainer.Step);
        if (periodic) checkpoint.Write(Directory.CheckpointPath(Trainer.Step));
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        metrics?.Dispose();
        grids.Dispose();
        Trainer.Dispose();
        runLock?.Dispose();
    }
}
