using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using static GanSharp.Tests.TestSupport;

namespace GanSharp.Tests;

/// <summary>A test that needs to mount a small tmpfs (root, or a container allowed to): skipped with the reason elsewhere.</summary>
public sealed class TmpfsFactAttribute : FactAttribute
{
    public TmpfsFactAttribute()
    {
        if (CrashTests.MountTmpfs(TempFolder(), "1m") is { } reason) Skip = $"cannot mount a tmpfs here ({reason}): the disk-full case needs one";
    }
}

/// <summary>Runs killed, diverging, racing or out of disk: each ends in a run that is still whole.</summary>
public class CrashTests(Xunit.Abstractions.ITestOutputHelper output) : TempFolders
{
    [DllImport("libc", SetLastError = true)]
    static extern int kill(int pid, int signal);

    const int SIGKILL = 9, SIGTERM = 15;

    static string[] Train(string outDir, long steps, int checkpointEvery = 5, int evalEvery = 0) =>
    [
        "train", "--dataset", MnistFixture, "--steps", steps.ToString(), "--batch", "50", "--threads", "1",
        "--log-every", "5", "--sample-every", "1000000", "--checkpoint-every", checkpointEvery.ToString(), "--out", outDir,
        .. evalEvery > 0 ? new[] { "--eval-every", evalEvery.ToString(), "--eval", "parzen" } : [],
    ];

    /// <summary>Starts gan and waits until it prints its run line (the run folder and lock are in place, training begins).</summary>
    static (Process Process, Task<string> Err) StartTraining(string[] args)
    {
        var p = GanProcess.Start(args);
        var err = p.StandardError.ReadToEndAsync();
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (DateTime.UtcNow < deadline)
        {
            var line = p.StandardOutput.ReadLine();
            if (line is null) break;
            if (line.StartsWith("run ")) break;
        }
        _ = p.StandardOutput.ReadToEndAsync();  // keep the pipe drained
        return (p, err);
    }

    [Fact]
    public void A_second_writer_is_refused_while_the_first_trains_whom_two_SIGTERMs_stop_with_a_checkpoint()
    {
        var run = Path.Combine(TempFolder(), "run");
        var (first, err) = StartTraining(Train(run, 100_000, checkpointEvery: 1_000_000));
        try
        {
            Assert.False(first.HasExited, "gan exited before the second writer tried");
            var second = Gan.Run("train", "--resume", run, "--steps", "200000");
            Gan.AssertOneLineError(second, 2, $"{Path.GetFullPath(run)} is being trained by process {first.Id}");
            // Readers need no lock. SIGTERM twice, as Slurm and the job script send it on a requeue: still one checkpoint.
            Assert.Equal(0, kill(first.Id, SIGTERM));
            Assert.Equal(0, kill(first.Id, SIGTERM));
            Assert.True(first.WaitForExit(TimeSpan.FromMinutes(1)));
            Assert.Equal(130, first.ExitCode);
            var resumed = Gan.Run("train", "--resume", run, "--steps", (Checkpoint.Read(Path.Combine(run, "checkpoints", "last.ckpt")).Step + 2).ToString());
            Assert.True(resumed.Code == 0, resumed.Err);  // the lock died with its holder
        }
        finally
        {
            if (!first.HasExited) first.Kill();
            first.Dispose();
        }
    }

    [Fact]
    public void A_diverging_run_leaves_only_finite_checkpoints_and_says_so()
    {
        var run = Path.Combine(TempFolder(), "run");
        var r = Gan.Run([.. Train(run, 30, checkpointEvery: 1), "--lr", "1e6"]);
        Gan.AssertOneLineError(r, 1, "training diverged at step");
        Assert.Matches("nothing of it was saved: (the last good checkpoint is .*last.ckpt \\(step \\d+\\)|no checkpoint had been written yet)", r.Err);
        var files = Directory.GetFiles(Path.Combine(run, "checkpoints"));
        foreach (var file in files)
        {
            var npy = Path.Combine(TempFolder(), "s.npy");
            var sample = Gan.Run("sample", "--checkpoint", file, "--count", "20", "--out", npy);
            Assert.True(sample.Code == 0, $"{file}: {sample.Err}");
            using var samples = Data.SampleFiles.Read(npy);  // refuses NaN or infinite values
        }
    }

