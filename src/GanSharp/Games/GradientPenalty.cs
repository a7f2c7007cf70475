using GanSharp.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace GanSharp.Games;

/// <summary>
/// A term added to the discriminator's loss in each of its updates — a regulariser such as WGAN-GP's gradient penalty —
/// and logged under <see cref="Name"/>. A game adds the terms it is given; it knows none of them by name.
/// </summary>
public interface IDiscriminatorRegulariser
{
    /// <summary>The term's scalar in metrics and TensorBoard (<c>gp</c>).</summary>
    string Name { get; }

    /// <summary>
    /// The term on a real and a generated minibatch (both <c>[m, C, H, W]</c>; <paramref name="fake"/> without a graph to
    /// G; for a conditional D, both of the classes <paramref name="labels"/>), drawing any randomness from
    /// <paramref name="rng"/>: a scalar whose graph reaches D's parameters.
    /// </summary>
    Tensor Term(Discriminator d, Tensor real, Tensor fake, torch.Generator rng, Tensor? labels = null);
}

/// <summary>
/// The gradient penalty of WGAN-GP (Gulrajani et al., 2017, Algorithm 1, lines 6–7): a regulariser term of the
/// discriminator's loss that keeps the critic close to 1-Lipschitz along the lines between real and generated images:
/// <code>
/// ε ~ U[0, 1],  x̂ = ε x + (1 − ε) G(z)                       (one ε per example)
/// term = λ E[(‖∇x̂ D(x̂)‖₂ − 1)²]
/// </code>
/// The input gradient is taken with <c>create_graph</c>, so that D's update descends the penalty through it (a
/// second-order derivative). ε is drawn from the run's random number generator, so a resumed run draws the same ones.
/// </summary>
public sealed class GradientPenalty : IDiscriminatorRegulariser
{
    /// <summary>λ (their paper: 10).</summary>
    public double Weight { get; }

    /// <inheritdoc/>
    public string Name => "gp";

    /// <summary>A penalty of weight <paramref name="weight"/> (λ &gt; 0).</summary>
    public GradientPenalty(double weight)
    {
        if (!(weight > 0) || !double.IsFinite(weight)) throw new ArgumentOutOfRangeException(nameof(weight), weight, "λ must be positive");
        Weight = weight;
    }

    /// <summary>
    /// λ E[(‖∇x̂ D(x̂)‖₂ − 1)²] on interpolates between <paramref name="real"/> and <paramref name="fake"/> (both
    /// <c>[m, C, H, W]</c>, <paramref name="fake"/> without a graph to G; for a conditional D, both of the classes
    /// <paramref name="labels"/>): a scalar whose graph reaches D's parameters.
    /// </summary>
    public Tensor Term(Discriminator d, Tensor real, Tensor fake, torch.Generator rng, Tensor? labels = null)
    {
        long m = real.shape[0];
        var epsilon = empty([m, 1, 1, 1], device: real.device).uniform_(0, 1, generator: rng);        // [m, 1, 1, 1]
        var between = (epsilon * real + (1 - epsilon) * fake).detach().requires_grad_(true);            // [m, C, H, W]
        var scores = d.forward(between, labels);                                                               // [m]
        // retain_graph: D's saved activations are needed again when the penalty itself is differentiated (PyTorch's
        // default with create_graph; TorchSharp's is false).
        var gradient = torch.autograd.grad([scores], [between], [ones_like(scores)], retain_graph: true, create_graph: true)[0];  // [m, C, H, W]
        // ‖·‖₂ per example; the 1e-12 keeps the norm's derivative finite where a gradient is exactly zero.
        var norms = (gradient.flatten(1).square().sum(1) + 1e-12).sqrt();                               // [m]
        return Weight * (norms - 1).square().mean();
    }
}
