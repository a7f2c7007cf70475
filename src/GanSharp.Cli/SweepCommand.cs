using System.CommandLine;
using System.Text.Json;
using GanSharp.Configuration;
using GanSharp.Data;
using GanSharp.Evaluation;
using GanSharp.Experiments;
using GanSharp.Training;
using Spectre.Console;

namespace GanSharp.Cli;

/// <summary>
/// <c>gan sweep</c>: presets × seeds at one budget, one run after another into one folder, then a table (mean ± standard
/// deviation over seeds) and a plot of a metric against training CPU time. Resumable: <c>--resume DIR</c> continues the
/// run that was interrupted and skips the finished ones.
/// </summary>
static class SweepCommand
{
    static readonly Option<string?> PresetList = Cli.Option<string?>("--presets", $"Presets to compare, comma-separated (known: {string.Join(", ", Presets.Names)})");
    static readonly Option<string?> SeedList = Cli.Option<string?>("--seeds", "Seeds per preset, comma-separated (default 1,2,3)");
    static readonly Option<double?> CpuMinutes = Cli.Option<double?>("--cpu-minutes", "Budget per run: N minutes of training CPU time (all threads, evaluations excluded)").Within(1e-3, 1e9);
    static readonly Option<long?> Steps = Cli.Option<long?>("--steps", "Budget per run: N iterations (exact and repeatable; nets of different cost get different CPU time)").Positive();
    static readonly Option<string?> Eval = Cli.Option<string?>("--eval", $"What each evaluation measures, comma-separated (default features; known: {string.Join(", ", PeriodicEvaluations.Known)})");
    static readonly Option<int?> Evaluations = Cli.Option<int?>("--evaluations", "Evaluations along each run's budget, evenly spaced, the last at its end (default 4; none at step 0)").Within(1, 1000);
    static readonly Option<int?> Threads = Cli.Option<int?>("--threads", "CPU threads per run (default 1: runs are compared on one core each)").Within(0);
    static readonly Option<bool> Ema = Cli.Option<bool>("--ema", "Keep a moving average of G in every run, which the evaluations then measure");
    static readonly Option<string?> Plot = Cli.Option<string?>("--plot", "The metric plotted against CPU time (default parzen_test if measured, else fid_valid)");
    static readonly Option<string?> Out = CommonOptions.Out("The sweep folder to create (default runs/sweep-<time>)");
    static readonly Option<string?> Resume = Cli.Option<string?>("--resume", "Continue the sweep in DIR: finish its interrupted run and train the ones not begun");

    public static Command Create()
    {
        var command = new Command("sweep", "Train presets × seeds at an equal budget and tabulate their metrics (mean ± std over seeds)")
        {
            Options = { PresetList, SeedList, CpuMinutes, Steps, Eval, Evaluations, Threads, Ema, Plot, Out, Resume, CommonOptions.DataDir },
        };
        command.SetAction(Run);
        return command;
    }

