using GanSharp.Configuration;
using TorchSharp;
using static TorchSharp.torch;

namespace GanSharp.Models;

/// <summary>The noise prior p_z(z) the generator maps from.</summary>
public abstract class NoisePrior
{
    /// <summary>The prior of the given kind.</summary>
    public static NoisePrior For(NoiseKind kind) => kind switch
    {
        NoiseKind.Uniform => new UniformNoise(),
        NoiseKind.Gaussian => new GaussianNoise(),
        NoiseKind.UnitUniform => new UnitUniformNoise(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Overwrites <paramref name="z"/> with fresh draws, in place (no allocation).</summary>
    public abstract Tensor Fill(Tensor z, torch.Generator? rng = null);

    /// <summary>A new <c>[n, dim]</c> tensor of draws.</summary>
    public Tensor Sample(long n, int dim, torch.Generator? rng = null) => Fill(empty(n, dim), rng);

    /// <summary>
    /// Overwrites <paramref name="z"/> with draws from the prior truncated by <paramref name="truncation"/> (the
    /// "truncation trick": fidelity for diversity). What the value means depends on the prior; see the subclasses.
    /// </summary>
    public abstract Tensor FillTruncated(Tensor z, double truncation, torch.Generator? rng = null);

    /// <summary>A new <c>[n, dim]</c> tensor of truncated draws (<paramref name="truncation"/> null: untruncated).</summary>
    public Tensor Sample(long n, int dim, double? truncation, torch.Generator? rng = null) =>
        truncation is { } t ? FillTruncated(empty(n, dim), t, rng) : Fill(empty(n, dim), rng);
}

/// <summary>Uniform on [−√3, √3] per coordinate: zero mean, unit variance (the paper's code's "uniform" noise).</summary>
public sealed class UniformNoise : NoisePrior
{
    /// <summary>Half the width of the support, √3.</summary>
    public static readonly double HalfWidth = Math.Sqrt(3);

    /// <inheritdoc/>
    public override Tensor Fill(Tensor z, torch.Generator? rng = null) => z.uniform_(-HalfWidth, HalfWidth, rng);

    /// <summary>
    /// The range scaled by <paramref name="truncation"/> ∈ (0, 1]: U(−t√3, t√3), which is the uniform prior with every
    /// value outside [−t√3, t√3] resampled. 1 is the untruncated prior.
    /// </summary>
    public override Tensor FillTruncated(Tensor z, double truncation, torch.Generator? rng = null)
    {
        if (truncation is not (> 0 and <= 1)) throw new InputException($"truncation for the uniform prior must lie in (0, 1] (got {truncation})");
        return z.uniform_(-truncation * HalfWidth, truncation * HalfWidth, rng);
    }
}

/// <summary>Uniform on [0, 1] per coordinate, the unit hypercube (Mirza &amp; Osindero 2014's prior).</summary>
public sealed class UnitUniformNoise : NoisePrior
{
    /// <inheritdoc/>
    public override Tensor Fill(Tensor z, torch.Generator? rng = null) => z.uniform_(0, 1, rng);

    /// <summary>
    /// The cube shrunk about its centre by <paramref name="truncation"/> ∈ (0, 1]: U(½ − t/2, ½ + t/2) per coordinate. 1
    /// is the untruncated prior.
    /// </summary>
    public override Tensor FillTruncated(Tensor z, double truncation, torch.Generator? rng = null)
    {
        if (truncation is not (> 0 and <= 1)) throw new InputException($"truncation for the unit-cube prior must lie in (0, 1] (got {truncation})");
        return z.uniform_(0.5 - truncation / 2, 0.5 + truncation / 2, rng);
    }
}

/// <summary>Standard normal noise.</summary>
public sealed class GaussianNoise : NoisePrior
{
    /// <inheritdoc/>
    public override Tensor Fill(Tensor z, torch.Generator? rng = null) => z.normal_(0, 1, rng);

    /// <summary>
    /// Values with |z| &gt; <paramref name="truncation"/> (a threshold &gt; 0, in standard deviations) are drawn again until
    /// none is left: the standard normal truncated to [−t, t].
    /// </summary>
    public override Tensor FillTruncated(Tensor z, double truncation, torch.Generator? rng = null)
    {
        if (!(truncation > 0)) throw new InputException($"truncation for the Gaussian prior must be positive (got {truncation})");
        z.normal_(0, 1, rng);
        using var fresh = empty_like(z);
        while (true)
        {
            using var outside = z.abs().gt(truncation);  // [n, dim] bool
            if (!outside.any().item<bool>()) return z;
            fresh.normal_(0, 1, rng);
            z.masked_scatter_(outside, fresh.masked_select(outside));
        }
    }
}
