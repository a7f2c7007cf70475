using System.Text.Json;
using GanSharp.Configuration;
using GanSharp.Experiments;
using GanSharp.Training;
using static GanSharp.Tests.TestSupport;
using static TorchSharp.torch;
using Generator = GanSharp.Models.Generator;

namespace GanSharp.Tests;

/// <summary>Budgets of CPU time, and <c>gan sweep</c>: presets × seeds at one budget, resumable, tabulated.</summary>
public class SweepTests
{
    /// <summary>A deterministic stand-in for the feature metrics: the mean and spread of G's samples of fixed noise.</summary>
    internal sealed class SampleStatistics : IPeriodicEvaluation
    {
        public int Calls { get; private set; }
        public string SelectBy => "fid_valid";
        public bool HigherIsBetter => false;

        public IReadOnlyDictionary<string, double> Evaluate(GameProduct product)
        {
            Calls++;
            using var scope = NewDisposeScope();
            using var rng = new TorchSharp.torch.Generator(5);
            var x = product.Samples("a test").Sample(16, rng);
            return new Dictionary<string, double>
            {
                ["fid_valid"] = x.mean().item<float>() * 100, ["precision_valid"] = x.std().item<float>(),
            };
        }

        public void Dispose() { }
    }

    /// <summary>Two "presets" of tiny nets (SGD and Adam) under names a plan can hold.</summary>
    static GanConfig TinyPreset(string name) => name switch
    {
        "tiny-sgd" => Tiny() with { Preset = name },
        "tiny-adam" => Tiny(optimizer: OptimizerKind.Adam) with { Preset = name },
        _ => throw new ArgumentException(name),
    };

    static SweepPlan TinyPlan(long steps = 6) => new()
    {
        Presets = ["tiny-sgd", "tiny-adam"], Seeds = [3, 4], Steps = steps, Evaluations = 2, PresetLookup = TinyPreset,
    };

    /// <summary>Every row of every run's metrics.jsonl without its timings, run by run.</summary>
    static List<string> Rows(string folder, SweepPlan plan) =>
        [.. plan.Runs().SelectMany(r => File.ReadLines(Path.Combine(folder, r.Name, "metrics.jsonl")).Select(line =>
        {
            var row = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(line)!;
            return r.Name + ": " + string.Join(", ", row.Where(p => !p.Key.EndsWith("_s")).Select(p => $"{p.Key}={p.Value}"));
        }))];

    [Fact]
    public void Statistic_is_the_mean_and_the_sample_standard_deviation()
    {
        var s = SweepSummary.Statistic([2, 4, 4, 4, 5, 5, 7, 9]);
        Assert.Equal(5, s.Mean, 12);
        Assert.Equal(Math.Sqrt(32.0 / 7), s.StandardDeviation, 12);  // Σ(x − 5)² = 32 over n − 1 = 7
        Assert.Equal(0, SweepSummary.Statistic([3.5]).StandardDeviation);
        Assert.Equal("5.000 ± 2.138", SweepSummary.Format(s));
        Assert.Equal("150.2 ± 1.5", SweepSummary.Format(new SweepStatistic(150.24, 1.46, 3)));
        Assert.Equal("5.09 ± 48.11", SweepSummary.Format(new SweepStatistic(5.091, 48.11, 3)));  // the spread sets the decimals
    }

