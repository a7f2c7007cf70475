using System.Text.Json;
using System.Text.Json.Serialization;
using GanSharp.Configuration;
using GanSharp.Data;
using GanSharp.Evaluation;
using GanSharp.Training;

namespace GanSharp.Experiments;

/// <summary>
/// The plan of a sweep: every preset trained with every seed at one budget — CPU minutes (fair between nets of
/// different cost, as Lucic et al. 2018 compare) or iterations (exact and repeatable) — and evaluated along the way.
/// Saved as <c>sweep.json</c> in the sweep's folder; a resumed sweep follows it.
/// </summary>
public sealed record SweepPlan
{
    /// <summary>The presets to compare (<see cref="Configuration.Presets.Names"/>).</summary>
    public string[] Presets { get; init; } = [];
    /// <summary>The seeds each preset trains with.</summary>
    public long[] Seeds { get; init; } = [1, 2, 3];
    /// <summary>Budget per run in training CPU minutes (see <see cref="TrainConfig.CpuMinutes"/>); or null with <see cref="Steps"/>.</summary>
    public double? CpuMinutes { get; init; }
    /// <summary>Budget per run in iterations; or null with <see cref="CpuMinutes"/>.</summary>
    public long? Steps { get; init; }
    /// <summary>What each evaluation measures (<see cref="PeriodicEvaluations.Known"/>).</summary>
    public string[] Eval { get; init; } = ["features"];
    /// <summary>Evaluations along each run, evenly spaced over its budget (the last at its end), besides one at the start.</summary>
    public int Evaluations { get; init; } = 4;
    /// <summary>CPU threads per run (runs go one after another).</summary>
    public int Threads { get; init; } = 1;
    /// <summary>Sample and evaluate a moving average of G (β 0.999) in every run.</summary>
    public bool Ema { get; init; }

    /// <summary>Where preset names are looked up (null: <see cref="Configuration.Presets.Get"/>); tests sweep tiny nets.</summary>
    [JsonIgnore] internal Func<string, GanConfig>? PresetLookup { get; init; }

    /// <summary>The plan's problems, each a line a user can act on (none: it can run).</summary>
    public IEnumerable<string> Problems()
    {
        if (Presets.Length == 0) yield return "name at least one preset";
        foreach (var name in Presets.Where(n => PresetLookup is null && !Configuration.Presets.Names.Contains(n)))
            yield return $"unknown preset '{name}' (known: {string.Join(", ", Configuration.Presets.Names)})";
        if (Presets.Distinct().Count() != Presets.Length) yield return "a preset is named twice";
        if (Seeds.Length == 0) yield return "name at least one seed";
        if (Seeds.Distinct().Count() != Seeds.Length) yield return "a seed is named twice";
        if ((CpuMinutes is null) == (Steps is null)) yield return "give the budget once: CPU minutes or iterations";
        if (CpuMinutes is { } m && !(m > 0 && m <= 1e9)) yield return $"the CPU budget must be a positive number of minutes (got {m})";
        if (Steps is <= 0) yield return $"the iteration budget must be positive (got {Steps})";
        if (Eval.Length == 0) yield return $"name at least one evaluation (known: {string.Join(", ", PeriodicEvaluations.Known)})";
        foreach (var name in Eval.Where(n => !PeriodicEvaluations.Known.Contains(n)))
            yield return $"unknown evaluation '{name}' (known: {string.Join(", ", PeriodicEvaluations.Known)})";
        if (Evaluations < 1) yield return $"evaluations must be at least 1 (got {Evaluations})";
        if (Threads < 0) yield return $"threads must be positive, or 0 for one per core (got {Threads})";
    }

    /// <summary>Refuses a plan with a problem, naming the first.</summary>
    /// <exception cref="InputException">The first of <see cref="Problems"/>.</exception>
    public void Validate()
    {
        if (Problems().FirstOrDefault() is { } problem) throw new InputException(problem);
    }

    /// <summary>The folder name of the run of <paramref name="preset"/> with <paramref name="seed"/> inside the sweep's folder.</summary>
    public static string RunName(string preset, long seed) => $"{preset}-seed{seed}";

