using System.Diagnostics;
using System.Text.Json;
using GanSharp.Experiments;
using GanSharp.Training;
using static GanSharp.Tests.TestSupport;

namespace GanSharp.Tests;

/// <summary>
/// A test against a real Slurm cluster: the one build/slurm-local starts (SLURM_CONF names it). Where no controller
/// answers it skips, unless GANSHARP_REQUIRE_SLURM=1 (CI), where it cannot.
/// </summary>
public sealed class SlurmFactAttribute : FactAttribute
{
    public SlurmFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("GANSHARP_REQUIRE_SLURM") != "1" && !SlurmTests.ClusterAnswers.Value)
            Skip = "no Slurm controller answers (build/slurm-local start; export SLURM_CONF=…): CI starts one";
    }
}

/// <summary>
/// <c>gan sweep --scheduler slurm</c> on a real one-node cluster: small nets on the 500-digit fixture (configuration
/// files), two of them × two seeds, 30 iterations a run, each sweep also run here for comparison.
/// </summary>
public class SlurmTests : TempFolders
{
    internal static readonly Lazy<bool> ClusterAnswers = new(() =>
    {
        try { new SlurmCluster { Timeout = TimeSpan.FromSeconds(5) }.Run("scontrol", ["ping"]); return true; }
        catch (GanSharpException) { return false; }
    });