    [Fact]
    public void A_sweep_trains_every_preset_and_seed_and_tabulates_their_last_evaluations()
    {
        var plan = TinyPlan();
        var sweep = SweepDirectory.Create(Path.Combine(TempFolder(), "sweep"), plan);
        var data = TinySet();
        var evaluation = new SampleStatistics();
        Assert.True(sweep.Train(plan, _ => (data, evaluation), (_, run) => run.Run()));
        var summary = sweep.Summarise(plan);

        Assert.Equal(8, evaluation.Calls);  // 4 runs × (step 3, step 6): none at step 0
        foreach (var (name, preset, seed, _) in plan.Runs())
        {
            var config = new RunDirectory(sweep.RunFolder(name)).ReadConfig();
            Assert.Equal((preset, seed, 6L), (config.Preset, config.Train.Seed, config.Train.Steps!.Value));
        }
        // The table, against the runs' own last evaluation rows read independently.
        Assert.Equal(["tiny-sgd", "tiny-adam"], summary.Table.Select(r => r.Preset));
        foreach (var row in summary.Table)
        {
            var last = plan.Seeds.Select(seed => File.ReadLines(Path.Combine(sweep.RunFolder(SweepPlan.RunName(row.Preset, seed)), "metrics.jsonl"))
                .Select(l => JsonDocument.Parse(l).RootElement).Last(r => r.TryGetProperty("fid_valid", out _))).ToList();
            Assert.All(last, r => Assert.Equal(6, r.GetProperty("step").GetInt64()));
            var fid = last.Select(r => r.GetProperty("fid_valid").GetDouble()).ToArray();
            Assert.Equal(fid.Average(), row.Metrics["fid_valid"].Mean, 12);
            Assert.Equal(Math.Abs(fid[0] - fid[1]) / Math.Sqrt(2), row.Metrics["fid_valid"].StandardDeviation, 12);  // two values
            Assert.Equal((2, 6.0), (row.Runs, row.Steps));
        }
        var markdown = File.ReadAllText(sweep.SummaryTablePath);
        Assert.Contains("Budget: 6 iterations per run, 1 thread; seeds 3, 4", markdown);
        var compare = File.ReadAllText(sweep.ComparePath);                 // the four runs side by side
        Assert.All(plan.Runs(), r => Assert.Contains($"<td>{r.Name}</td>", compare));
        Assert.Contains($"| `tiny-sgd` | 2 | 6 |", markdown);
        Assert.Equal(summary.Runs.Count, JsonDocument.Parse(File.ReadAllText(sweep.SummaryJsonPath)).RootElement.GetProperty("runs").GetArrayLength());
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(sweep.PlotPath("fid_valid"))[..4]);
    }

    [Fact]
    public void An_interrupted_sweep_resumes_to_the_results_of_an_uninterrupted_one()
    {
        var plan = TinyPlan(steps: 10);
        var data = TinySet();
        var evaluation = new SampleStatistics();
        var straight = SweepDirectory.Create(Path.Combine(TempFolder(), "straight"), plan);
        Assert.True(straight.Train(plan, _ => (data, evaluation), (_, run) => run.Run()));

        var interrupted = SweepDirectory.Create(Path.Combine(TempFolder(), "interrupted"), plan);
        using (var cancel = new CancellationTokenSource())
        {
            // The second run is stopped at step 4 (its interruption checkpoint; it resumes from there, exactly); the runs
            // after it are not begun.
            bool done = interrupted.Train(plan, _ => (data, evaluation), (name, run) => run.Run(cancel.Token,
                new Progress(s => { if (name == "tiny-sgd-seed4" && s.Step == 4) cancel.Cancel(); })));
            Assert.False(done);
        }
        Assert.False(Directory.Exists(interrupted.RunFolder("tiny-adam-seed3")));
        var reopened = SweepDirectory.Open(interrupted.Folder, out var again, TinyPreset);
        Assert.Equal(plan.ToJson(), again.ToJson());
        Assert.True(reopened.Train(again, _ => (data, evaluation), (_, run) => run.Run()));

        Assert.Equal(Rows(straight.Folder, plan), Rows(interrupted.Folder, plan));
        // A finished sweep trained again trains nothing and changes nothing.
        var before = Rows(interrupted.Folder, plan);
        int calls = evaluation.Calls;
        Assert.True(reopened.Train(again, _ => (data, evaluation), (_, run) => run.Run()));
        Assert.Equal(before, Rows(interrupted.Folder, plan));
        Assert.Equal(calls, evaluation.Calls);
    }

    [Fact]
    public void The_runs_trained_one_task_at_a_time_in_any_order_end_as_the_sweep_trained_at_once()
    {
        // What a scheduler's job array does: each task trains one run of the plan, in whatever order the tasks start.
        var plan = TinyPlan();
        var data = TinySet();
        var evaluation = new SampleStatistics();
        var whole = SweepDirectory.Create(Path.Combine(TempFolder(), "whole"), plan);
        Assert.True(whole.Train(plan, _ => (data, evaluation), (_, run) => run.Run()));
        var tasks = SweepDirectory.Create(Path.Combine(TempFolder(), "tasks"), plan);
        var trained = new List<string>();
        foreach (var task in new[] { 3, 0, 2, 1 })
            Assert.True(tasks.Train(plan, _ => (data, evaluation), (name, run) => { trained.Add(name); return run.Run(); }, task));
        Assert.Equal(["tiny-adam-seed4", "tiny-sgd-seed3", "tiny-adam-seed3", "tiny-sgd-seed4"], trained);
        Assert.Equal(Rows(whole.Folder, plan), Rows(tasks.Folder, plan));
        Assert.Equal(plan.Runs().Select(r => r.Name), Enumerable.Range(0, plan.RunCount).Select(i => plan.Task(i).Name));
        Assert.Contains("the sweep has tasks 0 to 3 (2 presets × 2 seeds)", Assert.Throws<InputException>(() => plan.Task(4)).Message);
        Assert.Throws<InputException>(() => plan.Task(-1));
    }

    [Fact]
    public void A_slurm_sweeps_status_comes_from_its_runs_the_queue_and_the_tasks_exit_codes()
    {
        var plan = TinyPlan() with { Presets = ["tiny-sgd", "tiny-adam", "tiny-sgd-2"], PresetLookup = name => TinyPreset(name.Replace("-2", "")) };
        var sweep = SweepDirectory.Create(Path.Combine(TempFolder(), "sweep"), plan);
        var data = TinySet();
        Assert.True(sweep.Train(plan, _ => (data, new SampleStatistics()), (_, run) => run.Run(), task: 0));   // task 0 trained to its end
        using (var cancel = new CancellationTokenSource())                                                    // task 1 interrupted at step 3
            Assert.False(sweep.Train(plan, _ => (data, new SampleStatistics()), (_, run) => run.Run(cancel.Token,
                new Progress(s => { if (s.Step == 3) cancel.Cancel(); })), task: 1));
        // A stand-in for squeue that answers as Slurm 22.05 does for: task 1 pending again, task 3 running, task 4 running
        // in the resubmission (job 12) though the first submission (job 11) had it too; tasks 0, 2 and 5 have left the queue.
        var bin = Path.Combine(TempFolder(), "bin");
        Directory.CreateDirectory(bin);
        File.WriteAllText(Path.Combine(bin, "squeue"), "#!/bin/sh\necho \"$@\" > \"$(dirname \"$0\")/args\"\n" +
                                                        "printf '11|0|COMPLETED|None\\n11|1|PENDING|BeginTime\\n11|3|RUNNING|None\\n12|4|RUNNING|None\\n'\n");
        File.SetUnixFileMode(Path.Combine(bin, "squeue"), (UnixFileMode)0b111_101_101);
        var slurm = new SlurmSweep(sweep, plan, new SlurmCluster { CommandFolder = bin });
        slurm.Record(11, [0, 1, 2, 3, 4]);
        slurm.Record(12, [4]);
        Directory.CreateDirectory(Path.Combine(sweep.Folder, "tasks"));
        File.WriteAllText(Path.Combine(sweep.Folder, "tasks", "0.exit"), "0\n");
        File.WriteAllText(Path.Combine(sweep.Folder, "tasks", "1.exit"), "130\n");   // interrupted, then requeued
        File.WriteAllText(Path.Combine(sweep.Folder, "tasks", "2.exit"), "1\n");     // gan failed

        var status = slurm.Status();
        Assert.Equal(["done", "requeued", "failed", "running", "running", "not submitted"], status.Select(s => s.State));
        Assert.Equal("--noheader --array --jobs 11,12 --states all --format %F|%K|%T|%r", File.ReadAllText(Path.Combine(bin, "args")).Trim());
        Assert.Equal([11L, 11, 11, 11, 12, null], status.Select(s => s.Job));
        Assert.Equal((6L, 3L, 0L), (status[0].Steps, status[1].Steps, status[2].Steps));
        Assert.Equal([0, 130, 1, null, null, null], status.Select(s => s.ExitCode));
        Assert.EndsWith("logs/task-2.log", status[2].Log);
        Assert.Equal([2, 5], SlurmSweep.ToSubmit(status));                           // not what is done, waiting or running

        // Gone from the queue without an exit code: lost; with 130 and not requeued: interrupted.
        File.WriteAllText(Path.Combine(bin, "squeue"), "#!/bin/sh\n");
        Assert.Equal(["done", "interrupted", "failed", "lost", "lost", "not submitted"], slurm.Status().Select(s => s.State));
        File.AppendAllText(slurm.SubmissionsPath, "not json\n");
        Assert.Contains("slurm-jobs.jsonl:3: not a submission record", Assert.Throws<InputException>(() => slurm.Status()).Message);
    }

    [Fact]
    public void A_sweep_of_configuration_files_keeps_copies_and_names_runs_and_rows_after_them()
    {
        var mine = Path.Combine(TempFolder(), "mine");
        Directory.CreateDirectory(mine);
        File.WriteAllText(Path.Combine(mine, "small-sgd.json"), Tiny().ToJson());
        File.WriteAllText(Path.Combine(mine, "small-adam.json"), Tiny(optimizer: OptimizerKind.Adam).ToJson());
        var plan = new SweepPlan { Presets = ["small-sgd.json", "small-adam.json"], Seeds = [3, 4], Steps = 6, Evaluations = 2, ConfigFolder = mine };
        Assert.Empty(plan.Problems());
        var sweep = SweepDirectory.Create(Path.Combine(TempFolder(), "sweep"), plan, out var saved);
        Assert.Equal(["configs/small-sgd.json", "configs/small-adam.json"], saved.Presets);
        File.Delete(Path.Combine(mine, "small-sgd.json"));                        // the sweep reads its own copies from now on
        var reopened = SweepDirectory.Open(sweep.Folder, out var again);
        Assert.Equal(saved.ToJson(), again.ToJson());
        Assert.Equal(["small-sgd-seed3", "small-sgd-seed4", "small-adam-seed3", "small-adam-seed4"], again.Runs().Select(r => r.Name));
        var config = again.Runs().First().Config;
        var model = Assert.IsType<PaperModelConfig>(config.Model);                 // the file's nets, laid over the default preset's
        Assert.Equal([8], model.GeneratorHidden);
        Assert.Equal((4, 3L, 6L), (model.DiscriminatorUnits, config.Train.Seed, config.Train.Steps!.Value));
        Assert.Equal(OptimizerKind.Adam, again.Runs().Last().Config.Optimizer.Kind);
        var data = TinySet();
        Assert.True(reopened.Train(again, _ => (data, new SampleStatistics()), (_, run) => run.Run()));
        Assert.Equal(["small-sgd", "small-adam"], reopened.Summarise(again).Table.Select(r => r.Preset));

        Assert.Contains("configuration file missing.json not found", (plan with { Presets = ["missing.json"] }).Problems().Single());
        Assert.Contains((plan with { Presets = ["small-adam.json", "sub/small-adam.json"] }).Problems(), p => p.StartsWith("a preset is named twice", StringComparison.Ordinal));
    }

    sealed class Progress(Action<TrainingStatus> report) : IProgress<TrainingStatus>
    {
        public void Report(TrainingStatus value) => report(value);
    }

    [Theory]
    [InlineData("none", "name at least one preset")]
    [InlineData("unknown", "unknown preset 'dcgan-mnsit'")]
    [InlineData("twice", "a preset is named twice")]
    [InlineData("two budgets", "give the budget once")]
    [InlineData("no budget", "give the budget once")]
    [InlineData("seeds", "a seed is named twice")]
    [InlineData("eval", "unknown evaluation 'fid'")]
    [InlineData("minutes", "the CPU budget must be a positive number of minutes (got -1)")]
    public void A_plan_with_a_problem_is_refused_naming_it(string what, string message)
    {
        var good = new SweepPlan { Presets = ["dcgan-mnist", "lsgan-mnist"], CpuMinutes = 2 };
        Assert.Empty(good.Problems());
        var bad = what switch
        {
            "none" => good with { Presets = [] },
            "unknown" => good with { Presets = ["dcgan-mnsit"] },
            "twice" => good with { Presets = ["dcgan-mnist", "dcgan-mnist"] },
            "two budgets" => good with { Steps = 100 },
            "no budget" => good with { CpuMinutes = null },
            "seeds" => good with { Seeds = [1, 1] },
            "eval" => good with { Eval = ["fid"] },
            "minutes" => good with { CpuMinutes = -1 },
            _ => throw new ArgumentException(what),
        };
        Assert.Contains(message, Assert.Throws<InputException>(bad.Validate).Message);
        Assert.Contains(message, Assert.Throws<InputException>(() => SweepPlan.FromJson(bad.ToJson(), "sweep.json")).Message);
    }

    [Fact]
    public void A_metric_against_cpu_minutes_leaves_out_the_evaluations_also_in_rows_written_before_train_cpu_s()
    {
        var path = Path.Combine(TempFolder(), "metrics.jsonl");
        File.WriteAllLines(path,
        [
            """{"step":0,"epoch":0,"parzen_test":-50,"parzen_test_se":2,"eval_cpu_s":6,"cpu_s":6}""",
            """{"step":100,"epoch":1,"d_loss":1.3,"cpu_s":66}""",
            """{"step":100,"epoch":1,"parzen_test":100,"parzen_test_se":1.5,"eval_cpu_s":9,"cpu_s":75}""",
            """{"step":200,"epoch":2,"parzen_test":150,"eval_cpu_s":9,"cpu_s":144,"train_cpu_s":126}""",
        ]);
        var cpu = MetricsFile.Read(path).Series("parzen_test", MetricAxis.CpuMinutes);
        Assert.Equal([(0.0, -50.0, (double?)2), (1.0, 100.0, 1.5), (2.1, 150.0, null)], cpu);  // (6 − 6)/60, (75 − 15)/60, 126/60
        Assert.Equal([0.0, 100, 200], MetricsFile.Read(path).Series("parzen_test", MetricAxis.Step).Select(p => p.X));
        Assert.Equal([1.3], MetricsFile.Read(path).Series("d_loss", MetricAxis.Epoch).Select(p => p.Y));
    }

    [Fact]
    public void A_budget_and_a_length_are_told_apart_in_the_configuration()
    {
        Assert.Contains("cpu-minutes must be a positive number", (Tiny() with { Train = Tiny().Train with { CpuMinutes = -1 } }).Problems().First());
        Assert.Contains("eval-every-cpu-minutes must be a positive number",
                        (Tiny() with { Output = Tiny().Output with { EvalEveryCpuMinutes = 0 } }).Problems().First());
        // Without a budget nothing new is written: config.json of existing presets keeps its keys.
        var json = Presets.PaperMnist.ToJson();
        Assert.DoesNotContain("cpu-minutes", json);
        Assert.DoesNotContain("skip-start-evaluation", json);
    }
}

