using GanSharp.Configuration;

namespace GanSharp.Training;

/// <summary>
/// The layout of one training run's folder — the only place it is spelled:
/// <code>
/// config.json      the resolved configuration
/// metrics.jsonl    a row per logged step and per evaluation
/// samples/         step-NNNNNNN.png grids from one fixed noise batch, last.png, and real.png (training images)
/// checkpoints/     last.ckpt, step-NNNNNNN.ckpt, best.ckpt
/// tb/              TensorBoard event files
/// eval/            evaluation results and figures: NAME-step-NNNNNNN.EXT; references.json (real images' scores)
/// report.html      the run's self-contained report
/// run.lock         held by the one process training the run, removed when it ends (<see cref="RunLock"/>)
/// </code>
/// </summary>
public sealed class RunDirectory
{
    /// <summary>The run's folder (a full path).</summary>
    public string Folder { get; }

    /// <summary>The layout of the run in <paramref name="folder"/> (nothing is created or checked).</summary>
    public RunDirectory(string folder) => Folder = Path.GetFullPath(folder);

    /// <summary>The resolved configuration.</summary>
    public string ConfigPath => Path.Combine(Folder, "config.json");
    /// <summary>The metrics log.</summary>
    public string MetricsPath => Path.Combine(Folder, "metrics.jsonl");
    /// <summary>Folder of the fixed-noise sample grids.</summary>
    public string SamplesFolder => Path.Combine(Folder, "samples");
    /// <summary>The sample grid of step <paramref name="step"/>.</summary>
    public string SamplesPath(long step) => Path.Combine(SamplesFolder, $"step-{step:D7}.png");
    /// <summary>A copy of the newest sample grid.</summary>
    public string LastSamplesPath => Path.Combine(SamplesFolder, "last.png");
    /// <summary>A grid of the run's first training images as the nets see them (written when the run starts).</summary>
    public string RealSamplesPath => Path.Combine(SamplesFolder, "real.png");
    /// <summary>Folder of checkpoints.</summary>
    public string CheckpointsFolder => Path.Combine(Folder, "checkpoints");
    /// <summary>The checkpoint refreshed at every save; <c>--resume</c> continues from it.</summary>
    public string LastCheckpointPath => Path.Combine(CheckpointsFolder, "last.ckpt");
    /// <summary>The checkpoint with the best validation score so far.</summary>
    public string BestCheckpointPath => Path.Combine(CheckpointsFolder, "best.ckpt");
    /// <summary>The periodic checkpoint of step <paramref name="step"/>.</summary>
    public string CheckpointPath(long step) => Path.Combine(CheckpointsFolder, $"step-{step:D7}.ckpt");
    /// <summary>TensorBoard's event files.</summary>
    public string TensorBoardFolder => Path.Combine(Folder, "tb");
    /// <summary>Evaluation results and figures.</summary>
    public string EvalFolder => Path.Combine(Folder, "eval");
    /// <summary><c>eval/NAME-step-NNNNNNN.EXT</c>: one result per measurement and checkpoint.</summary>
    public string EvalPath(string name, long step, string extension = "json") => Path.Combine(EvalFolder, $"{name}-step-{step:D7}.{extension}");
    /// <summary><c>eval/NAME.EXT</c>: a result about the whole run (a curve over its steps).</summary>
    public string EvalPath(string name, string extension) => Path.Combine(EvalFolder, $"{name}.{extension}");

    /// <summary>What the periodic evaluations give real images in place of samples (<c>IPeriodicEvaluation.References</c>).</summary>
    public string ReferencesPath => EvalPath("references", "json");

    /// <summary>The run's self-contained HTML report.</summary>
    public string ReportPath => Path.Combine(Folder, "report.html");

    /// <summary>The fixed-input sample grids written so far (<c>samples/step-N.png</c>), by step.</summary>
    public IEnumerable<(long Step, string Path)> SampleGrids()
    {
        if (!Directory.Exists(SamplesFolder)) return [];
        return Directory.EnumerateFiles(SamplesFolder, "step-*.png")
            .Select(path => (Ok: long.TryParse(Path.GetFileNameWithoutExtension(path)["step-".Length..], out var step), step, path))
            .Where(g => g.Ok).Select(g => (g.step, g.path)).OrderBy(g => g.step);
    }

    /// <summary>The PNG figures in <c>eval/</c> (paper figures, class rows, curves), by name.</summary>
    public IEnumerable<string> Figures() =>
        Directory.Exists(EvalFolder) ? Directory.EnumerateFiles(EvalFolder, "*.png").Order(StringComparer.Ordinal) : [];

