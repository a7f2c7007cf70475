using System.Text.Json;

namespace GanSharp.Experiments;

/// <summary>One submission of a sweep's job array: the array's job id and the plan's tasks it holds.</summary>
public sealed record SlurmSubmission(long Job, int[] Tasks, string Time);

/// <summary>
/// Where one task of a sweep on Slurm stands: its run's progress (from the run folder) and what the scheduler and the
/// job script say of it. <see cref="State"/> is one of <c>not submitted</c>, <c>pending</c>, <c>requeued</c> (pending
/// again after an interruption), <c>running</c>, <c>done</c>, <c>failed</c> (gan exited with an error: see the log),
/// <c>interrupted</c> (stopped with a checkpoint and not requeued) or <c>lost</c> (submitted, gone from the queue, and
/// neither finished nor with an exit code: its node died or the job was cancelled before gan ended).
/// </summary>
public sealed record SlurmTaskStatus(int Task, string Run, string State, long Steps, double CpuMinutes, int? ExitCode, long? Job, string Log);

/// <summary>
/// A sweep whose runs train as Slurm job array tasks (<see cref="SlurmArrayScript"/>): its submissions
/// (<c>slurm-jobs.jsonl</c>, one JSON line each, oldest first), each task's state from the run folders, the tasks'
/// exit codes (<c>tasks/N.exit</c>) and <c>squeue</c> — no accounting database needed — and the tasks still to submit.
/// </summary>
public sealed class SlurmSweep(SweepDirectory sweep, SweepPlan plan, SlurmCluster cluster)
{
    static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>The file of submissions.</summary>
    public string SubmissionsPath => Path.Combine(sweep.Folder, "slurm-jobs.jsonl");

    /// <summary>The submissions so far, oldest first.</summary>
    /// <exception cref="InputException">A line of the file is not a submission (named with its line number).</exception>
    public IReadOnlyList<SlurmSubmission> Submissions()
    {
        if (!File.Exists(SubmissionsPath)) return [];
        var result = new List<SlurmSubmission>();
        int number = 0;
        foreach (var line in File.ReadLines(SubmissionsPath))
        {
            number++;
            if (line.Trim().Length == 0) continue;
            SlurmSubmission? s;
            try { s = JsonSerializer.Deserialize<SlurmSubmission>(line, Json); }
            catch (JsonException) { s = null; }
            if (s is null || s.Tasks is null || s.Job <= 0) throw new InputException($"{SubmissionsPath}:{number}: not a submission record");
            result.Add(s);
        }
        return result;
    }

    /// <summary>Appends a submission of <paramref name="tasks"/> as job <paramref name="job"/>.</summary>
    public void Record(long job, IReadOnlyList<int> tasks)
    {
        var line = JsonSerializer.Serialize(new SlurmSubmission(job, [.. tasks], DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ")), Json);
        var before = File.Exists(SubmissionsPath) ? File.ReadAllText(SubmissionsPath) : "";
        AtomicFile.WriteText(SubmissionsPath, before + line + "\n");
    }

    /// <summary>The log of task <paramref name="task"/> (appended to across its requeues).</summary>
    public string LogPath(int task) => Path.Combine(sweep.Folder, SlurmArrayScript.LogsFolder, $"task-{task}.log");

    /// <summary>The exit code gan last ended task <paramref name="task"/> with, or null (not ended, or never begun).</summary>
    public int? ExitCode(int task)
    {
        var path = Path.Combine(sweep.Folder, SlurmArrayScript.TasksFolder, $"{task}.exit");
        return File.Exists(path) && int.TryParse(File.ReadAllText(path).Trim(), out var code) ? code : null;
    }

    /// <summary>Every task's state, in the plan's order.</summary>
    public IReadOnlyList<SlurmTaskStatus> Status()
    {
        var submissions = Submissions();
        var lastJob = new Dictionary<int, long>();
        foreach (var s in submissions) foreach (var t in s.Tasks) lastJob[t] = s.Job;
        var queued = new Dictionary<(long Job, int Task), string>();
        foreach (var (job, task, state, _) in cluster.Queue(submissions.Select(s => s.Job)))
            if (task is { } t) queued[(job, t)] = state;
        var result = new List<SlurmTaskStatus>();
        for (int i = 0; i < plan.RunCount; i++)
        {
            var progress = sweep.Progress(plan, i);
            long? job = lastJob.TryGetValue(i, out var j) ? j : null;
            string? inQueue = job is { } id && queued.TryGetValue((id, i), out var q) ? q : null;
            var exit = ExitCode(i);
            string state = (progress?.Finished == true, job, inQueue, exit) switch
            {
                (true, _, _, _) => "done",
                (_, null, _, _) => "not submitted",
                (_, _, "PENDING" or "REQUEUED" or "REQUEUE_HOLD" or "REQUEUE_FED" or "RESV_DEL_HOLD", 130) => "requeued",
                (_, _, "PENDING" or "REQUEUED" or "REQUEUE_HOLD" or "REQUEUE_FED" or "RESV_DEL_HOLD" or "CONFIGURING", _) => "pending",
                (_, _, "RUNNING" or "COMPLETING" or "SUSPENDED" or "STOPPED" or "SIGNALING" or "STAGE_OUT" or "RESIZING", _) => "running",
                (_, _, _, 130) => "interrupted",
                (_, _, _, { } code) when code != 0 => "failed",
                _ => "lost",
            };
            result.Add(new SlurmTaskStatus(i, plan.Task(i).Name, state, progress?.Steps ?? 0, progress?.CpuMinutes ?? 0, exit, job, LogPath(i)));
        }
        return result;
    }

    /// <summary>The tasks a resubmission takes: those neither done nor waiting or running in the queue.</summary>
    public static IReadOnlyList<int> ToSubmit(IEnumerable<SlurmTaskStatus> status) =>
        [.. status.Where(s => s.State is not ("done" or "pending" or "requeued" or "running")).Select(s => s.Task)];
}
