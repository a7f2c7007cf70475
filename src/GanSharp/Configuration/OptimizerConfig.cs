namespace GanSharp.Configuration;

/// <summary>One optimizer and its schedules.</summary>
public sealed record OptimizerConfig
{
    /// <summary>sgd (the paper's, with momentum) or adam.</summary>
    public OptimizerKind Kind { get; init; } = OptimizerKind.Sgd;
    /// <summary>Initial learning rate.</summary>
    public double LearningRate { get; init; } = 0.1;
    /// <summary>How the learning rate moves over the run (default: the paper's exponential decay, 1.000004 per iteration, floor 10⁻⁶).</summary>
    public LearningRateSchedule Schedule { get; init; } = new ExponentialDecay();
    /// <summary>SGD momentum before the ramp starts.</summary>
    public double MomentumStart { get; init; } = 0.5;
    /// <summary>SGD momentum after the ramp ends.</summary>
    public double MomentumEnd { get; init; } = 0.7;
    /// <summary>Epoch at which the momentum ramp starts.</summary>
    public int MomentumRampStart { get; init; } = 1;
    /// <summary>Epoch at which the momentum ramp reaches its end value.</summary>
    public int MomentumRampEnd { get; init; } = 250;
    /// <summary>Adam's β₁.</summary>
    public double Beta1 { get; init; } = 0.5;
    /// <summary>Adam's β₂.</summary>
    public double Beta2 { get; init; } = 0.999;
    /// <summary>
    /// Adam's ε, added to √v̂ (PyTorch's form; default 10⁻⁸). Salimans et al.'s released code adds 10⁻⁸ to v̂ under the
    /// root instead, a floor of 10⁻⁴ on the denominator: ε = 10⁻⁴ here is within a factor √2 of it everywhere.
    /// </summary>
    public double Epsilon { get; init; } = 1e-8;

    /// <summary>The problems of these settings, each starting with <paramref name="name"/>, the section's key (none: valid).</summary>
    public IEnumerable<string> Problems(string name)
    {
        if (LearningRate is not (> 0 and <= float.MaxValue))
            yield return $"{name}: learning-rate must be a positive number within float32's range (got {LearningRate})";
        foreach (var p in Schedule.Problems(name)) yield return p;
        if (MomentumStart is not (>= 0 and < 1) || MomentumEnd is not (>= 0 and < 1)) yield return $"{name}: momentum must lie in [0, 1)";
        if (MomentumRampStart < 0 || MomentumRampEnd < MomentumRampStart)
            yield return $"{name}: the momentum ramp must start at epoch 0 or later and end no earlier than it starts (got {MomentumRampStart}…{MomentumRampEnd})";
        if (Beta1 is not (>= 0 and < 1) || Beta2 is not (>= 0 and < 1)) yield return $"{name}: beta1 and beta2 must lie in [0, 1)";
        if (!(Epsilon > 0 && Epsilon < 1)) yield return $"{name}: epsilon must lie in (0, 1) (got {Epsilon})";
    }

    /// <summary>The paper's SGD: lr 0.1 divided by 1.000004 per iteration (floor 1e-6), momentum 0.5 → 0.7 over epochs 1–250.</summary>
    public static OptimizerConfig PaperSgd { get; } = new();

    /// <summary>
    /// DCGAN's Adam (Radford et al. 2015, section 4): lr 2e-4, β₁ 0.5 ("β₁ at the suggested value of 0.9 resulted in
    /// training oscillation and instability"), β₂ 0.999, a constant rate.
    /// </summary>
    public static OptimizerConfig DcganAdam { get; } = new() { Kind = OptimizerKind.Adam, LearningRate = 2e-4, Schedule = ExponentialDecay.Constant, Beta1 = 0.5, Beta2 = 0.999 };

    /// <summary>
    /// This configuration switched to <paramref name="kind"/>: unchanged if it already is one, else that kind's recipe
    /// (<see cref="PaperSgd"/> or <see cref="DcganAdam"/>) — an SGD learning rate means nothing to Adam.
    /// </summary>
    public OptimizerConfig SwitchTo(OptimizerKind kind) => kind == Kind ? this : kind switch
    {
        OptimizerKind.Sgd => PaperSgd,
        OptimizerKind.Adam => DcganAdam,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown optimizer"),
    };
}

/// <summary>Which optimizer updates a player.</summary>
public enum OptimizerKind
{
    /// <summary>Stochastic gradient descent with momentum.</summary>
    Sgd,
    /// <summary>Adam (Kingma and Ba).</summary>
    Adam,
}
