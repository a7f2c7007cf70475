using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace GanSharp.Losses;

/// <summary>
/// Least squares GAN (Mao et al., 2017, equation 2 with a = 0, b = 1, c = 1). D regresses its raw output to 1 on real
/// images and 0 on generated ones; G pushes D's output on its images towards 1:
/// <code>
/// D descends  ½ E[(D(x) − 1)²] + ½ E[D(G(z))²]
/// G descends  ½ E[(D(G(z)) − 1)²]
/// </code>
/// The gradient for G grows with the distance from the target rather than vanishing where D is sure (the sigmoid's
/// saturation), which is the paper's argument for it.
/// </summary>
public sealed class LeastSquares : IAdversarialLoss
{
    /// <inheritdoc/>
    public Tensor Discriminator(Tensor real, Tensor fake) => 0.5 * (real - 1).square().mean() + 0.5 * fake.square().mean();

    /// <inheritdoc/>
    public Tensor Generator(Tensor fake) => 0.5 * (fake - 1).square().mean();

    /// <summary>D's outputs are regression targets, not logits.</summary>
    public bool OutputsAreLogits => false;
}

/// <summary>
/// The hinge loss (Lim &amp; Ye, 2017; Miyato et al., 2018, SNGAN): a margin of 1 on each side for D, and G raising D's score
/// of its images:
/// <code>
/// D descends  E[max(0, 1 − D(x))] + E[max(0, 1 + D(G(z)))]
/// G descends  −E[D(G(z))]
/// </code>
/// </summary>
public sealed class Hinge : IAdversarialLoss
{
    /// <inheritdoc/>
    public Tensor Discriminator(Tensor real, Tensor fake) => F.relu(1 - real).mean() + F.relu(1 + fake).mean();

    /// <inheritdoc/>
    public Tensor Generator(Tensor fake) => -fake.mean();

    /// <summary>D's outputs are scores.</summary>
    public bool OutputsAreLogits => false;
}

/// <summary>
/// The Wasserstein GAN's losses (Arjovsky et al., 2017): the critic D maximises E[D(x)] − E[D(G(z))], which for a
/// 1-Lipschitz D is the Kantorovich–Rubinstein form of the earth mover's distance W(p_data, p_g); G minimises it:
/// <code>
/// D descends  E[D(G(z))] − E[D(x)]
/// G descends  −E[D(G(z))]
/// </code>
/// Without a constraint on D the critic's loss is unbounded below: pair it with the gradient penalty
/// (<see cref="Games.GradientPenalty"/>), as WGAN-GP does.
/// </summary>
public sealed class Wasserstein : IAdversarialLoss
{
    /// <inheritdoc/>
    public Tensor Discriminator(Tensor real, Tensor fake) => fake.mean() - real.mean();

    /// <inheritdoc/>
    public Tensor Generator(Tensor fake) => -fake.mean();

    /// <summary>D is a critic: its outputs are unbounded scores.</summary>
    public bool OutputsAreLogits => false;
}