/// <summary>No other test runs beside these: they measure the process's CPU time, which parallel tests would add to.</summary>
[CollectionDefinition("process CPU time", DisableParallelization = true)]
public class ProcessCpuTimeCollection;

/// <summary>A budget of training CPU time (<see cref="TrainConfig.CpuMinutes"/>) and evaluations by CPU time.</summary>
[Collection("process CPU time")]
public class CpuBudgetTests
{
    [Fact]
    public void A_cpu_budget_ends_the_run_with_an_evaluation_and_a_finished_budget_resumes_to_nothing()
    {
        var folder = Path.Combine(TempFolder(), "run");
        var config = Tiny() with
        {
            Train = Tiny().Train with { Steps = 1_000_000, CpuMinutes = 0.01 },  // 0.6 CPU seconds, long before the cap
            Output = Tiny().Output with { EvalEveryCpuMinutes = 0.005, SkipStartEvaluation = true },
        };
        var evaluation = new SweepTests.SampleStatistics();
        long end;
        using (var run = TrainingRun.Start(config, folder, TinySet()))
        {
            run.Evaluation = evaluation;
            Assert.Equal(RunOutcome.Completed, run.Run());
            end = run.Trainer.Step;
            Assert.InRange(end, 2, 999_999);
        }
        var rows = File.ReadLines(new RunDirectory(folder).MetricsPath).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var evaluations = rows.Where(r => r.TryGetProperty("fid_valid", out _)).ToList();
        Assert.Equal(2, evaluations.Count);                   // at half the budget and at its end
        Assert.Equal(end, evaluations[^1].GetProperty("step").GetInt64());
        Assert.InRange(evaluations[0].GetProperty("train_cpu_s").GetDouble(), 0.3, 0.6);
        Assert.True(evaluations[^1].GetProperty("train_cpu_s").GetDouble() >= 0.595);  // logged to 0.01 s
        // The last logged row before the end was under budget: the run stopped at the first iteration over it.
        var training = rows.Where(r => r.TryGetProperty("d_loss", out _)).ToList();
        Assert.Equal(end, training[^1].GetProperty("step").GetInt64());
        Assert.True(training.Count < 2 || training[^2].GetProperty("train_cpu_s").GetDouble() <= 0.6);  // logged to 0.01 s
        Assert.Equal(end, Checkpoint.Read(new RunDirectory(folder).LastCheckpointPath).Step);

        var lines = File.ReadAllLines(new RunDirectory(folder).MetricsPath);
        using (var resumed = TrainingRun.Resume(folder, TinySet()))
        {
            resumed.Evaluation = evaluation;
            Assert.Equal(RunOutcome.Completed, resumed.Run());
            Assert.Equal(end, resumed.Trainer.Step);
        }
        Assert.Equal(lines, File.ReadAllLines(new RunDirectory(folder).MetricsPath));
        Assert.Equal(2, evaluation.Calls);
    }
}
