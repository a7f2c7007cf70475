using System.Text;

namespace GanSharp.Experiments;

/// <summary>
/// The batch script of a sweep's Slurm job array: one array task per run of the plan (task i trains run i, in the
/// plan's order: <see cref="SweepPlan.Task"/>), each running <c>gan sweep --resume FOLDER --task i</c> on a node. It is
/// written into the sweep's folder (<see cref="FileName"/>) so that a user can read it and submit it again with
/// <c>sbatch</c>; everything it needs is in its <c>#SBATCH</c> lines.
/// <para>
/// Preemption and time limits: the tasks are requeueable (<c>--requeue</c>) and Slurm signals the batch shell
/// <see cref="SignalSeconds"/> before the time limit (<c>--signal=B:TERM@s</c>). The script does not <c>exec</c> gan: it
/// forwards SIGTERM to it, waits for it to save its checkpoint and exit (130, interrupted), and then asks Slurm to requeue
/// the task (<c>scontrol requeue</c>) — a task stopped at its time limit is not requeued by Slurm itself, only a
/// preempted one is. The requeued task runs the same command, which resumes the run exactly from that checkpoint. Each
/// task writes its exit code to <c>tasks/i.exit</c> when gan ends (what <c>--status</c> reads without an accounting
/// database), and its output is appended to <c>logs/task-i.log</c> across requeues.
/// </para>
/// </summary>
public sealed record SlurmArrayScript
{
    /// <summary>The script's name in the sweep's folder.</summary>
    public const string FileName = "slurm-array.sh";

    /// <summary>The sweep's folder, as the nodes see it (a full path on the shared filesystem).</summary>
    public required string SweepFolder { get; init; }
    /// <summary>The command that runs gan on a node, program first (<c>/opt/gan/gan</c>, or <c>dotnet /shared/gan.dll</c>).</summary>
    public required IReadOnlyList<string> Gan { get; init; }
    /// <summary>Options of <c>gan sweep</c> every task passes on after its own (<c>--data-dir /shared/data</c>).</summary>
    public IReadOnlyList<string> SweepArguments { get; init; } = [];
    /// <summary>The array's task indices (all of the plan's, or those a resubmission leaves).</summary>
    public required IReadOnlyList<int> Tasks { get; init; }
    /// <summary>CPUs per task: the runs' threads.</summary>
    public int CpusPerTask { get; init; } = 1;
    /// <summary><c>--partition</c>, or null for the cluster's default.</summary>
    public string? Partition { get; init; }
    /// <summary><c>--time</c> (Slurm's forms: <c>MM</c>, <c>HH:MM:SS</c>, <c>D-HH</c>…), or null for the partition's limit.</summary>
    public string? Time { get; init; }
    /// <summary><c>--mem</c> per node (<c>4G</c>), or null for the cluster's default.</summary>
    public string? Memory { get; init; }
    /// <summary><c>--gres</c> (<c>gpu:1</c>), or null.</summary>
    public string? Gres { get; init; }
    /// <summary>Further <c>#SBATCH</c> arguments, each as the user gave it (<c>--account=lab</c>).</summary>
    public IReadOnlyList<string> SbatchArguments { get; init; } = [];
    /// <summary>Seconds before the time limit at which the batch shell gets SIGTERM.</summary>
    public int SignalSeconds { get; init; } = 120;

    /// <summary>The folder of the tasks' logs inside the sweep's folder.</summary>
    public const string LogsFolder = "logs", TasksFolder = "tasks";

    /// <summary>
    /// The array specification: runs of consecutive indices as ranges (<c>0-3,6,8-9</c>), as <c>--array</c> takes it.
    /// </summary>
    public static string ArraySpecification(IEnumerable<int> tasks)
    {
        var sorted = tasks.Distinct().Order().ToList();
        if (sorted.Count == 0) throw new ArgumentException("an array needs at least one task", nameof(tasks));
        var parts = new List<string>();
        for (int i = 0; i < sorted.Count;)
        {
            int j = i;
            while (j + 1 < sorted.Count && sorted[j + 1] == sorted[j] + 1) j++;
            parts.Add(j == i ? $"{sorted[i]}" : $"{sorted[i]}-{sorted[j]}");
            i = j + 1;
        }
        return string.Join(",", parts);
    }

