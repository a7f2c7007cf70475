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
/// With conditional nets (Mirza &amp; Osindero 2014) the same box is played on x | y, the step passing the game's
/// <see cref="TwoPlayerGame.Conditioning"/> along without reading it: D judges each real image with its label and each
/// generated one with the label G drew it for — in D's update the real minibatch's labels, so both halves have the same
/// classes; in G's update m labels drawn as in the data.
/// Regularisers of D (<see cref="IDiscriminatorRegulariser"/>: WGAN-GP's gradient penalty λ E[(‖∇x̂ D(x̂)‖₂ − 1)²]) are
/// terms of D's loss like any other: each discriminator update descends their sum with it, and logs each by its name.
/// Players: <c>generator</c> and <c>discriminator</c>, each with its own optimizer.
/// Scalars: <c>d_loss</c> (the discriminator's adversarial loss on its last minibatch; −V(D, G) under the paper's losses),
/// then each regulariser's term by its name (<c>gp</c>),
/// <c>g_loss</c>, and the mean of D over the last real and generated minibatches — <c>d_real</c>, <c>d_fake</c> as
/// probabilities where D's outputs are logits, else <c>d_out_real</c>, <c>d_out_fake</c> as raw scores.
/// </summary>
public sealed class Algorithm1 : TwoPlayerGame
{
    /// <summary>Discriminator updates per generator update.</summary>
    public int K { get; }

    /// <summary>The terms added to D's loss in each of its updates (none: the paper's box).</summary>
    public IReadOnlyList<IDiscriminatorRegulariser> Regularisers { get; }

    /// <summary>
    /// The game between <paramref name="g"/> and <paramref name="d"/> (built and placed on their device by the caller;
    /// the game owns them from here) under <paramref name="loss"/>, each net with an optimizer of its own, with
    /// <paramref name="config"/>'s k and its regularisers (<see cref="RegularisersOf"/>).
    /// </summary>
    public Algorithm1(Generator g, Discriminator d, IAdversarialLoss loss, Algorithm1Config config,
                      OptimizerConfig generatorOptimizer, OptimizerConfig discriminatorOptimizer)
        : this(g, d, loss, Checked(config).K, generatorOptimizer, discriminatorOptimizer, RegularisersOf(config)) { }

    /// <summary>The game with <paramref name="k"/> discriminator updates per generator update and the given regularisers of D.</summary>
    public Algorithm1(Generator g, Discriminator d, IAdversarialLoss loss, int k, OptimizerConfig generatorOptimizer,
                      OptimizerConfig discriminatorOptimizer, IEnumerable<IDiscriminatorRegulariser>? regularisers = null)
        : base(g, d, loss, generatorOptimizer, discriminatorOptimizer)
    {
        if (k < 1) throw new InputException($"k must be at least 1 (got {k})");
        K = k;
        Regularisers = regularisers?.ToArray() ?? [];
    }

    static Algorithm1Config Checked(Algorithm1Config config)
    {
        foreach (var problem in config.Problems()) throw new InputException(problem);
        return config;
    }

    /// <summary>The regularisers of D a configuration asks for: the gradient penalty when its weight is positive.</summary>
    public static IReadOnlyList<IDiscriminatorRegulariser> RegularisersOf(Algorithm1Config config) =>
        config.GradientPenalty > 0 ? [new GradientPenalty(config.GradientPenalty)] : [];

    /// <inheritdoc/>
    public override int BatchesPerStep => K;

    /// <summary>One iteration of Algorithm 1: k discriminator updates, then one generator update.</summary>
    public override IReadOnlyDictionary<string, double> Step(StepContext context)
    {
        DiscriminatorResult d = default;
        for (int i = 0; i < K; i++) d = DiscriminatorStep(context);
        double gLoss = GeneratorStep(context);
        var scalars = Scalars(d.Loss, gLoss, d.Real, d.Fake);
        if (Regularisers.Count == 0) return scalars;
        var withTerms = new OrderedDictionary<string, double>(scalars);
        for (int i = 0; i < Regularisers.Count; i++) withTerms[Regularisers[i].Name] = d.Terms[i];
        return withTerms;
    }

    /// <summary>
    /// What a discriminator update measured: its adversarial loss, mean D on the real and generated minibatch, and each
    /// regulariser's term, in <see cref="Regularisers"/>' order.
    /// </summary>
    public readonly record struct DiscriminatorResult(double Loss, double Real, double Fake, double[] Terms);

    /// <summary>
    /// One discriminator update: the next m examples and m fresh noise samples; ascend log D(x) + log(1 − D(G(z)))
    /// (descend the loss's discriminator term). Mean D is a probability where D's outputs are logits, else a raw score.
    /// </summary>
    public DiscriminatorResult DiscriminatorStep(StepContext context)
    {
        using var scope = NewDisposeScope();
        var batch = context.Data.Next();
        var x = batch.Images;                                            // [m, C, H, W]
        var y = Conditioning.OfData(batch);                              // [m] classes (conditional nets), else null
        Tensor fake;
        using (no_grad()) fake = G.forward(Noise(context), y);          // [m, C, H, W]; G is fixed here: no graph
        var (realOut, fakeOut) = DiscriminatorOutputs(x, fake, y);       // [m], [m]
        var l = Loss.Discriminator(realOut, fakeOut);                    // −V(D, G) on the minibatch, for the paper's losses
        Tensor[] terms = Regularisers.Count == 0 ? [] : new Tensor[Regularisers.Count];   // e.g. λ E[(‖∇D(x̂)‖ − 1)²], through D's input gradient
        var total = l;
        for (int i = 0; i < terms.Length; i++) total = total + (terms[i] = Regularisers[i].Term(D, x, fake, context.Rng, y));
        Descend(total, optD, dParams);
        return new DiscriminatorResult(l.item<float>(), MeanD(realOut), MeanD(fakeOut), terms.Length == 0 ? [] : Array.ConvertAll(terms, t => (double)t.item<float>()));
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
            var y = Conditioning.Draw(context.Data.BatchSize, context.Rng);  // [m] classes drawn as in the data, or null
            var fakeOut = D.forward(G.forward(z, y), y);                 // [m]
            var l = Loss.Generator(fakeOut);
            Descend(l, optG, gParams);
            return l.item<float>();
        });
    }

}