    /// <summary>
    /// The kill-and-resume harness: SIGKILL at random moments (during start-up, training, checkpoint writes), resume each
    /// time, and the run must end byte-identical to an uninterrupted one: metrics rows (evaluation rows too: the runs
    /// evaluate at the start, every 60 iterations and at the end), every checkpoint section, best.ckpt, the last sample
    /// grid — and no temporary file left behind. The suite kills 5 times; <c>GANSHARP_KILLS=N</c> kills N times
    /// (docs/reliability.md).
    /// </summary>
    [Fact]
    public void Runs_killed_at_random_moments_and_resumed_end_byte_identical()
    {
        int kills = int.TryParse(Environment.GetEnvironmentVariable("GANSHARP_KILLS"), out var k) ? k : 5;
        int seed = int.TryParse(Environment.GetEnvironmentVariable("GANSHARP_KILL_SEED"), out var s) ? s : 20261126;
        long steps = 60 + 12L * kills;
        var straight = Path.Combine(TempFolder(), "straight");
        var reference = Gan.Run(Train(straight, steps, evalEvery: 60));
        Assert.True(reference.Code == 0, reference.Err);
        // Only last.ckpt and best.ckpt are compared: the straight run's periodic checkpoints (25 of 30 MB) go now.
        foreach (var periodic in Directory.GetFiles(Path.Combine(straight, "checkpoints"), "step-*.ckpt")) File.Delete(periodic);

        var killed = Path.Combine(TempFolder(), "killed");
        var random = new Random(seed);
        int done = 0;
        while (done < kills)
        {
            bool started = File.Exists(Path.Combine(killed, "config.json"));
            var (p, _) = StartTraining(started ? ["train", "--resume", killed] : Train(killed, steps, evalEvery: 60));
            using (p)
            {
                Thread.Sleep(random.Next(0, 1200));
                if (p.HasExited) break;  // it finished before this kill
                Assert.Equal(0, kill(p.Id, SIGKILL));
                p.WaitForExit();
                done++;
            }
        }
        var last = Gan.Run("train", "--resume", killed);
        Assert.True(last.Code == 0, last.Err);

        Assert.Equal(Rows(straight), Rows(killed));
        var a = Checkpoint.Read(Path.Combine(straight, "checkpoints", "last.ckpt"));
        var b = Checkpoint.Read(Path.Combine(killed, "checkpoints", "last.ckpt"));
        Assert.Equal(a.Sections.Keys, b.Sections.Keys);
        foreach (var name in a.Sections.Keys) Assert.True(a.Section(name).AsSpan().SequenceEqual(b.Section(name)), name);
        Assert.Equal(File.ReadAllBytes(Path.Combine(straight, "samples", "last.png")), File.ReadAllBytes(Path.Combine(killed, "samples", "last.png")));
        Assert.Equal(Checkpoint.Read(Path.Combine(straight, "checkpoints", "best.ckpt")).Step, Checkpoint.Read(Path.Combine(killed, "checkpoints", "best.ckpt")).Step);
        // Evaluations at the start, every 60 iterations and at the end: none logged twice across the kills.
        Assert.Equal(1 + steps / 60 + (steps % 60 == 0 ? 0 : 1), Rows(killed).Count(r => r.Contains("parzen_test")));
        Assert.Empty(Directory.EnumerateFiles(killed, "*.tmp", SearchOption.AllDirectories));
        Assert.True(done >= Math.Min(kills, 3), $"only {done} kills landed before the run finished");
        output.WriteLine($"{done} SIGKILLs (seed {seed}), {steps} iterations: byte-identical to the uninterrupted run");
    }

    /// <summary>The measured columns of a run's metrics (not its timings), one line per row, training and evaluation rows alike.</summary>
    static string[] Rows(string run) =>
        MetricsFile.Read(Path.Combine(run, "metrics.jsonl")).Rows
            .Select(r => string.Join(",", r.Where(p => p.Key is "step" or "epoch" || !(MetricsFile.PlacingKeys.Contains(p.Key) || p.Key == "images_per_s"))
                                           .Select(p => $"{p.Key}={p.Value:R}")))
            .ToArray();

    [TmpfsFact]
    public void A_full_disk_stops_the_run_with_one_line_and_keeps_the_last_checkpoint()
    {
        var mount = TempFolder();
        Assert.Null(MountTmpfs(mount, "40m"));  // room for one checkpoint (~30 MB) but not the temporary file of the next
        try
        {
            var run = Path.Combine(mount, "run");
            var r = Gan.Run(Train(run, 30, checkpointEvery: 5));
            Gan.AssertOneLineError(r, 1, "No space left on device");
            Assert.Equal(5, Checkpoint.Read(Path.Combine(run, "checkpoints", "last.ckpt")).Step);
            Assert.Empty(Directory.EnumerateFiles(run, "*.tmp", SearchOption.AllDirectories));
        }
        finally { Unmount(mount); }
    }

    /// <summary>Mounts a tmpfs of <paramref name="size"/> at <paramref name="folder"/>; null on success, else why not.</summary>
    public static string? MountTmpfs(string folder, string size)
    {
        if (!OperatingSystem.IsLinux()) return "not Linux";
        try
        {
            var (code, err) = Command("mount", "-t", "tmpfs", "-o", $"size={size}", "tmpfs", folder);
            if (code != 0) return err.Trim();
            if (size == "1m") Unmount(folder);  // only a probe
            return null;
        }
        catch (System.ComponentModel.Win32Exception e) { return e.Message; }
    }

    static void Unmount(string folder) => Command("umount", folder);

    static (int Code, string Err) Command(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, err);
    }
}