    /// <summary>The runs of the plan, preset by preset, with the configuration each trains.</summary>
    public IEnumerable<(string Name, string Preset, long Seed, GanConfig Config)> Runs()
    {
        foreach (var preset in Presets)
            foreach (var seed in Seeds)
            {
                var c = (PresetLookup ?? Configuration.Presets.Get)(preset);
                c = c with
                {
                    Train = c.Train with { Seed = seed, Threads = Threads, Steps = Steps, CpuMinutes = CpuMinutes },
                    Output = c.Output with
                    {
                        Eval = Eval,
                        EvalEvery = Steps is { } s ? (int)Math.Max(1, s / Evaluations) : 0,
                        EvalEveryCpuMinutes = CpuMinutes / Evaluations,
                        TensorBoard = false,  // the sweep's table and plot are its summary
                        SkipStartEvaluation = true,  // runs are compared along and at the end of their budgets
                    },
                    Ema = Ema ? c.Ema ?? new EmaConfig() : c.Ema,
                };
                yield return (RunName(preset, seed), preset, seed, c);
            }
    }

    /// <summary>The plan as indented JSON (the keys of <see cref="GanConfig.Json"/>'s style).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, GanConfig.Json);

    /// <summary>Reads a plan written by <see cref="ToJson"/>; <paramref name="source"/> names the file in errors.</summary>
    /// <exception cref="InputException">Not a plan, or a plan with a problem.</exception>
    public static SweepPlan FromJson(string json, string source) => FromJson(json, source, null);

