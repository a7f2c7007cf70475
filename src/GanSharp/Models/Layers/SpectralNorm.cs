using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace GanSharp.Models;

/// <summary>
/// Spectral normalisation (Miyato et al., 2018): a layer whose weight W is used as W / σ(W), σ the largest singular
/// value of W viewed as a matrix <c>[out, in·kh·kw]</c>, so that the layer is 1-Lipschitz. σ is estimated by power
/// iteration with a persistent left vector u (their Algorithm 1):
/// <code>
/// v ← Wᵀu / ‖Wᵀu‖,   u ← W v / ‖W v‖      (one iteration per training forward pass; no gradient)
/// σ(W) ≈ uᵀ W v                              (with gradient: W/σ is what the layer trains through)
/// </code>
/// u and v are buffers: saved with the module (checkpoints), restored exactly on resume, drawn at construction from the
/// run's random number generator. In evaluation mode they are not updated, so sampling never changes the net.
/// TorchSharp has no spectral norm: this is GanSharp's, with <see cref="SnLinear"/> and <see cref="SnConv2d"/>.
/// </summary>
public abstract class SpectralNorm : nn.Module<Tensor, Tensor>
{
    /// <summary>The weight as trained (before normalisation), <c>[out, …]</c>.</summary>
    protected readonly Parameter weight;
    /// <summary>The bias, <c>[out]</c>.</summary>
    protected readonly Parameter? bias;
    private readonly Tensor u, v;  // buffers: [out], [in·kh·kw]

    /// <summary>
    /// A normalised layer of weight shape <paramref name="shape"/> (<c>[out, …]</c>), initialised like PyTorch's layers
    /// (uniform in ±1/√fan-in, fan-in = the product of the other dimensions) from <paramref name="rng"/>.
    /// </summary>
    protected SpectralNorm(string name, long[] shape, bool withBias, torch.Generator? rng) : base(name)
    {
        long fanIn = shape.Skip(1).Aggregate(1L, (a, b) => a * b);
        double bound = 1 / Math.Sqrt(fanIn);
        using (no_grad())
        {
            weight = new Parameter(empty(shape).uniform_(-bound, bound, generator: rng));
            bias = withBias ? new Parameter(empty(shape[0]).uniform_(-bound, bound, generator: rng)) : null;
            u = Normalise(empty(shape[0]).normal_(0, 1, generator: rng));
            v = Normalise(empty(fanIn).normal_(0, 1, generator: rng));
        }
        register_parameter("weight", weight);
        if (bias is not null) register_parameter("bias", bias);
        register_buffer("u", u);
        register_buffer("v", v);
    }

    static Tensor Normalise(Tensor x) => x.div_(x.norm().clamp_min(1e-12));

    /// <summary>The current estimate of σ(W) (no gradient, no power iteration).</summary>
    public double Sigma
    {
        get
        {
            using var _ = no_grad();
            using var scope = NewDisposeScope();
            return u.dot(weight.view(weight.shape[0], -1).mv(v)).item<float>();
        }
    }

    /// <summary>W / σ(W), after one power iteration when training.</summary>
    protected Tensor NormalisedWeight()
    {
        var matrix = weight.view(weight.shape[0], -1);                 // [out, in·kh·kw]
        if (training)
        {
            using var _ = no_grad();
            using var scope = NewDisposeScope();
            v.copy_(Normalise(matrix.t().mv(u)));                      // v ← Wᵀu / ‖Wᵀu‖
            u.copy_(Normalise(matrix.mv(v)));                           // u ← W v / ‖W v‖
        }
        var sigma = u.dot(matrix.mv(v));                               // σ ≈ uᵀ W v, differentiable in W
        return weight / sigma;
    }
}

/// <summary>A spectrally normalised linear layer: x <c>[B, in]</c> → <c>[B, out]</c>.</summary>
public sealed class SnLinear : SpectralNorm
{
    /// <summary>A layer from <paramref name="inFeatures"/> to <paramref name="outFeatures"/>, initialised from <paramref name="rng"/>.</summary>
    public SnLinear(long inFeatures, long outFeatures, torch.Generator? rng = null, bool withBias = true)
        : base("sn_linear", [outFeatures, inFeatures], withBias, rng) { }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return F.linear(x, NormalisedWeight(), bias).MoveToOuterDisposeScope();
    }
}

/// <summary>A spectrally normalised 2-D convolution: <c>[B, in, H, W]</c> → <c>[B, out, H', W']</c>.</summary>
public sealed class SnConv2d : SpectralNorm
{
    private readonly long stride, padding;

    /// <summary>A square <paramref name="kernel"/>×<paramref name="kernel"/> convolution, initialised from <paramref name="rng"/>.</summary>
    public SnConv2d(long inChannels, long outChannels, long kernel, long stride = 1, long padding = 0, torch.Generator? rng = null, bool withBias = true)
        : base("sn_conv2d", [outChannels, inChannels, kernel, kernel], withBias, rng)
    {
        this.stride = stride;
        this.padding = padding;
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return F.conv2d(x, NormalisedWeight(), bias, strides: [stride, stride], padding: [padding, padding]).MoveToOuterDisposeScope();
    }
}