    static int Run(ParseResult p)
    {
        var resume = p.GetValue(Resume);
        Option[] planned = [PresetList, SeedList, CpuMinutes, Steps, Eval, Evaluations, Threads, Ema, Out];
        if (resume is not null && planned.FirstOrDefault(o => p.GetResult(o) is { Implicit: false }) is { } clash)
            throw new InputException($"{clash.Name} cannot be combined with --resume: a sweep keeps the plan in its sweep.json");

        SweepPlan plan;
        SweepDirectory? sweep = null;
        string folder;
        if (resume is not null)
        {
            sweep = SweepDirectory.Open(resume, out plan);
            folder = resume;
        }
        else
        {
            plan = Configure(p);
            plan.Validate();
            folder = p.GetValue(Out) ?? Path.Combine("runs", $"sweep-{DateTime.Now:yyyyMMdd-HHmmss}");
            SweepDirectory.EnsureNew(folder);
        }
        var plotMetric = p.GetValue(Plot);
        if (plotMetric is not null && !SweepSummary.Metrics.Any(m => m.Key == plotMetric))
            throw new InputException($"--plot: unknown metric '{plotMetric}' (known: {string.Join(", ", SweepSummary.Metrics.Select(m => m.Key))})");

        // Every dataset and evaluation the plan needs, before anything is written (a missing dataset leaves nothing behind).
        Cli.LoadTorch();
        var dataDir = p.GetValue(CommonOptions.DataDir);
        var inputs = new Dictionary<string, (RunData Data, IPeriodicEvaluation Evaluation)>();
        try
        {
            foreach (var (_, _, _, config) in plan.Runs())
            {
                var key = JsonSerializer.Serialize(config.Data, GanConfig.Json);
                if (inputs.ContainsKey(key)) continue;
                var data = DataCommand.WithFetchProgress(progress => RunData.Load(config.Data, dataDir, progress));
                try { inputs[key] = (data, PeriodicEvaluations.Create(plan.Eval, data, dataDir, Cli.Lines)); }
                catch
                {
                    data.Dispose();
                    throw;
                }
            }
            sweep ??= SweepDirectory.Create(folder, plan);
            var runs = plan.Runs().Select(r => r.Name).ToList();
            Console.WriteLine($"sweep {sweep.Folder}: {plan.Presets.Length} presets × {plan.Seeds.Length} seeds, " +
                              (plan.CpuMinutes is { } m ? $"{m:G4} training CPU minutes" : $"{plan.Steps:N0} iterations") + " per run");

            using var cancel = Cli.CancelOnSignal();
            bool finished = sweep.Train(plan,
                config =>
                {
                    var (data, evaluation) = inputs[JsonSerializer.Serialize(config.Data, GanConfig.Json)];
                    return (data.Train, evaluation);
                },
                (name, run) =>
                {
                    Console.WriteLine($"[{runs.IndexOf(name) + 1}/{runs.Count}] {name}" + (run.Finished ? $" (finished at step {run.Trainer.Step:N0})"
                                          : run.Trainer.Step > 0 ? $" (resuming at step {run.Trainer.Step:N0})" : ""));
                    foreach (var notice in run.Notices) Console.Error.WriteLine($"gan: warning: {notice}");
                    var outcome = Cli.Interactive ? TrainCommand.RunWithBar(run, cancel.Token) : TrainCommand.RunWithLines(run, cancel.Token);
                    ReportCommand.AfterTraining(run.Folder);
                    return outcome;
                });
            var summary = sweep.Summarise(plan, plotMetric);
            if (!finished)
            {
                Console.Error.WriteLine($"interrupted; checkpoint saved: continue with 'gan sweep --resume {folder}'");
                return Cli.Interrupted;
            }
            Print(summary);
            var plotted = plotMetric ?? summary.DefaultPlotMetric;
            Console.WriteLine($"table {sweep.SummaryTablePath}; results {sweep.SummaryJsonPath}" + (plotted is null ? "" : $"; plot {sweep.PlotPath(plotted)}") +
                              (File.Exists(sweep.ComparePath) ? $"; runs side by side {sweep.ComparePath}" : ""));
            return Cli.Success;
        }
        finally
        {
            foreach (var (data, evaluation) in inputs.Values)
            {
                evaluation.Dispose();
                data.Dispose();
            }
        }
    }

    static SweepPlan Configure(ParseResult p)
    {
        string[] List(Option<string?> option) =>
            p.GetValue(option)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
        var presets = List(PresetList);
        if (presets.Length == 0) throw new InputException("--presets is required: the presets to compare, comma-separated");
        var seeds = p.GetValue(SeedList) is null ? [1, 2, 3]
            : List(SeedList).Select(s => long.TryParse(s, out var v) ? v : throw new InputException($"--seeds takes whole numbers, not '{s}'")).ToArray();
        if (p.GetValue(CpuMinutes) is null == p.GetValue(Steps) is null)
            throw new InputException("give the budget per run once: --cpu-minutes N or --steps N");
        return new SweepPlan
        {
            Presets = presets,
            Seeds = seeds,
            CpuMinutes = p.GetValue(CpuMinutes),
            Steps = p.GetValue(Steps),
            Eval = p.GetValue(Eval) is null ? ["features"] : List(Eval),
            Evaluations = p.GetValue(Evaluations) ?? 4,
            Threads = p.GetValue(Threads) ?? 1,
            Ema = p.GetValue(Ema),
        };
    }

    static void Print(SweepSummary summary)
    {
        var rows = summary.Table;
        var keys = SweepSummary.Metrics.Where(m => rows.Any(r => r.Metrics.ContainsKey(m.Key))).ToList();
        var table = new Table().AddColumn("preset").AddColumn(new TableColumn("runs").RightAligned())
            .AddColumn(new TableColumn("iterations").RightAligned()).AddColumn(new TableColumn("CPU min").RightAligned());
        foreach (var k in keys) table.AddColumn(new TableColumn(Markup.Escape(k.Value)).RightAligned());
        foreach (var r in rows)
            table.AddRow([r.Preset, r.Runs.ToString(), r.Steps.ToString("N0"), r.CpuMinutes.ToString("F1"),
                          .. keys.Select(k => r.Metrics.TryGetValue(k.Key, out var s) ? SweepSummary.Format(s) : "–")]);
        AnsiConsole.Write(table);
    }
}
