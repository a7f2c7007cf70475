using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace GanSharp.Models;

/// <summary>
/// A fully connected layer with weight normalisation (Salimans &amp; Kingma, 2016): each output unit's weight vector is
/// a direction θ_j of its own length times a scale s_j,
/// <code>
/// y = x Wᵀ + b,     W_j = s_j · θ_j / ‖θ_j‖        (θ [out, in], s and b [out])
/// </code>
/// so the optimizer moves directions and scales separately. The scale is a parameter when trained, else a buffer (saved
/// with the layer, but fixed after <see cref="InitialiseFromData"/>: the improved-GAN MNIST discriminator trains it in
/// its last layer only). <see cref="InitialiseFromData"/> is the data-dependent initialisation: s and b chosen so that
/// every unit's pre-activation has mean 0 and standard deviation 1 on a minibatch.
/// </summary>
internal sealed class WeightNormLinear : nn.Module<Tensor, Tensor>
{
    private readonly Parameter direction;  // θ [out, in]
    private readonly Parameter bias;       // b [out]
    private readonly Tensor scale;         // s [out]: a Parameter when trained, else a buffer
    private readonly double epsilon;

    /// <summary>
    /// A layer from <paramref name="inputs"/> to <paramref name="outputs"/> units: θ drawn by <paramref name="initialiseDirection"/>
    /// from <paramref name="rng"/>, s = 1, b = 0. <paramref name="epsilon"/> is added to ‖θ_j‖² (the reference's MNIST
    /// generator uses 10⁻⁶, its discriminator none).
    /// </summary>
    public WeightNormLinear(long inputs, long outputs, bool trainScale, Action<Tensor, torch.Generator?> initialiseDirection,
                            torch.Generator? rng, double epsilon = 0, string name = "weight_norm_linear") : base(name)
    {
        this.epsilon = epsilon;
        using (no_grad())
        {
            var theta = empty(outputs, inputs);
            initialiseDirection(theta, rng);
            direction = new Parameter(theta);
        }
        bias = new Parameter(zeros(outputs));
        scale = trainScale ? new Parameter(ones(outputs)) : ones(outputs);
        register_parameter("direction", direction);
        register_parameter("bias", bias);
        if (trainScale) register_parameter("scale", (Parameter)scale);
        else register_buffer("scale", scale);
    }

    /// <summary>The effective weight W = s · θ / ‖θ‖ per row, <c>[out, in]</c>.</summary>
    public Tensor Weight()
    {
        using var scope = NewDisposeScope();
        var norm = direction.square().sum(1, keepdim: true).add(epsilon).sqrt();   // [out, 1]
        return direction.mul(scale.unsqueeze(1).div(norm)).MoveToOuterDisposeScope();
    }

    /// <summary>x <c>[B, in]</c> → x Wᵀ + b <c>[B, out]</c>.</summary>
    public override Tensor forward(Tensor x)
    {
        using var weight = Weight();
        return F.linear(x, weight, bias);
    }

    /// <summary>
    /// Data-dependent initialisation on a minibatch <paramref name="x"/> <c>[B, in]</c>: with t = x Wᵀ (no bias), μ and σ
    /// its per-unit mean and standard deviation over the minibatch, sets s ← s/σ and b ← −μ/σ, so that the layer's
    /// outputs on <paramref name="x"/> have mean 0 and standard deviation 1; returns those outputs, (t − μ)/σ.
    /// </summary>
    public Tensor InitialiseFromData(Tensor x)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        using var weight = Weight();
        var t = F.linear(x, weight);                                 // [B, out]
        var mean = t.mean([0]);                                      // [out]
        t.sub_(mean);
        var std = t.square().mean([0]).sqrt().clamp_min_(1e-8);      // [out]; a unit constant on the minibatch keeps its scale ×10⁸
        scale.div_(std);
        bias.copy_(mean.neg().div(std));
        return t.div_(std).MoveToOuterDisposeScope();
    }
}
