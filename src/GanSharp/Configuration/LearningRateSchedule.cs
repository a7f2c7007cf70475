using System.Text.Json.Serialization;

namespace GanSharp.Configuration;

/// <summary>
/// How an optimizer's learning rate moves over a run, as a pure function of the iteration (so a resumed run recomputes it
/// exactly), told apart in JSON by <c>"kind"</c>.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind", UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization)]
[JsonDerivedType(typeof(ExponentialDecay), "exponential")]
[JsonDerivedType(typeof(LinearDecay), "linear-decay")]
[JsonDerivedType(typeof(StepDecay), "step-decay")]
public abstract record LearningRateSchedule
{
    /// <summary>The rate for the update after <paramref name="step"/> iterations of a run of <paramref name="totalSteps"/>, starting at <paramref name="initial"/>.</summary>
    public abstract double Rate(double initial, long step, long totalSteps);

    /// <summary>Whether the schedule needs the run's length in iterations (a CPU budget alone gives none).</summary>
    [JsonIgnore] public virtual bool NeedsLength => false;

    /// <summary>The problems of these settings, each starting with <paramref name="name"/>, the section's key (none: valid).</summary>
    public virtual IEnumerable<string> Problems(string name) => [];
}

/// <summary>
/// The rate divided by <see cref="Decay"/> after every iteration, never below <see cref="Min"/> (pylearn2's
/// ExponentialDecay, the paper's schedule); a decay of 1 is a constant rate.
/// </summary>
public sealed record ExponentialDecay : LearningRateSchedule
{
    /// <summary>The divisor per iteration (the paper's 1.000004); 1: constant.</summary>
    public double Decay { get; init; } = 1.000004;
    /// <summary>The floor of the rate (the paper's 10⁻⁶).</summary>
    public double Min { get; init; } = 1e-6;

    /// <summary>A constant rate.</summary>
    public static ExponentialDecay Constant { get; } = new() { Decay = 1 };

    /// <inheritdoc/>
    public override double Rate(double initial, long step, long totalSteps) => Math.Max(initial / Math.Pow(Decay, step), Min);

    /// <inheritdoc/>
    public override IEnumerable<string> Problems(string name)
    {
        if (!(Decay >= 1)) yield return $"{name}: schedule: decay must be at least 1 (the rate is divided by it)";
        if (!(Decay <= float.MaxValue)) yield return $"{name}: schedule: decay must be finite (got {Decay})";
        if (Min is not (>= 0 and <= float.MaxValue)) yield return $"{name}: schedule: min must be a non-negative number (got {Min})";
    }
}

/// <summary>
/// The rate held for the first <see cref="Start"/> of the run's iterations, then linearly down to 0 at its end — CycleGAN's
/// schedule (Zhu et al. 2017, section 4: "keep the same learning rate for the first 100 epochs and linearly decay the
/// rate to zero over the next 100"), here in iterations and as a fraction of the run, so that it scales with its length.
/// </summary>
public sealed record LinearDecay : LearningRateSchedule
{
    /// <summary>The fraction of the run at the initial rate (CycleGAN's 100 of 200 epochs: 0.5).</summary>
    public double Start { get; init; } = 0.5;

    /// <inheritdoc/>
    [JsonIgnore] public override bool NeedsLength => true;

    /// <inheritdoc/>
    public override double Rate(double initial, long step, long totalSteps)
    {
        double hold = Math.Floor(Start * totalSteps);
        return step <= hold ? initial : initial * Math.Max(0, 1 - (step - hold) / (totalSteps - hold));
    }

    /// <inheritdoc/>
    public override IEnumerable<string> Problems(string name)
    {
        if (Start is not (>= 0 and <= 1)) yield return $"{name}: schedule: start must be a fraction of the run in [0, 1] (got {Start})";
    }
}

/// <summary>
/// The rate multiplied by <see cref="Factor"/> after every <see cref="Every"/> of the run's iterations — StackGAN's
/// schedule (the reference's <c>lr_decay_epoch</c>: halved every 20 of 120 epochs, so <c>every</c> 1/6, factor ½), here as a
/// fraction of the run so that it scales with its length.
/// </summary>
public sealed record StepDecay : LearningRateSchedule
{
    /// <summary>The fraction of the run between two decays (StackGAN's 20 of 120 epochs).</summary>
    public double Every { get; init; } = 1.0 / 6;
    /// <summary>The factor at each decay (StackGAN's ½).</summary>
    public double Factor { get; init; } = 0.5;

    /// <inheritdoc/>
    [JsonIgnore] public override bool NeedsLength => true;

    /// <inheritdoc/>
    public override double Rate(double initial, long step, long totalSteps) =>
        initial * Math.Pow(Factor, Math.Floor(step / Math.Max(1, Math.Round(Every * totalSteps))));

    /// <inheritdoc/>
    public override IEnumerable<string> Problems(string name)
    {
        if (Every is not (> 0 and <= 1)) yield return $"{name}: schedule: every must be a fraction of the run in (0, 1] (got {Every})";
        if (Factor is not (> 0 and <= 1)) yield return $"{name}: schedule: factor must lie in (0, 1] (got {Factor})";
    }
}