    /// <summary>Two configuration files of small DCGAN and LSGAN nets reading <paramref name="dataset"/> (default: the fixture), in a folder of their own.</summary>
    string[] SmallConfigs(string? dataset = null, string? lsganDataset = null)
    {
        var folder = TempFolder();
        string Write(string name, string preset, string data)
        {
            var path = Path.Combine(folder, name + ".json");
            File.WriteAllText(path, JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["preset"] = preset, ["data"] = new Dictionary<string, string> { ["dataset"] = data },
                ["model"] = new Dictionary<string, int> { ["generator-features"] = 8, ["discriminator-features"] = 8 },
            }));
            return path;
        }
        return [Write("small-dcgan", "dcgan-mnist", dataset ?? MnistFixture), Write("small-lsgan", "lsgan-mnist", lsganDataset ?? dataset ?? MnistFixture)];
    }

    static string[] Sweep(string[] configs, string folder, long steps = 30, string seeds = "1,2") =>
        ["sweep", "--presets", string.Join(",", configs), "--seeds", seeds, "--steps", steps.ToString(), "--evaluations", "1", "--eval", "parzen", "--out", folder];

    /// <summary>
    /// Waits until the queue holds none of the jobs <paramref name="submission"/> says it submitted — the array and the job
    /// that collects the summary — (at most <paramref name="minutes"/>). The collect job's id is read from what gan printed,
    /// not guessed: array tasks take job ids of their own as they start, also between the two submissions.
    /// </summary>
    static void WaitForQueue(Gan.Result submission, double minutes = 4)
    {
        var m = System.Text.RegularExpressions.Regex.Match(submission.Out, @"submitted job array (\d+) .* then job (\d+) writes the summary");
        Assert.True(m.Success, submission.Out);
        long[] jobs = [long.Parse(m.Groups[1].Value), long.Parse(m.Groups[2].Value)];
        var cluster = new SlurmCluster();
        var deadline = DateTime.UtcNow.AddMinutes(minutes);
        while (cluster.Queue(jobs).Any(j => j.State is not ("COMPLETED" or "FAILED" or "CANCELLED" or "TIMEOUT" or "OUT_OF_MEMORY" or "NODE_FAIL" or "BOOT_FAIL" or "DEADLINE" or "PREEMPTED")))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the sweep's jobs did not end within {minutes} minutes");
            Thread.Sleep(250);
        }
    }

    /// <summary>Every run's metrics rows without timings, and its last checkpoint's sections, run by run.</summary>
    static List<string> Outcome(string folder, bool trainingRows = true)
    {
        var result = new List<string>();
        foreach (var run in Directory.GetDirectories(folder).Where(d => File.Exists(Path.Combine(d, "metrics.jsonl"))).Order())
        {
            foreach (var row in MetricsFile.Read(Path.Combine(run, "metrics.jsonl")).Rows.Where(r => trainingRows || MetricsFile.IsEvaluation(r)))
                result.Add(Path.GetFileName(run) + ": " + string.Join(",", row.Where(p => p.Key is "step" or "epoch" || !(MetricsFile.PlacingKeys.Contains(p.Key) || p.Key == "images_per_s"))
                                                                          .Select(p => $"{p.Key}={p.Value:R}")));
            var checkpoint = Checkpoint.Read(Path.Combine(run, "checkpoints", "last.ckpt"));
            foreach (var (name, bytes) in checkpoint.Sections) result.Add($"{Path.GetFileName(run)} {name}: {Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(bytes))}");
        }
        return result;
    }

    [SlurmFact]
    public void A_sweep_through_slurm_gives_the_local_sweeps_metrics_bit_for_bit()
    {
        var configs = SmallConfigs();
        var local = Path.Combine(TempFolder(), "local");
        var onSlurm = Path.Combine(TempFolder(), "slurm");
        var here = Gan.Run(Sweep(configs, local));
        Assert.True(here.Code == 0, here.Err);
        var submitted = Gan.Run([.. Sweep(configs, onSlurm), "--scheduler", "slurm"]);
        Assert.True(submitted.Code == 0, submitted.Err);
        WaitForQueue(submitted);

        Assert.Equal(Outcome(local), Outcome(onSlurm));
        Assert.Equal(File.ReadAllText(Path.Combine(local, "summary.md")), File.ReadAllText(Path.Combine(onSlurm, "summary.md")));  // written by the collect job
        var status = Gan.Run("sweep", "--status", onSlurm);
        Assert.True(status.Code == 0, status.Err);
        Assert.Contains("4 runs: 4 done", status.Out);
        Assert.All(Enumerable.Range(0, 4), i => Assert.Equal("0", File.ReadAllText(Path.Combine(onSlurm, "tasks", $"{i}.exit")).Trim()));
    }

    [SlurmFact]
    public void A_task_requeued_while_it_trains_resumes_and_ends_as_an_uninterrupted_run()
    {
        // One run, long enough to be requeued while it trains (the sweep above covers the rest of the plan).
        string[] dcgan = [SmallConfigs()[0]];
        var local = Path.Combine(TempFolder(), "local");
        var onSlurm = Path.Combine(TempFolder(), "slurm");
        Assert.Equal(0, Gan.Run(Sweep(dcgan, local, steps: 300, seeds: "1")).Code);
        var submitted = Gan.Run([.. Sweep(dcgan, onSlurm, steps: 300, seeds: "1"), "--scheduler", "slurm"]);
        Assert.True(submitted.Code == 0, submitted.Err);
        long job = JsonDocument.Parse(File.ReadLines(Path.Combine(onSlurm, "slurm-jobs.jsonl")).First()).RootElement.GetProperty("job").GetInt64();

        // The task is requeued once it has trained past its first logged rows.
        var metrics = Path.Combine(onSlurm, "small-dcgan-seed1", "metrics.jsonl");
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (!(File.Exists(metrics) && File.ReadLines(metrics).Any()))
        {
            Assert.True(DateTime.UtcNow < deadline, "the task never began training");
            Thread.Sleep(50);
        }
        new SlurmCluster().Run("scontrol", ["requeue", $"{job}_0"]);
        WaitForQueue(submitted);

        var log = File.ReadAllText(Path.Combine(onSlurm, "logs", "task-0.log"));
        Assert.Contains("restart 1", log);                                             // it ran twice
        Assert.Contains("resuming at step", log);
        // Checkpoint and evaluations as the uninterrupted run's; its training rows are cut at the interruption (a row for
        // the iterations up to it: docs/scale.md), so those are not compared.
        // (Not summary.md: its CPU minutes, rounded to 0.1, may differ for a run of seconds that was stopped and restarted.)
        Assert.Equal(Outcome(local, trainingRows: false), Outcome(onSlurm, trainingRows: false));
    }

    [SlurmFact]
    public void A_failing_task_is_reported_the_others_finish_and_a_resubmission_runs_only_what_was_not_done()
    {
        // The LSGAN configuration reads a copy of the fixture that disappears once the sweep is submitted (as a path the
        // nodes cannot see): its two tasks fail, the DCGAN ones finish.
        var copy = Path.Combine(TempFolder(), "mnist-copy");
        Directory.CreateDirectory(copy);
        foreach (var file in Directory.GetFiles(MnistFixture)) File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        var configs = SmallConfigs(lsganDataset: copy);
        var onSlurm = Path.Combine(TempFolder(), "slurm");
        var submitted = Gan.Run([.. Sweep(configs, onSlurm), "--scheduler", "slurm", "--time", "5"]);
        Assert.True(submitted.Code == 0, submitted.Err);
        Directory.Move(copy, copy + "-gone");
        WaitForQueue(submitted);

        var status = Gan.Run("sweep", "--status", onSlurm);
        Assert.Contains("4 runs: 2 done, 2 failed", status.Out);
        Assert.Contains(Path.Combine(onSlurm, "logs", "task-2.log"), status.Out);       // a failed task names its log
        Assert.Contains(copy, File.ReadAllText(Path.Combine(onSlurm, "logs", "task-2.log")));   // which says what was missing
        Assert.Contains("2 of 4 runs not finished", File.ReadAllText(Path.Combine(onSlurm, "logs", "collect.log")));

        // The data is back: the resubmission takes tasks 2 and 3 only, and the sweep ends complete.
        Directory.Move(copy + "-gone", copy);
        var again = Gan.Run("sweep", "--resume", onSlurm, "--scheduler", "slurm");
        Assert.True(again.Code == 0, again.Err);
        Assert.Contains("2 task(s) of 4 (2-3)", again.Out);
        WaitForQueue(again);
        Assert.Contains("4 runs: 4 done", Gan.Run("sweep", "--status", onSlurm).Out);
        var nothing = Gan.Run("sweep", "--resume", onSlurm, "--scheduler", "slurm");
        Assert.Contains("no run of the sweep", nothing.Out);
        Assert.Equal(2, File.ReadLines(Path.Combine(onSlurm, "slurm-jobs.jsonl")).Count());
    }

    [SlurmFact]
    public void Slurms_refusals_and_silence_are_one_line_and_leave_the_sweep_ready_for_a_retry()
    {
        var configs = SmallConfigs();
        var folder = Path.Combine(TempFolder(), "slurm");
        var refused = Gan.Run([.. Sweep(configs, folder), "--scheduler", "slurm", "--partition", "nosuchpartition"]);
        Gan.AssertOneLineError(refused, 2, "sbatch refused");
        Assert.Contains("partition", refused.Err, StringComparison.OrdinalIgnoreCase);
        Assert.False(File.Exists(Path.Combine(folder, "slurm-jobs.jsonl")));            // nothing was submitted …
        Assert.True(File.Exists(Path.Combine(folder, "sweep.json")));                   // … and the plan is there for a retry

        // A controller that does not answer: a configuration naming a port nobody listens on.
        var conf = Environment.GetEnvironmentVariable("SLURM_CONF") ?? "/etc/slurm/slurm.conf";
        var dead = Path.Combine(TempFolder(), "slurm.conf");
        File.WriteAllLines(dead, File.ReadLines(conf).Select(l => l.StartsWith("SlurmctldPort=", StringComparison.Ordinal) ? "SlurmctldPort=9" : l)
                                                     .Select(l => l.StartsWith("MessageTimeout=", StringComparison.Ordinal) ? "MessageTimeout=2" : l));
        var deadFolder = Path.Combine(TempFolder(), "dead");
        Gan.Result silent;
        lock (Gan.Gate)
        {
            Environment.SetEnvironmentVariable("SLURM_CONF", dead);
            try { silent = Gan.Run([.. Sweep(configs, deadFolder), "--scheduler", "slurm"]); }
            finally { Environment.SetEnvironmentVariable("SLURM_CONF", conf); }
        }
        Gan.AssertOneLineError(silent, 1, "the Slurm controller does not answer");
        Assert.False(File.Exists(Path.Combine(deadFolder, "slurm-jobs.jsonl")));

        // No sbatch at all.
        Gan.Result missing;
        var path = Environment.GetEnvironmentVariable("PATH");
        var empty = TempFolder();
        lock (Gan.Gate)
        {
            Environment.SetEnvironmentVariable("PATH", empty);
            try { missing = Gan.Run([.. Sweep(configs, Path.Combine(TempFolder(), "none")), "--scheduler", "slurm"]); }
            finally { Environment.SetEnvironmentVariable("PATH", path); }
        }
        Gan.AssertOneLineError(missing, 2, "sbatch not found");
    }
}