    /// <summary>
    /// <c>eval/hype-MODE-YYYYMMDD-HHMMSS[-N].json</c>: the <paramref name="attempt"/>-th name for a HYPE session of
    /// <paramref name="mode"/> started at <paramref name="started"/> (a second session in the same second takes the next).
    /// </summary>
    public string HypeSessionPath(string mode, DateTimeOffset started, int attempt)
    {
        var stem = $"hype-{mode}-{started.UtcDateTime:yyyyMMdd-HHmmss}";
        return EvalPath(attempt == 1 ? stem : $"{stem}-{attempt}", "json");
    }

    /// <summary>The saved HYPE sessions' files, by name.</summary>
    public IEnumerable<string> HypeSessionPaths() =>
        Directory.Exists(EvalFolder) ? Directory.EnumerateFiles(EvalFolder, "hype-*.json").Order(StringComparer.Ordinal) : [];

    /// <summary>The lock file of the one process that may write the run.</summary>
    public string LockPath => Path.Combine(Folder, "run.lock");

    /// <summary>Whether the folder holds a run (it has a config.json).</summary>
    public bool HoldsRun => File.Exists(ConfigPath);

    /// <summary>Reads the run's configuration.</summary>
    /// <exception cref="InputException">Not a run directory, or a bad configuration.</exception>
    public GanConfig ReadConfig()
    {
        if (!HoldsRun) throw new InputException($"{Folder}: not a run directory (no config.json)");
        return GanConfig.FromJson(File.ReadAllText(ConfigPath), ConfigPath);
    }

    /// <summary>
    /// The configuration a resume continues, and the checkpoint it continues from (null when the run was stopped before
    /// its first checkpoint: it starts again from step 0 with config.json's configuration). The checkpoint's copy of the
    /// configuration is the truth; config.json must agree with it, except in the run's length (epochs, steps, CPU budget), which
    /// a resume may have changed just before being stopped.
    /// </summary>
    /// <exception cref="InputException">Not a run, a bad checkpoint, or a config.json that differs from the checkpoint's.</exception>
    public GanConfig ResumeConfig(out Checkpoint? checkpoint)
    {
        if (!Directory.Exists(Folder)) throw new InputException($"{Folder}: no such run folder");
        checkpoint = File.Exists(LastCheckpointPath) ? Checkpoint.Read(LastCheckpointPath) : null;
        if (checkpoint is not null && !HoldsRun) return checkpoint.Config;  // config.json deleted: the checkpoint says it all
        var fromFile = ReadConfig();
        if (checkpoint is null) return fromFile;
        var differences = checkpoint.Config.DifferencesFrom(fromFile).Where(k => k is not ("train.steps" or "train.epochs" or "train.cpu-minutes")).ToList();
        if (differences.Count > 0)
            throw new InputException(
                $"{ConfigPath} differs from the configuration in {LastCheckpointPath} at {string.Join(", ", differences)}: " +
                "the checkpoint is the truth; restore config.json (or delete it: resume rewrites it from the checkpoint)");
        return checkpoint.Config with { Train = checkpoint.Config.Train with
        {
            Steps = fromFile.Train.Steps, Epochs = fromFile.Train.Epochs, CpuMinutes = fromFile.Train.CpuMinutes,
        } };
    }

    /// <summary>The run a checkpoint file belongs to (one inside <c>RUN/checkpoints/</c> of a run folder), or null.</summary>
    public static RunDirectory? OfCheckpoint(string checkpointPath)
    {
        var folder = Path.GetDirectoryName(Path.GetDirectoryName(Path.GetFullPath(checkpointPath)));
        if (folder is null) return null;
        var run = new RunDirectory(folder);
        return run.HoldsRun && Path.GetFullPath(checkpointPath).StartsWith(run.CheckpointsFolder + Path.DirectorySeparatorChar) ? run : null;
    }

    /// <summary>
    /// Refuses a folder that already has content: a run never overwrites another run, or anything else. A folder left by
    /// a run killed before it wrote its configuration (only its lock file and temporary files) counts as empty.
    /// </summary>
    /// <exception cref="InputException">The folder exists and is not empty.</exception>
    public static void EnsureNew(string folder)
    {
        var run = new RunDirectory(folder);
        if (run.HoldsRun)
            throw new InputException($"{folder} already holds a run: continue it with --resume {folder}, or choose another --out");
        if (File.Exists(folder)) throw new InputException($"{folder} is a file: --out names a folder to create");
        if (Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder)
                .Any(e => Path.GetFullPath(e) != run.LockPath && !AtomicFile.IsTemporary(Path.GetFileName(e))))
            throw new InputException($"{folder} exists and is not an empty folder: choose another --out");
    }
}
