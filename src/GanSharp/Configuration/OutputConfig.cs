using System.Text.Json.Serialization;

namespace GanSharp.Configuration;

/// <summary>What a run writes and how often (in training iterations).</summary>
public sealed record OutputConfig
{
    /// <summary>Append a row to metrics.jsonl (and TensorBoard) every this many iterations.</summary>
    public int LogEvery { get; init; } = 50;
    /// <summary>Write a sample grid every this many iterations (and at the end).</summary>
    public int SampleEvery { get; init; } = 2500;
    /// <summary>Keep a periodic checkpoint every this many iterations (last.ckpt is refreshed at the same times and at the end).</summary>
    public int CheckpointEvery { get; init; } = 5000;
    /// <summary>Number of images in the fixed-noise sample grid.</summary>
    public int SampleCount { get; init; } = 100;
    /// <summary>Write TensorBoard event files under tb/.</summary>
    public bool TensorBoard { get; init; } = true;
    /// <summary>Evaluate the generator every this many iterations (and at the start and the end); 0: never.</summary>
    public int EvalEvery { get; init; }
    /// <summary>
    /// Also evaluate whenever training has used another this many CPU minutes (evaluations excluded; see
    /// <see cref="TrainConfig.CpuMinutes"/>), and at the start and the end; null: not by time.
    /// </summary>
    public double? EvalEveryCpuMinutes { get; init; }
    /// <summary>
    /// Leave out the evaluation at step 0 (of the untrained G, the same for every run of a net): what a sweep does, whose
    /// runs are compared at their ends. Written to config.json only when set.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool SkipStartEvaluation { get; init; }
    /// <summary>Whether the run evaluates at all (by iterations or by CPU time).</summary>
    [JsonIgnore] public bool Evaluates => EvalEvery > 0 || EvalEveryCpuMinutes is not null;
    /// <summary>
    /// What to evaluate: <c>parzen</c> (the paper's Table 1 protocol). The first metric picks checkpoints/best.ckpt.
    /// </summary>
    public string[] Eval { get; init; } = ["parzen"];

    /// <summary>The problems of these settings (none: valid).</summary>
    public IEnumerable<string> Problems()
    {
        if (LogEvery <= 0 || SampleEvery <= 0 || CheckpointEvery <= 0) yield return "output intervals must be positive";
        if (SampleCount <= 0) yield return "sample-count must be positive";
        if (EvalEvery < 0) yield return $"eval-every must not be negative (got {EvalEvery})";
        if (EvalEveryCpuMinutes is { } e && !(e > 0 && e <= 1e9)) yield return $"eval-every-cpu-minutes must be a positive number (got {e})";
    }
}
