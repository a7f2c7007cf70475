using System.Text.Json;
using GanSharp.Configuration;
using GanSharp.Data;
using GanSharp.Training;

namespace GanSharp.Experiments;

/// <summary>
/// A sweep's folder: <c>sweep.json</c> (the plan), one run folder per preset and seed (<c>PRESET-seedN/</c>, ordinary
/// runs that <c>gan train --resume</c> also continues), and what <see cref="Summarise"/> writes: <c>summary.json</c>,
/// <c>summary.md</c> and a plot of a metric against training CPU minutes.
/// </summary>
public sealed class SweepDirectory(string folder)
{
    /// <summary>The sweep's folder (a full path).</summary>
    public string Folder { get; } = Path.GetFullPath(folder);
    /// <summary>The plan.</summary>
    public string PlanPath => Path.Combine(Folder, "sweep.json");
    /// <summary>Per-run and per-preset results as JSON.</summary>
    public string SummaryJsonPath => Path.Combine(Folder, "summary.json");
    /// <summary>The table of means ± standard deviations, as Markdown.</summary>
    public string SummaryTablePath => Path.Combine(Folder, "summary.md");
    /// <summary>The plot of <paramref name="metric"/> against training CPU minutes.</summary>
    public string PlotPath(string metric) => Path.Combine(Folder, $"{metric}-vs-cpu.png");
    /// <summary>The run folder of one preset and seed.</summary>
    /// <summary>The page of every run side by side (<c>gan compare</c>'s), written with the summary.</summary>
    public string ComparePath => Path.Combine(Folder, "compare.html");

    public string RunFolder(string runName) => Path.Combine(Folder, runName);

    /// <summary>Whether the folder holds a sweep.</summary>
    public bool HoldsSweep => File.Exists(PlanPath);

    /// <summary>Creates the sweep's folder (new or empty) and writes its plan.</summary>
    /// <exception cref="InputException">A bad plan, or a folder that holds something.</exception>
    public static SweepDirectory Create(string folder, SweepPlan plan) => Create(folder, plan, out _);

    /// <summary>
    /// Creates the sweep's folder (new or empty), copies the plan's configuration files into <c>configs/</c> and writes
    /// the plan, which names those copies (<paramref name="saved"/>: the plan as the folder now holds it).
    /// </summary>
    /// <exception cref="InputException">A bad plan, or a folder that holds something.</exception>
    public static SweepDirectory Create(string folder, SweepPlan plan, out SweepPlan saved)
    {
        plan.Validate();
        var sweep = EnsureNew(folder);
        Directory.CreateDirectory(sweep.Folder);
        var entries = plan.Presets.Select(entry =>
        {
            if (!SweepPlan.IsConfigFile(entry) || plan.PresetLookup is not null) return entry;
            var copy = Path.Combine("configs", Path.GetFileName(entry));
            Directory.CreateDirectory(Path.Combine(sweep.Folder, "configs"));
            AtomicFile.WriteText(Path.Combine(sweep.Folder, copy), File.ReadAllText(plan.ConfigPath(entry)));
            return copy;
        }).ToArray();
        saved = plan with { Presets = entries, ConfigFolder = sweep.Folder };
        AtomicFile.WriteText(sweep.PlanPath, saved.ToJson() + "\n");
        return sweep;
    }

    /// <summary>Refuses a folder that exists and holds anything (a file, or a folder with entries), saying what it holds.</summary>
    /// <exception cref="InputException">The folder is not new or empty.</exception>
    public static SweepDirectory EnsureNew(string folder)
    {
        var sweep = new SweepDirectory(folder);
        if (File.Exists(sweep.Folder)) throw new InputException($"{folder} is a file, not a folder for a sweep");
        if (Directory.Exists(sweep.Folder) && Directory.EnumerateFileSystemEntries(sweep.Folder).Any())
            throw new InputException(sweep.HoldsSweep
                ? $"{folder} already holds a sweep: continue it with 'gan sweep --resume {folder}'"
                : $"{folder} is not empty: a sweep needs a new folder");
        return sweep;
    }

    /// <summary>Opens the sweep in <paramref name="folder"/>.</summary>
    /// <exception cref="InputException">No such folder, or no readable plan in it.</exception>
    public static SweepDirectory Open(string folder, out SweepPlan plan) => Open(folder, out plan, null);

    internal static SweepDirectory Open(string folder, out SweepPlan plan, Func<string, GanConfig>? presetLookup)
    {
        var sweep = new SweepDirectory(folder);
        if (!Directory.Exists(sweep.Folder)) throw new InputException($"{folder}: no such sweep folder");
        if (!sweep.HoldsSweep) throw new InputException($"{folder}: not a sweep (no sweep.json)");
        plan = SweepPlan.FromJson(File.ReadAllText(sweep.PlanPath), sweep.PlanPath, presetLookup, sweep.Folder);
        return sweep;
    }

