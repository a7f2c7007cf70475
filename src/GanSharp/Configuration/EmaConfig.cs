namespace GanSharp.Configuration;

/// <summary>
/// An exponential moving average of the generator's weights (Yazıcı et al., 2019; used by ProGAN, StyleGAN, BigGAN):
/// after every generator update, θ_ema ← β θ_ema + (1 − β) θ_g; its batch-norm statistics are recomputed for its own
/// weights when it is read (<see cref="Models.ExponentialMovingAverage"/>).
/// </summary>
public sealed record EmaConfig
{
    /// <summary>β, the weight of the average so far (default 0.999: about the last thousand updates).</summary>
    public double Beta { get; init; } = 0.999;
    /// <summary>
    /// Warm-up: β_t = min(β, (1 + t)/(10 + t)) after t updates, so that the average forgets the untrained start
    /// quickly (TensorFlow's ExponentialMovingAverage with num_updates). Default off.
    /// </summary>
    public bool Warmup { get; init; }

    /// <summary>The problems of these settings (none: valid).</summary>
    public IEnumerable<string> Problems()
    {
        if (Beta is not (> 0 and < 1)) yield return $"ema: beta must lie in (0, 1) (got {Beta})";
    }
}