    internal static SweepPlan FromJson(string json, string source, Func<string, GanConfig>? presetLookup)
    {
        SweepPlan? plan;
        try { plan = JsonSerializer.Deserialize<SweepPlan>(json, GanConfig.Json); }
        catch (JsonException e) { throw new InputException($"{source}: not a sweep plan ({e.Message.Split(" Path:")[0]})"); }
        if (plan is null) throw new InputException($"{source}: not a sweep plan");
        plan = plan with { PresetLookup = presetLookup };
        if (plan.Problems().FirstOrDefault() is { } problem) throw new InputException($"{source}: {problem}");
        return plan;
    }
}

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
    public static SweepDirectory Create(string folder, SweepPlan plan)
    {
        plan.Validate();
        var sweep = EnsureNew(folder);
        Directory.CreateDirectory(sweep.Folder);
        AtomicFile.WriteText(sweep.PlanPath, plan.ToJson() + "\n");
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
        plan = SweepPlan.FromJson(File.ReadAllText(sweep.PlanPath), sweep.PlanPath, presetLookup);
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
    public bool Train(SweepPlan plan, Func<GanConfig, (ImageDataset Train, IPeriodicEvaluation Evaluation)> inputs,
                      Func<string, TrainingRun, RunOutcome> train)
    {
        foreach (var (name, _, _, config) in plan.Runs())
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
        {
            var metrics = new RunDirectory(RunFolder(name)).MetricsPath;
            if (!File.Exists(metrics)) continue;
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
            runs.Add(new SweepRunResult(name, preset, seed, finished, lastStep, lastCpu / 60, evaluations));
        }
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

    static bool Reached(SweepPlan plan, long step, double trainingCpu) =>
        plan.Steps is { } steps ? step >= steps : trainingCpu >= plan.CpuMinutes!.Value * 60;
}

/// <summary>One evaluation of a sweep's run: at an iteration and a training CPU time, its metric values.</summary>
public sealed record SweepPoint(long Step, double CpuMinutes, IReadOnlyDictionary<string, double> Values);

/// <summary>One run of a sweep: where it got to, and its evaluations in order (the last at the end of its budget).</summary>
public sealed record SweepRunResult(string Name, string Preset, long Seed, bool Finished, long Steps, double CpuMinutes,
                                    IReadOnlyList<SweepPoint> Evaluations);

/// <summary>A metric of a sweep's table: mean and sample standard deviation over the seeds of a preset.</summary>
public sealed record SweepStatistic(double Mean, double StandardDeviation, int Count);

/// <summary>A row of a sweep's table: a preset's finished runs, their mean length, and each metric's statistics over them.</summary>
public sealed record SweepRow(string Preset, int Runs, double Steps, double CpuMinutes, IReadOnlyDictionary<string, SweepStatistic> Metrics);

/// <summary>
/// What a sweep measured: each run, and per preset the mean ± standard deviation over its finished seeds of every metric
/// at the end of the budget.
/// </summary>
public sealed record SweepSummary(SweepPlan Plan, IReadOnlyList<SweepRunResult> Runs)
{
    /// <summary>The metrics a sweep tabulates, in table order, with their labels (↑/↓: which way is better).</summary>
    public static readonly IReadOnlyList<KeyValuePair<string, string>> Metrics =
    [
        new("fid_valid", "Fréchet ↓"), new("kid_valid", "kernel distance ↓"), new("precision_valid", "precision ↑"),
        new("recall_valid", "recall ↑"), new("density_valid", "density"), new("coverage_valid", "coverage ↑"),
        new("classifier_score", "classifier score ↑"), new("parzen_test", "Parzen ↑"),
    ];

    /// <summary>The label of <paramref name="metric"/> in tables and plots.</summary>
    public static string Label(string metric) => Metrics.FirstOrDefault(m => m.Key == metric).Value ?? metric;

    /// <summary>The metric plotted when none is named: Parzen if measured, else the Fréchet distance.</summary>
    [JsonIgnore]
    public string? DefaultPlotMetric => new[] { "parzen_test", "fid_valid" }.FirstOrDefault(m => Runs.Any(r => r.Evaluations.Any(e => e.Values.ContainsKey(m))));

    /// <summary>Per preset (in the plan's order): the finished runs' statistics of each metric at the end of the budget.</summary>
    public IReadOnlyList<SweepRow> Table => [.. Plan.Presets.Select(Row).OfType<SweepRow>()];

    SweepRow? Row(string preset)
    {
        var finished = Runs.Where(r => r.Preset == preset && r.Finished).ToList();
        if (finished.Count == 0) return null;
        var stats = new Dictionary<string, SweepStatistic>();
        foreach (var (key, _) in Metrics)
        {
            var values = finished.Select(r => r.Evaluations[^1].Values.TryGetValue(key, out var v) ? v : double.NaN)
                                 .Where(double.IsFinite).ToArray();
            if (values.Length == finished.Count) stats[key] = Statistic(values);
        }
        return new SweepRow(preset, finished.Count, finished.Average(r => r.Steps), finished.Average(r => r.CpuMinutes), stats);
    }

    /// <summary>Mean and sample standard deviation (n − 1; 0 for one value).</summary>
    public static SweepStatistic Statistic(IReadOnlyList<double> values)
    {
        double mean = values.Average();
        double sd = values.Count < 2 ? 0 : Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
        return new SweepStatistic(mean, sd, values.Count);
    }

    /// <summary>"mean ± sd", with decimals for the larger of the two: 1 from 100, 2 from 10, else 3.</summary>
    public static string Format(SweepStatistic s)
    {
        double scale = Math.Max(Math.Abs(s.Mean), s.StandardDeviation);
        int decimals = scale >= 100 ? 1 : scale >= 10 ? 2 : 3;
        return s.Count < 2 ? s.Mean.ToString($"F{decimals}") : $"{s.Mean.ToString($"F{decimals}")} ± {s.StandardDeviation.ToString($"F{decimals}")}";
    }

    /// <summary>The table as Markdown, headed by the budget and seeds.</summary>
    public string Markdown()
    {
        var table = Table;
        var keys = Metrics.Where(m => table.Any(r => r.Metrics.ContainsKey(m.Key))).ToList();
        var budget = Plan.CpuMinutes is { } m ? $"{m:G4} training CPU minutes per run" : $"{Plan.Steps:N0} iterations per run";
        var w = new System.Text.StringBuilder();
        w.AppendLine($"Budget: {budget}, {Plan.Threads} thread{(Plan.Threads == 1 ? "" : "s")}; seeds {string.Join(", ", Plan.Seeds)}; " +
                     $"mean ± standard deviation over seeds{(Plan.Ema ? "; moving average of G" : "")}.");
        w.AppendLine();
        w.AppendLine("| preset | runs | iterations | training CPU min | " + string.Join(" | ", keys.Select(k => k.Value)) + " |");
        w.AppendLine("|---|---:|---:|---:|" + string.Concat(keys.Select(_ => "---:|")));
        foreach (var r in table)
            w.AppendLine($"| `{r.Preset}` | {r.Runs} | {r.Steps:N0} | {r.CpuMinutes:F1} | " +
                         string.Join(" | ", keys.Select(k => r.Metrics.TryGetValue(k.Key, out var s) ? Format(s) : "–")) + " |");
        var unfinished = Runs.Where(r => !r.Finished).Select(r => r.Name).ToList();
        if (unfinished.Count > 0) w.AppendLine().AppendLine($"Not yet finished (left out): {string.Join(", ", unfinished)}.");
        return w.ToString();
    }
}