    /// <summary>
    /// Trains every run of <paramref name="plan"/> that has not reached its budget, in order: a new run starts, a begun
    /// one resumes exactly from its last checkpoint, a finished one is left as it is. Returns false if a run was
    /// interrupted (its checkpoint is saved; the sweep continues from there when trained again).
    /// </summary>
    /// <param name="plan">The sweep's plan.</param>
    /// <param name="inputs">A run's training images and evaluation (the caller loads and owns them, once per dataset).</param>
    /// <param name="train">Trains one run (with the caller's progress display and cancellation); returns how it ended.</param>
    /// <param name="task">Only the plan's run of this index (<see cref="SweepPlan.Task"/>): what one task of a scheduler's job array trains.</param>
    public bool Train(SweepPlan plan, Func<GanConfig, (TrainingSet Train, IPeriodicEvaluation Evaluation)> inputs,
                      Func<string, TrainingRun, RunOutcome> train, int? task = null)
    {
        foreach (var (name, _, _, config) in task is { } index ? [plan.Task(index)] : plan.Runs())
        {
            var (images, evaluation) = inputs(config);
            var folder = RunFolder(name);
            var runDirectory = new RunDirectory(folder);
            using var run = runDirectory.HoldsRun || File.Exists(runDirectory.LastCheckpointPath)
                ? TrainingRun.Resume(folder, images)
                : TrainingRun.Start(config, folder, images);
            run.Evaluation = evaluation;
            if (train(name, run) == RunOutcome.Interrupted) return false;
        }
        return true;
    }

    /// <summary>
    /// Reads every run's evaluations and writes summary.json, summary.md (mean ± standard deviation over seeds of each
    /// metric at the end of the budget, per preset), compare.html (the runs side by side) and a plot of <paramref name="plotMetric"/> against training CPU
    /// minutes (one line per run, a colour per preset). Runs not yet evaluated at their end are left out of the table.
    /// </summary>
    public SweepSummary Summarise(SweepPlan plan, string? plotMetric = null)
    {
        var runs = new List<SweepRunResult>();
        foreach (var (name, preset, seed, _) in plan.Runs())
            if (Progress(plan, name, preset, seed) is { } run) runs.Add(run);
        var summary = new SweepSummary(plan, runs);
        AtomicFile.WriteText(SummaryJsonPath, JsonSerializer.Serialize(summary, GanConfig.Json) + "\n");
        AtomicFile.WriteText(SummaryTablePath, summary.Markdown());
        var begun = runs.Select(r => RunFolder(r.Name)).Where(f => new RunDirectory(f).HoldsRun).ToList();
        if (begun.Count >= 2) Reports.RunComparison.Read(begun).WriteHtml(ComparePath, againstCpuMinutes: plan.CpuMinutes is not null);
        plotMetric ??= summary.DefaultPlotMetric;
        if (plotMetric is not null && runs.Any(r => r.Evaluations.Any(e => e.Values.ContainsKey(plotMetric))))
            Imaging.Plots.Series(PlotPath(plotMetric),
                runs.Select(r => (r.Preset, r.Evaluations.Where(e => e.Step > 0 && e.Values.ContainsKey(plotMetric))
                                                   .Select(e => (e.CpuMinutes, e.Values[plotMetric])).ToArray())).ToList(),
                $"{SweepSummary.Label(plotMetric)} against training CPU time ({plan.Seeds.Length} seeds per preset)",
                "training CPU minutes (all threads)", SweepSummary.Label(plotMetric));
        return summary;
    }

    /// <summary>
    /// Where the run <paramref name="name"/> has got to, from its metrics.jsonl: its last iteration and training CPU time,
    /// its evaluations, and whether it is finished (its budget reached and evaluated at its end); null before it began.
    /// </summary>
    SweepRunResult? Progress(SweepPlan plan, string name, string preset, long seed)
    {
        var metrics = new RunDirectory(RunFolder(name)).MetricsPath;
        if (!File.Exists(metrics)) return null;
        var evaluations = new List<SweepPoint>();
        long lastStep = 0;
        double lastCpu = 0;
        foreach (var r in MetricsFile.Read(metrics).Rows)
        {
            lastStep = (long)r["step"];
            if (r.TryGetValue("train_cpu_s", out var cpu)) lastCpu = cpu;
            if (!MetricsFile.IsEvaluation(r)) continue;
            var values = r.Where(p => SweepSummary.Metrics.Any(m => m.Key == p.Key)).ToDictionary(p => p.Key, p => p.Value);
            evaluations.Add(new SweepPoint(lastStep, lastCpu / 60, values));
        }
        bool finished = evaluations.Count > 0 && evaluations[^1].Step == lastStep && Reached(plan, lastStep, lastCpu);
        return new SweepRunResult(name, preset, seed, finished, lastStep, lastCpu / 60, evaluations);
    }

    /// <summary>Where task <paramref name="index"/>'s run has got to (null: not begun).</summary>
    public SweepRunResult? Progress(SweepPlan plan, int index)
    {
        var (name, preset, seed, _) = plan.Task(index);
        return Progress(plan, name, preset, seed);
    }

    static bool Reached(SweepPlan plan, long step, double trainingCpu) =>
        plan.Steps is { } steps ? step >= steps : trainingCpu >= plan.CpuMinutes!.Value * 60;
}
