using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace GanSharp.Losses;

/// <summary>A loss and the terms it is the sum of (each a scalar tensor), so that a game can log them apart.</summary>
/// <param name="Total">What the player descends.</param>
/// <param name="Adversarial">The real-or-generated term.</param>
/// <param name="Class">The class term.</param>
public readonly record struct LossTerms(Tensor Total, Tensor Adversarial, Tensor Class);

/// <summary>
/// The objective of the auxiliary classifier GAN (Odena, Olah and Shlens 2017, section 3). D gives for an image a source
/// logit, P(S = real | X) = σ(s), and class logits, P(C | X) = softmax(c); with X_real of label y and X_fake = G(z, y'):
/// <code>
/// L_S = E[log P(S = real | X_real)] + E[log P(S = fake | X_fake)]
/// L_C = E[log P(C = y | X_real)]    + E[log P(C = y' | X_fake)]
/// D maximises L_S + L_C;   G maximises L_C − L_S
/// </code>
/// The source terms are an <see cref="IAdversarialLoss"/> on s: with <see cref="Minimax"/> exactly the paper's −L_S and
/// L_S; with <see cref="NonSaturating"/> (what ACGAN implementations train with) G descends −E[log P(S = real | X_fake)]
/// instead, the paper's own recommendation for Algorithm 1. The class terms are cross-entropies (the negated L_C halves).
/// </summary>
public sealed class AuxiliaryClassifierLoss(IAdversarialLoss source)
{
    /// <summary>The real-or-generated objective on the source logits.</summary>
    public IAdversarialLoss Source { get; } = source;

    /// <summary>
    /// D's loss, −(L_S + L_C): the source loss on <paramref name="realSource"/> and <paramref name="fakeSource"/>
    /// (<c>[B]</c>) plus the cross-entropies of <paramref name="realClasses"/> against <paramref name="realLabels"/> and of
    /// <paramref name="fakeClasses"/> against <paramref name="fakeLabels"/> (<c>[B, K]</c> logits, <c>[B]</c> labels).
    /// </summary>
    public LossTerms Discriminator(Tensor realSource, Tensor realClasses, Tensor realLabels, Tensor fakeSource, Tensor fakeClasses, Tensor fakeLabels)
    {
        var adversarial = Source.Discriminator(realSource, fakeSource);
        var classes = F.cross_entropy(realClasses, realLabels) + F.cross_entropy(fakeClasses, fakeLabels);
        return new LossTerms(adversarial + classes, adversarial, classes);
    }

    /// <summary>G's loss: the source loss's generator term on <paramref name="fakeSource"/> plus −E[log P(C = y' | X_fake)].</summary>
    public LossTerms Generator(Tensor fakeSource, Tensor fakeClasses, Tensor fakeLabels)
    {
        var adversarial = Source.Generator(fakeSource);
        var classes = F.cross_entropy(fakeClasses, fakeLabels);
        return new LossTerms(adversarial + classes, adversarial, classes);
    }
}

/// <summary>
/// The semi-supervised GAN's objective (Salimans et al. 2016, "Improved Techniques for Training GANs", section 5): D is a
/// classifier with K logits l(x) for the real classes, the generated class's logit fixed at 0, so that
/// <code>
/// D(x) = P(real | x) = Z(x) / (Z(x) + 1),   Z(x) = Σ_k exp l_k(x)     — a sigmoid of the source logit log Z(x)
/// L_supervised   = −E_(x, y) labelled [log p(y | x, y ≤ K)]           — the cross-entropy of the K logits
/// L_unsupervised = −E_x [log D(x)] − E_z [log(1 − D(G(z)))]
/// D descends L_supervised + L_unsupervised
/// </code>
/// (their equation (5): p(y | x, y ≤ K) is the softmax over the K logits, and the unsupervised half is the GAN's value
/// function on the source logit). G trains by <see cref="FeatureMatching"/>.
/// </summary>
public static class SemiSupervisedLoss
{
    /// <summary>The source logit log Z(x) = logsumexp_k l_k(x) of class logits <c>[B, K]</c>: <c>[B]</c>, D(x) = σ(it).</summary>
    public static Tensor SourceLogit(Tensor classLogits) => classLogits.logsumexp(1);

    /// <summary>
    /// D's loss on the logits of a labelled minibatch (<paramref name="labelled"/>, <paramref name="labels"/>), of an
    /// unlabelled real one (<paramref name="unlabelled"/>) and of a generated one (<paramref name="fake"/>), each
    /// <c>[B, K]</c>: the supervised cross-entropy (<see cref="LossTerms.Class"/>) plus <paramref name="unlabelledWeight"/>
    /// times the unsupervised GAN loss on the source logits (<see cref="LossTerms.Adversarial"/>, unweighted). The
    /// paper's equation weighs the two alike (1); their released MNIST code halves the unsupervised term (0.5).
    /// </summary>
    public static LossTerms Discriminator(Tensor labelled, Tensor labels, Tensor unlabelled, Tensor fake, double unlabelledWeight = 1)
    {
        var supervised = F.cross_entropy(labelled, labels);
        var unsupervised = F.softplus(-SourceLogit(unlabelled)).mean() + F.softplus(SourceLogit(fake)).mean();
        return new LossTerms(supervised + unlabelledWeight * unsupervised, unsupervised, supervised);
    }

    /// <summary>
    /// Feature matching (Salimans et al. 2016, section 3.1): ‖E_x f(x) − E_z f(G(z))‖²₂ / F, f an intermediate layer of
    /// D with F units, on features <c>[B, F]</c> of a real and a generated minibatch — the paper's squared distance
    /// divided by F, as their released code computes it (the mean of the squares). G descends it; D's features are its
    /// target, not trained by it.
    /// </summary>
    public static Tensor FeatureMatching(Tensor realFeatures, Tensor fakeFeatures) =>
        (realFeatures.mean([0]) - fakeFeatures.mean([0])).square().mean();
}