    /// <summary><paramref name="word"/> quoted for bash: in single quotes, a single quote as <c>'\''</c>.</summary>
    public static string Quote(string word) =>
        word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || "/._-=:,+@%".Contains(c)) ? word : "'" + word.Replace("'", "'\\''") + "'";

    /// <summary>The script's text.</summary>
    public string Render()
    {
        if (Gan.Count == 0) throw new ArgumentException("the command that runs gan is empty", nameof(Gan));
        if (SbatchArguments.FirstOrDefault(a => a.Contains('\n') || a.Contains('\r')) is { } bad)
            throw new InputException($"--sbatch-arg '{bad.ReplaceLineEndings(" ")}' holds a line break");
        if (SweepFolder.Any(char.IsWhiteSpace))
            throw new InputException($"{SweepFolder}: a sweep for Slurm needs a folder without spaces in its path (#SBATCH lines do not quote them)");
        string folder = SweepFolder, q = Quote(folder);
        var s = new StringBuilder();
        s.Append("#!/bin/bash\n");
        s.Append($"# The job array of the sweep in {folder} (its plan: sweep.json): task i trains the plan's run i.\n");
        s.Append("# Written by 'gan sweep --scheduler slurm'; submit it again with: sbatch " + Quote(Path.Combine(folder, FileName)) + "\n");
        s.Append("#SBATCH --job-name=gan-sweep\n");
        s.Append($"#SBATCH --array={ArraySpecification(Tasks)}\n");
        s.Append($"#SBATCH --cpus-per-task={CpusPerTask}\n");
        s.Append($"#SBATCH --output={Path.Combine(folder, LogsFolder, "task-%a.log")}\n");
        s.Append("#SBATCH --open-mode=append\n");
        s.Append("#SBATCH --requeue\n");
        s.Append($"#SBATCH --signal=B:TERM@{SignalSeconds}\n");
        if (Partition is not null) s.Append($"#SBATCH --partition={Partition}\n");
        if (Time is not null) s.Append($"#SBATCH --time={Time}\n");
        if (Memory is not null) s.Append($"#SBATCH --mem={Memory}\n");
        if (Gres is not null) s.Append($"#SBATCH --gres={Gres}\n");
        foreach (var a in SbatchArguments) s.Append($"#SBATCH {a}\n");
        s.Append("set -u\n");
        s.Append("task=\"$SLURM_ARRAY_TASK_ID\"\n");
        s.Append($"mkdir -p {Quote(Path.Combine(folder, TasksFolder))}\n");
        s.Append($"rm -f {Quote(Path.Combine(folder, TasksFolder))}/\"$task.exit\"\n");
        s.Append($"echo \"task $task (job $SLURM_JOB_ID, restart ${{SLURM_RESTART_COUNT:-0}}) on $(hostname) at $(date -u +%FT%TZ)\"\n");
        s.Append(string.Join(" ", Gan.Select(Quote)) + $" sweep --resume {q} --task \"$task\"" + string.Concat(SweepArguments.Select(a => " " + Quote(a))) + " &\n");
        s.Append("pid=$!\n");
        s.Append("trap 'kill -TERM \"$pid\" 2>/dev/null' TERM   # the time limit is near, or the job is preempted: gan saves a checkpoint and exits\n");
        s.Append("wait \"$pid\"; code=$?\n");
        s.Append("while kill -0 \"$pid\" 2>/dev/null; do wait \"$pid\"; code=$?; done   # a signal ends the first wait early; gan's own exit code follows\n");
        s.Append($"echo \"$code\" > {Quote(Path.Combine(folder, TasksFolder))}/\"$task.exit\"\n");
        s.Append("if [ \"$code\" -eq 130 ]; then\n");
        s.Append("  scontrol requeue \"$SLURM_JOB_ID\" 2>/dev/null || true   # interrupted with its checkpoint saved: run again, resuming from it\n");
        s.Append("fi\n");
        s.Append("exit \"$code\"\n");
        return s.ToString();
    }
}
