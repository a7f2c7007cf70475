using System.ComponentModel;
using System.Diagnostics;

namespace GanSharp.Experiments;

/// <summary>
/// Slurm's client commands (<c>sbatch</c>, <c>squeue</c>, <c>scontrol</c>) as the submitting user runs them, with their
/// failures told apart in the user's terms: a command that is not installed or a submission the controller refuses
/// (an unknown partition, a time limit over the partition's) is the user's to fix — <see cref="InputException"/>, exit
/// 2 — and a controller that does not answer is a failure of the moment — <see cref="GanSharpException"/>, exit 1, with
/// the sweep's folder left as it was so that the same command can be tried again. They find the cluster as a user's
/// shell does (<c>SLURM_CONF</c>, else the installation's slurm.conf).
/// </summary>
public sealed class SlurmCluster
{
    /// <summary>The folder of Slurm's client commands, or null to find them on PATH (as a shell does).</summary>
    public string? CommandFolder { get; init; }

    /// <summary>How long a client command may take before the controller counts as not answering.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Submits a job: <paramref name="arguments"/> as sbatch takes them (options, then a batch script's path — or
    /// <c>--wrap</c> and a command); returns the job's id.
    /// </summary>
    public long Submit(params string[] arguments)
    {
        var output = Run("sbatch", ["--parsable", .. arguments]).Trim();
        // --parsable prints "id" or "id;cluster".
        var id = output.Split('\n')[^1].Split(';')[0].Trim();
        return long.TryParse(id, out var job) ? job : throw new GanSharpException($"sbatch: unexpected reply '{output}' (no job id)");
    }

    /// <summary>
    /// The jobs of <paramref name="jobs"/> that the controller still knows as pending or running, array tasks one by one:
    /// (array job id, task index or null, state as squeue names it, reason).
    /// </summary>
    public IReadOnlyList<(long Job, int? Task, string State, string Reason)> Queue(IEnumerable<long> jobs)
    {
        var ids = string.Join(",", jobs.Distinct());
        if (ids.Length == 0) return [];
        var lines = Run("squeue", ["--noheader", "--array", "--jobs", ids, "--states", "all", "--format", "%F|%K|%T|%r"]);
        var result = new List<(long, int?, string, string)>();
        foreach (var line in lines.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var f = line.Split('|');
            if (f.Length < 4 || !long.TryParse(f[0], out var job)) continue;
            result.Add((job, int.TryParse(f[1], out var t) ? t : null, f[2], f[3]));
        }
        return result;
    }

    /// <summary>Runs a client command and returns its standard output; its failures as this class describes.</summary>
    internal string Run(string command, IReadOnlyList<string> arguments)
    {
        var info = new ProcessStartInfo(CommandFolder is null ? command : Path.Combine(CommandFolder, command), arguments)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        Process process;
        try { process = Process.Start(info) ?? throw new InputException($"{command} could not be started"); }
        catch (Win32Exception)
        {
            throw new InputException($"{command} not found: Slurm's client commands must be installed and on PATH (Debian: slurm-client), " +
                                     "or run the sweep here with --scheduler local");
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(Timeout))
            {
                try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                throw new GanSharpException($"{command} did not answer within {Timeout.TotalSeconds:N0} s: is the Slurm controller up? (scontrol ping)");
            }
            process.WaitForExit();
            if (process.ExitCode == 0) return stdout.Result;
            throw Failure(command, stderr.Result);
        }
    }

    /// <summary>A client command's error output as the exception a user should see.</summary>
    static GanSharpException Failure(string command, string stderr)
    {
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var said = lines.Length == 0 ? "no reason given" : string.Join("; ", lines.Select(l => l.Replace($"{command}: error: ", "", StringComparison.Ordinal)).Distinct().Take(3));
        bool unreachable = lines.Any(l => l.Contains("Unable to contact slurm controller", StringComparison.OrdinalIgnoreCase) ||
                                          l.Contains("Connection refused", StringComparison.OrdinalIgnoreCase) ||
                                          l.Contains("Socket timed out", StringComparison.OrdinalIgnoreCase) ||
                                          l.Contains("Zero Bytes were transmitted", StringComparison.OrdinalIgnoreCase));
        return unreachable
            ? new GanSharpException($"{command}: the Slurm controller does not answer ({said}); nothing was submitted: try again when it is up")
            : new InputException($"{command} refused: {said}");
    }
}
