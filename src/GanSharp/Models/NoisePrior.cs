using GanSharp.Training;
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
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Overwrites <paramref name="z"/> with fresh draws, in place (no allocation).</summary>
    public abstract Tensor Fill(Tensor z, torch.Generator? rng = null);

    /// <summary>A new <c>[n, dim]</c> tensor of draws.</summary>
    public Tensor Sample(long n, int dim, torch.Generator? rng = null) => Fill(empty(n, dim), rng);
}

/// <summary>Uniform on [−√3, √3] per coordinate: zero mean, unit variance (the paper's code's "uniform" noise).</summary>
public sealed class UniformNoise : NoisePrior
{
    /// <summary>Half the width of the support, √3.</summary>
    public static readonly double HalfWidth = Math.Sqrt(3);

    /// <inheritdoc/>
    public override Tensor Fill(Tensor z, torch.Generator? rng = null) => z.uniform_(-HalfWidth, HalfWidth, rng);
}

/// <summary>Standard normal noise.</summary>
public sealed class GaussianNoise : NoisePrior
{
    /// <inheritdoc/>
    public override Tensor Fill(Tensor z, torch.Generator? rng = null) => z.normal_(0, 1, rng);
}
