using TorchSharp;
using static TorchSharp.torch;

namespace GanSharp.Models;

/// <summary>
/// Inverted dropout (keep each input with probability <c>keep</c>, scale kept ones by 1/keep) whose masks come from
/// an explicit random number generator. A trainer that owns its generator is then reproducible and independent of
/// libtorch's process-wide one, which anything else in the process may draw from.
/// </summary>
internal sealed class SeededDropout : nn.Module<Tensor, Tensor>
{
    /// <summary>Probability of keeping an input.</summary>
    public double Keep { get; }
    /// <summary>Whether masks are drawn in evaluation mode too (a generator that samples with its dropout).</summary>
    public bool AlsoInEvaluation { get; init; }
    /// <summary>Source of the masks; null uses libtorch's global generator.</summary>
    public torch.Generator? Rng { get; set; }

    /// <summary>Dropout keeping each input with probability <paramref name="keep"/>.</summary>
    public SeededDropout(double keep, string name = "dropout") : base(name)
    {
        if (keep is <= 0 or > 1) throw new ArgumentOutOfRangeException(nameof(keep), "keep must lie in (0, 1]");
        Keep = keep;
    }

    /// <summary>x → x · mask / keep in training (and in evaluation if <see cref="AlsoInEvaluation"/>), else x unchanged.</summary>
    public override Tensor forward(Tensor x)
    {
        if (!(training || AlsoInEvaluation) || Keep == 1) return x.alias();
        // keep/… ≡ 1/keep with probability keep, else 0. uniform_ then a comparison is about 3× faster than bernoulli_
        // on the CPU, and draws from the same generator.
        using var mask = empty_like(x).uniform_(0, 1, Rng).lt_(Keep).div_(Keep);
        return x.mul(mask);
    }
}
