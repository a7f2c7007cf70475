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
    static readonly Option<string?> PresetList = Cli.Option<string?>("--presets", $"Presets to compare, comma-separated (known: {string.Join(", ", Presets.Names)}), or configuration files NAME.json laid over the preset they name (as gan train --config)");
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
    static readonly Option<string?> Scheduler = Cli.Option<string?>("--scheduler", "local (default): train the runs here, one after another; slurm: submit them as one job array to the Slurm cluster (the sweep folder must be on a filesystem the nodes share)");
    static readonly Option<string?> Partition = Cli.Option<string?>("--partition", "Slurm: the partition to submit to (default: the cluster's)");
    static readonly Option<string?> TimeLimit = Cli.Option<string?>("--time", "Slurm: each task's time limit (Slurm's forms: MM, HH:MM:SS, D-HH…); tasks stopped by it save a checkpoint and are requeued");
    static readonly Option<string?> Memory = Cli.Option<string?>("--mem", "Slurm: memory per task's node (4G; default: the cluster's)");
    static readonly Option<string?> Gres = Cli.Option<string?>("--gres", "Slurm: generic resources per task (gpu:1; untested here: no GPU)");
    static readonly Option<string[]?> SbatchArg = new("--sbatch-arg")
    {
        Description = "Slurm: a further sbatch option for the job array, as sbatch takes it (--account=lab); repeat for more",
        AllowMultipleArgumentsPerToken = false,
    };
    static readonly Option<string?> Status = Cli.Option<string?>("--status", "Show where every run of the sweep in DIR stands (on Slurm: pending, running, requeued, done, failed…), its iterations and CPU minutes");
    static readonly Option<string?> Collect = Cli.Option<string?>("--collect", "Write the summary, plot and compare page of the sweep in DIR from its runs as they are (what a Slurm sweep's last job does)");
    static readonly Option<int?> Task = Cli.Option<int?>("--task", "With --resume: train only the sweep's run N (0-based, preset by preset, seed by seed) and write no summary — what one task of a scheduler's job array runs").Within(0);

    public static Command Create()
    {
        var command = new Command("sweep", "Train presets × seeds at an equal budget and tabulate their metrics (mean ± std over seeds)")
        {
            Options = { PresetList, SeedList, CpuMinutes, Steps, Eval, Evaluations, Threads, Ema, Plot, Out, Resume, Status, Collect, Task, Scheduler, Partition, TimeLimit, Memory, Gres, SbatchArg, CommonOptions.DataDir },
        };
        command.SetAction(Run);
        return command;
    }

    static int Run(ParseResult p)
    {
        if (p.GetValue(Status) is { } statusOf) return ShowStatus(p, statusOf);
        if (p.GetValue(Collect) is { } collectOf) return WriteSummary(p, collectOf);
        var resume = p.GetValue(Resume);
        Option[] planned = [PresetList, SeedList, CpuMinutes, Steps, Eval, Evaluations, Threads, Ema, Out];
        if (resume is not null && planned.FirstOrDefault(o => p.GetResult(o) is { Implicit: false }) is { } clash)
            throw new InputException($"{clash.Name} cannot be combined with --resume: a sweep keeps the plan in its sweep.json");
        var task = p.GetValue(Task);
        if (task is not null && resume is null) throw new InputException("--task names a run of an existing sweep: give its folder with --resume DIR");
        bool slurm = p.GetValue(Scheduler) switch
        {
            null or "local" => false,
            "slurm" => true,
            var other => throw new InputException($"--scheduler: unknown scheduler '{other}' (known: local, slurm)"),
        };
        if (slurm && task is not null) throw new InputException("--task trains one run here; it cannot be combined with --scheduler slurm");
        if (!slurm && new Option[] { Partition, TimeLimit, Memory, Gres, SbatchArg }.FirstOrDefault(o => p.GetResult(o) is { Implicit: false }) is { } slurmOnly)
            throw new InputException($"{slurmOnly.Name} is an option of --scheduler slurm");

        SweepPlan plan;
        SweepDirectory? sweep = null;
        string folder;
        if (resume is not null)
        {
            sweep = SweepDirectory.Open(resume, out plan);
            folder = resume;
            if (task is { } index) plan.Task(index);                                   // refused before any data is loaded
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
            foreach (var (_, _, _, config) in task is { } only ? [plan.Task(only)] : plan.Runs())
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
            sweep ??= SweepDirectory.Create(folder, plan, out plan);
            if (slurm) return Submit(p, sweep, plan);
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
                }, task);
            if (task is not null)
            {
                if (!finished) Console.Error.WriteLine($"interrupted; checkpoint saved: the same command continues it");
                return finished ? Cli.Success : Cli.Interrupted;                      // the summary is written once, when every task is done
            }
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

    /// <summary>
    /// Writes the sweep's job array script (<see cref="SlurmArrayScript"/>) and submits it: every run of the plan that has
    /// not reached its budget, one array task each. Nothing waits for the tasks: <c>--status</c> follows them.
    /// </summary>
    static int Submit(ParseResult p, SweepDirectory sweep, SweepPlan plan)
    {
        var cluster = new SlurmCluster();
        var slurm = new SlurmSweep(sweep, plan, cluster);
        var tasks = SlurmSweep.ToSubmit(slurm.Status());                                 // on a first submission: every run not done
        if (tasks.Count == 0)
        {
            Console.WriteLine($"no run of the sweep in {sweep.Folder} is left to submit: each is done, waiting or running (gan sweep --status {sweep.Folder})");
            return Cli.Success;
        }
        var dataDir = p.GetValue(CommonOptions.DataDir);
        var script = new SlurmArrayScript
        {
            SweepFolder = sweep.Folder,
            Gan = GanCommand(),
            SweepArguments = dataDir is null ? [] : ["--data-dir", Path.GetFullPath(dataDir)],
            Tasks = tasks,
            CpusPerTask = plan.Threads > 0 ? plan.Threads : throw new InputException("a sweep on Slurm needs a number of threads per run (--threads N): it is the tasks' --cpus-per-task"),
            Partition = p.GetValue(Partition), Time = p.GetValue(TimeLimit), Memory = p.GetValue(Memory), Gres = p.GetValue(Gres),
            SbatchArguments = p.GetValue(SbatchArg) ?? [],
        };
        var path = Path.Combine(sweep.Folder, SlurmArrayScript.FileName);
        AtomicFile.WriteText(path, script.Render());
        File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.UserExecute);
        Directory.CreateDirectory(Path.Combine(sweep.Folder, SlurmArrayScript.LogsFolder));
        var job = cluster.Submit(path);
        slurm.Record(job, tasks);
        // The summary when the array has ended, however its tasks ended (one CPU, the cluster's default memory per CPU).
        string[] options = ["--job-name=gan-sweep-collect", $"--dependency=afterany:{job}", "--cpus-per-task=1", "--open-mode=append",
                            $"--output={Path.Combine(sweep.Folder, SlurmArrayScript.LogsFolder, "collect.log")}",
                            .. script.Partition is { } part ? [$"--partition={part}"] : Array.Empty<string>()];
        var collect = cluster.Submit([.. options, "--wrap", string.Join(" ", script.Gan.Select(SlurmArrayScript.Quote)) + " sweep --collect " + SlurmArrayScript.Quote(sweep.Folder)]);
        Console.WriteLine($"submitted job array {job} to Slurm: {tasks.Count} task(s) of {plan.RunCount} ({SlurmArrayScript.ArraySpecification(tasks)}); " +
                          $"then job {collect} writes the summary; script {path}; follow with 'gan sweep --status {sweep.Folder}'");
        return Cli.Success;
    }

    /// <summary><c>--status DIR</c>: every run's state, iterations and CPU minutes; on Slurm, what the queue and the tasks' exit codes say.</summary>
    static int ShowStatus(ParseResult p, string folder)
    {
        RefuseWith(p, Status);
        var sweep = SweepDirectory.Open(folder, out var plan);
        var slurm = new SlurmSweep(sweep, plan, new SlurmCluster());
        bool onSlurm = File.Exists(slurm.SubmissionsPath);
        var rows = onSlurm ? slurm.Status()
            : [.. Enumerable.Range(0, plan.RunCount).Select(i => sweep.Progress(plan, i) is { } r
                ? new SlurmTaskStatus(i, r.Name, r.Finished ? "done" : "begun", r.Steps, r.CpuMinutes, null, null, "")
                : new SlurmTaskStatus(i, plan.Task(i).Name, "not begun", 0, 0, null, null, ""))];
        var table = new Table().AddColumn("task").AddColumn("run").AddColumn("state")
            .AddColumn(new TableColumn("iterations").RightAligned()).AddColumn(new TableColumn("CPU min").RightAligned());
        if (onSlurm) table.AddColumn("job").AddColumn("exit").AddColumn("log");
        foreach (var r in rows)
            table.AddRow([r.Task.ToString(), r.Run, r.State, r.Steps.ToString("N0"), r.CpuMinutes.ToString("F1"),
                          .. onSlurm ? new[] { r.Job is { } j ? $"{j}_{r.Task}" : "–", r.ExitCode?.ToString() ?? "–", r.State is "failed" or "lost" or "interrupted" ? r.Log : "" } : []]);
        AnsiConsole.Write(table);
        var counts = rows.GroupBy(r => r.State).Select(g => $"{g.Count()} {g.Key}");
        Console.WriteLine($"{rows.Count} runs: {string.Join(", ", counts)}" +
                          (rows.Any(r => r.State is "failed" or "lost" or "interrupted" or "not submitted") && onSlurm
                              ? $"; resubmit what is not done with 'gan sweep --resume {folder} --scheduler slurm'" : ""));
        return Cli.Success;
    }

    /// <summary><c>--collect DIR</c>: the summary of the runs as they are (unfinished runs are left out of the table, and said).</summary>
    static int WriteSummary(ParseResult p, string folder)
    {
        RefuseWith(p, Collect);
        var sweep = SweepDirectory.Open(folder, out var plan);
        Cli.LoadTorch();
        var summary = sweep.Summarise(plan, p.GetValue(Plot));
        Print(summary);
        int unfinished = summary.Runs.Count(r => !r.Finished) + plan.RunCount - summary.Runs.Count;
        if (unfinished > 0) Console.Error.WriteLine($"gan: warning: {unfinished} of {plan.RunCount} runs not finished: left out of the table");
        Console.WriteLine($"table {sweep.SummaryTablePath}; results {sweep.SummaryJsonPath}");
        return Cli.Success;
    }

    /// <summary>Refuses any option but <paramref name="alone"/> (and --plot, --data-dir): --status and --collect take a folder and nothing else.</summary>
    static void RefuseWith(ParseResult p, Option alone)
    {
        Option[] others = [PresetList, SeedList, CpuMinutes, Steps, Eval, Evaluations, Threads, Ema, Out, Resume, Status, Collect, Task, Scheduler, Partition, TimeLimit, Memory, Gres, SbatchArg];
        if (others.FirstOrDefault(o => o != alone && p.GetResult(o) is { Implicit: false }) is { } clash)
            throw new InputException($"{alone.Name} takes a sweep folder alone: {clash.Name} cannot be combined with it");
    }

    /// <summary>
    /// The command that runs this gan on a node: the program that runs now, and its assembly when that program is the
    /// dotnet host (<c>dotnet gan.dll</c>, as the repository's ./gan launcher runs it) — a path the nodes must see too.
    /// </summary>
    static string[] GanCommand()
    {
        var host = Environment.ProcessPath ?? throw new InputException("cannot tell which program runs gan: run it by its path");
        return Path.GetFileNameWithoutExtension(host) == "dotnet"
            ? [host, typeof(SweepCommand).Assembly.Location]
            : [host];
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
