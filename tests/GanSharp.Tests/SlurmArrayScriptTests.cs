using System.Diagnostics;
using GanSharp.Experiments;
using static GanSharp.Tests.TestSupport;

namespace GanSharp.Tests;

/// <summary>
/// The job array's batch script: its #SBATCH lines, and — run by bash as Slurm would run it, with a stand-in for gan —
/// the task it starts, the exit code it records, and SIGTERM forwarded and waited for.
/// </summary>
public class SlurmArrayScriptTests : TempFolders
{
    [Fact]
    public void The_array_specification_joins_consecutive_tasks_into_ranges()
    {
        Assert.Equal("0-3", SlurmArrayScript.ArraySpecification([3, 1, 0, 2]));
        Assert.Equal("0,2-4,7,9-10", SlurmArrayScript.ArraySpecification([10, 9, 7, 4, 3, 2, 0, 2]));
        Assert.Equal("5", SlurmArrayScript.ArraySpecification([5]));
        Assert.Throws<ArgumentException>(() => SlurmArrayScript.ArraySpecification([]));
    }

    [Fact]
    public void The_script_asks_for_what_the_sweep_was_given_and_quotes_what_bash_would_split()
    {
        var script = new SlurmArrayScript
        {
            SweepFolder = "/shared/runs/sweep-1", Gan = ["dotnet", "/shared/gan's tool/gan.dll"], Tasks = [0, 1, 2, 5], CpusPerTask = 2,
            Partition = "short", Time = "01:30:00", Memory = "8G", Gres = "gpu:1", SbatchArguments = ["--account=lab", "--qos=low"],
            SweepArguments = ["--data-dir", "/shared/my data"],
        }.Render();
        var lines = script.Split('\n');
        Assert.Equal("#!/bin/bash", lines[0]);
        Assert.Equal(
        [
            "#SBATCH --job-name=gan-sweep", "#SBATCH --array=0-2,5", "#SBATCH --cpus-per-task=2", "#SBATCH --output=/shared/runs/sweep-1/logs/task-%a.log",
            "#SBATCH --open-mode=append", "#SBATCH --requeue", "#SBATCH --signal=B:TERM@120", "#SBATCH --partition=short", "#SBATCH --time=01:30:00",
            "#SBATCH --mem=8G", "#SBATCH --gres=gpu:1", "#SBATCH --account=lab", "#SBATCH --qos=low",
        ], lines.Where(l => l.StartsWith("#SBATCH", StringComparison.Ordinal)));
        Assert.Contains("dotnet '/shared/gan'\\''s tool/gan.dll' sweep --resume /shared/runs/sweep-1 --task \"$task\" --data-dir '/shared/my data' &", lines);
        var defaults = new SlurmArrayScript { SweepFolder = "/s", Gan = ["gan"], Tasks = [0] }.Render();
        Assert.DoesNotContain("--partition", defaults);
        Assert.DoesNotContain("--time", defaults);
        Assert.Contains("without spaces", Assert.Throws<InputException>(() => new SlurmArrayScript { SweepFolder = "/my runs/s", Gan = ["gan"], Tasks = [0] }.Render()).Message);
        Assert.Contains("line break", Assert.Throws<InputException>(() => new SlurmArrayScript { SweepFolder = "/s", Gan = ["gan"], Tasks = [0], SbatchArguments = ["--x\nrm -rf /"] }.Render()).Message);
    }

    /// <summary>Runs the script for task 1 with bash and a stand-in for gan; returns bash's process (started) and the sweep folder.</summary>
    (Process Bash, string Folder) Start(string standIn)
    {
        var folder = Path.Combine(TempFolder(), "sweep");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, SlurmArrayScript.FileName);
        File.WriteAllText(path, new SlurmArrayScript { SweepFolder = folder, Gan = ["bash", "-c", standIn, "gan"], Tasks = [0, 1] }.Render());
        var info = new ProcessStartInfo("bash", [path]) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder };
        info.Environment["SLURM_ARRAY_TASK_ID"] = "1";
        info.Environment["SLURM_JOB_ID"] = "77";
        info.Environment["PATH"] = "/usr/bin:/bin";  // no scontrol: the requeue is skipped, as where it fails
        return (Process.Start(info)!, folder);
    }

    [Fact]
    public void A_task_runs_its_run_and_records_gans_exit_code()
    {
        var (bash, folder) = Start("echo \"$@\" > args; exit 3");
        using (bash)
        {
            Assert.True(bash.WaitForExit(TimeSpan.FromSeconds(30)));
            Assert.Equal(3, bash.ExitCode);
        }
        Assert.Equal($"sweep --resume {folder} --task 1", File.ReadAllText(Path.Combine(folder, "args")).Trim());
        Assert.Equal("3", File.ReadAllText(Path.Combine(folder, "tasks", "1.exit")).Trim());
    }

    [Fact]
    public void Sigterm_to_the_batch_shell_reaches_gan_and_the_script_waits_for_its_exit()
    {
        // The stand-in saves "a checkpoint" for a second after SIGTERM and then exits 130, as gan train does.
        var (bash, folder) = Start("trap 'sleep 1; echo saved > checkpoint; exit 130' TERM; echo up > up; while true; do sleep 0.1; done");
        using (bash)
        {
            var up = Path.Combine(folder, "up");
            for (int i = 0; i < 300 && !File.Exists(up); i++) Thread.Sleep(50);
            Assert.True(File.Exists(up), "the stand-in never started");
            Assert.Equal(0, kill(bash.Id, 15));
            Assert.True(bash.WaitForExit(TimeSpan.FromSeconds(30)));
            Assert.Equal(130, bash.ExitCode);
        }
        Assert.Equal("saved", File.ReadAllText(Path.Combine(folder, "checkpoint")).Trim());     // waited for, not cut short
        Assert.Equal("130", File.ReadAllText(Path.Combine(folder, "tasks", "1.exit")).Trim());
    }

    [Fact]
    public void Slurms_failures_are_told_apart_a_missing_command_and_a_refusal_are_the_users_a_silent_controller_is_not()
    {
        var cluster = new SlurmCluster { Timeout = TimeSpan.FromSeconds(2) };
        var missing = Assert.Throws<InputException>(() => cluster.Run("sbatch-not-installed-here", []));
        Assert.Contains("sbatch-not-installed-here not found", missing.Message);
        // Stand-ins that answer as sbatch does (its messages as Slurm 22.05 prints them).
        var refused = Assert.Throws<InputException>(() => cluster.Run("bash", ["-c", "echo 'bash: error: Batch job submission failed: Invalid partition name specified' >&2; exit 1"]));
        Assert.Equal("bash refused: Batch job submission failed: Invalid partition name specified", refused.Message);
        var down = Assert.Throws<GanSharpException>(() => cluster.Run("bash", ["-c", "echo 'bash: error: Batch job submission failed: Unable to contact slurm controller (connect failure)' >&2; exit 1"]));
        Assert.IsNotType<InputException>(down);
        Assert.Contains("the Slurm controller does not answer", down.Message);
        var silent = Assert.Throws<GanSharpException>(() => cluster.Run("sleep", ["30"]));
        Assert.IsNotType<InputException>(silent);
        Assert.Contains("did not answer within 2 s", silent.Message);
        Assert.Equal("hello\n", cluster.Run("echo", ["hello"]));
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    static extern int kill(int pid, int signal);
}
