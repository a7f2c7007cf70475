using GanSharp.Configuration;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace GanSharp.Losses;

/// <summary>
/// An adversarial objective, written as the two losses the players descend. Inputs are discriminator logits
/// <c>[B]</c> (D(x) = σ(logit)); every log-probability is taken in the stable logit form:
/// log σ(a) = −softplus(−a) and log(1 − σ(a)) = −softplus(a).
/// </summary>
public interface IAdversarialLoss
{
    /// <summary>The discriminator's loss on logits of real images and of generated ones (a scalar to descend).</summary>
    Tensor Discriminator(Tensor realLogits, Tensor fakeLogits);

    /// <summary>The generator's loss on the discriminator's logits of generated images (a scalar to descend).</summary>
    Tensor Generator(Tensor fakeLogits);

    /// <summary>
    /// Whether the discriminator's outputs are logits of the probability that an image is real, so that mean D(x) and
    /// D(G(z)) mean something (the paper's losses); false where D is a critic whose outputs are scores.
    /// </summary>
    bool OutputsAreLogits { get; }
}

/// <summary>The one factory of the built-in losses: a loss for each kind of <see cref="LossConfig"/>.</summary>
public static class LossFactory
{
    /// <summary>The loss <paramref name="config"/> describes.</summary>
    public static IAdversarialLoss Create(LossConfig config) => config switch
    {
        NonSaturatingLossConfig => new NonSaturating(),
        MinimaxLossConfig => new Minimax(),
        LeastSquaresLossConfig => new LeastSquares(),
        HingeLossConfig => new Hinge(),
        WassersteinLossConfig => new Wasserstein(),
        _ => throw new InputException($"no loss for kind {config.GetType().Name}"),
    };
}

/// <summary>
/// The paper's value function V(D, G) = E[log D(x)] + E[log(1 − D(G(z)))]. The discriminator ascends V, that is it
/// descends −V = softplus(−real) + softplus(fake) (two binary cross-entropies, minimum 0, 2·log 2 at D = ½).
/// </summary>
public abstract class GoodfellowLoss : IAdversarialLoss
{
    /// <inheritdoc/>
    public Tensor Discriminator(Tensor realLogits, Tensor fakeLogits) =>
        F.softplus(-realLogits).mean() + F.softplus(fakeLogits).mean();

    /// <inheritdoc/>
    public abstract Tensor Generator(Tensor fakeLogits);

    /// <summary>D(x) = σ(logit) is the probability that x is real.</summary>
    public bool OutputsAreLogits => true;
}

/// <summary>The minimax game as written: the generator descends E[log(1 − D(G(z)))] = −E[softplus(fake)].</summary>
public sealed class Minimax : GoodfellowLoss
{
    /// <inheritdoc/>
    public override Tensor Generator(Tensor fakeLogits) => -F.softplus(fakeLogits).mean();
}

/// <summary>
/// The paper's heuristic: the generator ascends E[log D(G(z))], that is descends E[softplus(−fake)]. Same fixed point
/// as minimax, but strong gradients when D confidently rejects the samples early in training.
/// </summary>
public sealed class NonSaturating : GoodfellowLoss
{
    /// <inheritdoc/>
    public override Tensor Generator(Tensor fakeLogits) => F.softplus(-fakeLogits).mean();
}
