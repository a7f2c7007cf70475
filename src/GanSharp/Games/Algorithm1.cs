using GanSharp.Configuration;
using GanSharp.Losses;
using GanSharp.Models;
using static TorchSharp.torch;
using Generator = GanSharp.Models.Generator;

namespace GanSharp.Games;

/// <summary>
/// Algorithm 1 of Goodfellow et al. (2014), "Minibatch stochastic gradient descent training of generative adversarial
/// nets". <see cref="Step"/> is one iteration of the algorithm's outer loop:
/// <code>
/// for k steps:
///     sample m noise samples z ~ p_g(z) and m examples x ~ p_data(x)
///     update D by ascending  ∇θd (1/m) Σ [log D(x) + log(1 − D(G(z)))]
/// sample m noise samples z ~ p_g(z)
/// update G by descending ∇θg (1/m) Σ log(1 − D(G(z)))      (minimax)
///           or ascending ∇θg (1/m) Σ log D(G(z))           (non-saturating, the paper's recommendation)
/// </code>
/// The loss is a parameter (<see cref="IAdversarialLoss"/>): the paper's two, or any other written on D's raw outputs.
/// With conditional nets (Mirza &amp; Osindero 2014) the same box is played on x | y: D judges each real image with its
/// label and each generated one with the label G drew it for — in D's update the real minibatch's labels, so both halves
/// have the same classes; in G's update m labels drawn as in the data.
/// With a gradient penalty (<see cref="GradientPenalty"/>, WGAN-GP) each discriminator update also descends
/// λ E[(‖∇x̂ D(x̂)‖₂ − 1)²], a term of D's loss like any other.
/// Players: <c>generator</c> and <c>discriminator</c>, each with its own optimizer.
/// Scalars: <c>d_loss</c> (the discriminator's adversarial loss on its last minibatch; −V(D, G) under the paper's losses),
/// <c>gp</c> (the penalty term, when there is one),
/// <c>g_loss</c>, and the mean of D over the last real and generated minibatches — <c>d_real</c>, <c>d_fake</c> as
/// probabilities where D's outputs are logits, else <c>d_out_real</c>, <c>d_out_fake</c> as raw scores.
/// </summary>
public sealed class Algorithm1 : TwoPlayerGame
{
    /// <summary>Discriminator updates per generator update.</summary>
    public int K { get; }

    /// <summary>The gradient penalty on D's loss, or null.</summary>
    public GradientPenalty? Penalty { get; }

    /// <summary>
    /// The game between <paramref name="g"/> and <paramref name="d"/> (built and placed on their device by the caller;
    /// the game owns them from here) under <paramref name="loss"/>, each net with an optimizer of its own.
    /// </summary>
    public Algorithm1(Generator g, Discriminator d, IAdversarialLoss loss, Algorithm1Config config,
                      OptimizerConfig generatorOptimizer, OptimizerConfig discriminatorOptimizer)
        : base(g, d, loss, generatorOptimizer, discriminatorOptimizer)
    {
        foreach (var problem in config.Problems()) throw new InputException(problem);
        K = config.K;
        Penalty = config.GradientPenalty > 0 ? new GradientPenalty(config.GradientPenalty) : null;
    }

    /// <inheritdoc/>
    public override int BatchesPerStep => K;

    /// <summary>One iteration of Algorithm 1: k discriminator updates, then one generator update.</summary>
    public override IReadOnlyDictionary<string, double> Step(StepContext context)
    {
        DiscriminatorResult d = default;
        for (int i = 0; i < K; i++) d = DiscriminatorStep(context);
        double gLoss = GeneratorStep(context);
        var scalars = Scalars(d.Loss, gLoss, d.Real, d.Fake);
        if (Penalty is null) return scalars;
        var withPenalty = new OrderedDictionary<string, double>(scalars) { ["gp"] = d.Penalty };
        return withPenalty;
    }

    /// <summary>
    /// What a discriminator update measured: its adversarial loss, mean D on the real and generated minibatch, and the
    /// gradient penalty term (0 without one).
    /// </summary>
    public readonly record struct DiscriminatorResult(double Loss, double Real, double Fake, double Penalty = 0);

    /// <summary>
    /// One discriminator update: the next m examples and m fresh noise samples; ascend log D(x) + log(1 − D(G(z)))
    /// (descend the loss's discriminator term). Mean D is a probability where D's outputs are logits, else a raw score.
    /// </summary>
    public DiscriminatorResult DiscriminatorStep(StepContext context)
    {
        using var scope = NewDisposeScope();
        var batch = context.Data.Next();
        var x = batch.Images;                                            // [m, C, H, W]
        var y = RealLabels(batch);                                       // [m] classes (conditional nets), else null
        Tensor fake;
        using (no_grad()) fake = G.forward(Noise(context), y);          // [m, C, H, W]; G is fixed here: no graph
        var (realOut, fakeOut) = DiscriminatorOutputs(x, fake, y);       // [m], [m]
        var l = Loss.Discriminator(realOut, fakeOut);                    // −V(D, G) on the minibatch, for the paper's losses
        var penalty = Penalty?.Term(D, x, fake, context.Rng, y);         // λ E[(‖∇D(x̂)‖ − 1)²], through D's input gradient
        Descend(penalty is null ? l : l + penalty, optD, dParams);
        return new DiscriminatorResult(l.item<float>(), MeanD(realOut), MeanD(fakeOut), penalty?.item<float>() ?? 0);
    }

    /// <summary>
    /// D on a real and a generated minibatch. Where D treats each image on its own, one pass over both (the same
    /// function — dropout masks are drawn per element either way — but one matrix product of 2m rows instead of two of
    /// m, which the CPU does faster); with batch norm, two passes, so that each minibatch is normalised by its own
    /// statistics as in DCGAN's reference.
    /// </summary>
    (Tensor Real, Tensor Fake) DiscriminatorOutputs(Tensor x, Tensor fake, Tensor? y)
    {
        if (!D.ImagesIndependent) return (D.forward(x, y), D.forward(fake, y));
        var outputs = D.forward(cat([x, fake]), y is null ? null : cat([y, y]));  // [2m]
        long m = x.shape[0];
        return (outputs.narrow(0, 0, m), outputs.narrow(0, m, m));      // [m], [m]
    }

    /// <summary>
    /// One generator update on m fresh noise samples, descending the generator's loss. D is frozen for the pass, so
    /// only θ_g receives gradients and D's parameters cannot change.
    /// </summary>
    public double GeneratorStep(StepContext context)
    {
        using var scope = NewDisposeScope();
        return WithDiscriminatorFrozen(() =>
        {
            var z = Noise(context);                                     // [m, NoiseDim]
            var y = GeneratorLabels(context);                            // [m] classes drawn as in the data, or null
            var fakeOut = D.forward(G.forward(z, y), y);                 // [m]
            var l = Loss.Generator(fakeOut);
            Descend(l, optG, gParams);
            return l.item<float>();
        });
    }

}
