namespace GanSharp.Configuration;

/// <summary>The run's length, batch size and where it runs: what every game shares.</summary>
public sealed record TrainConfig
{
    /// <summary>Minibatch size m (for data and noise alike).</summary>
    public int Batch { get; init; } = 100;
    /// <summary>Length in epochs (passes of the discriminator over the training images); ignored when Steps is set.</summary>
    public int Epochs { get; init; } = 50;
    /// <summary>Length in training iterations (generator updates); overrides Epochs when set.</summary>
    public long? Steps { get; init; }
    /// <summary>
    /// A budget of training CPU time in minutes (process CPU time, all threads; evaluations excluded): the run ends at the
    /// first iteration that reaches it. With a budget, Epochs is ignored and Steps, if set, caps the run (whichever comes
    /// first ends it). Null: no budget. Where a budget ends depends on the machine's speed: two runs of one configuration
    /// may stop at different iterations (each is exact up to there, and resumes exactly).
    /// </summary>
    public double? CpuMinutes { get; init; }
    /// <summary>Seed of every random number the run draws.</summary>
    public long Seed { get; init; } = 1;
    /// <summary>CPU threads for libtorch (0: one per core).</summary>
    public int Threads { get; init; }
    /// <summary>
    /// Where the nets train: cpu, cuda, cuda:N or auto (a GPU when libtorch sees one). A run records the device it
    /// resolved to, and resumes there: random number streams differ between devices.
    /// </summary>
    public string Device { get; init; } = "auto";

    /// <summary>The problems of these settings (none: valid).</summary>
    public IEnumerable<string> Problems()
    {
        if (Batch <= 0) yield return $"batch must be positive (got {Batch})";
        if (Epochs <= 0 && Steps is null && CpuMinutes is null) yield return "the run needs a positive number of epochs or steps";
        if (CpuMinutes is { } budget && !(budget > 0 && budget <= 1e9)) yield return $"cpu-minutes must be a positive number (got {budget})";
        if (Steps is <= 0) yield return $"steps must be positive (got {Steps})";
        if (Threads < 0) yield return $"threads must be positive, or 0 for one per core (got {Threads})";
    }
}
