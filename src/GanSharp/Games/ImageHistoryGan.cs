using GanSharp.Configuration;
using GanSharp.Losses;
using GanSharp.Models;
using static TorchSharp.torch;
using Generator = GanSharp.Models.Generator;

namespace GanSharp.Games;

/// <summary>
/// Algorithm 1 with a history of generated images (Shrivastava et al. 2017, "Learning from Simulated and Unsupervised
/// Images through Adversarial Training", section 2.3: "we update the discriminator using a history of refined images,
/// rather than only the ones in the current minibatch"). One iteration:
/// <code>
/// for k steps:
///     sample m noise samples z ~ p_z and m examples x ~ p_data
///     x̃ ← pool.query(G(z))           each image: while the pool fills, itself (and stored); then with probability ½ a
///                                      stored image (replaced by it), else itself
///     update D by descending the loss's discriminator term on D(x), D(x̃)
/// sample m noise samples z
/// update G by descending the loss's generator term on D(G(z))      (the newest images: G is judged on what it draws now)
/// </code>
/// The pool (<see cref="ImagePool"/>, CycleGAN's rule) is the game's own state, saved in checkpoints as
/// <c>image-pool</c>, so a resumed run continues exactly. With a pool of 0 this is Algorithm 1.
/// Players, optimizers and scalars as in <see cref="Algorithm1"/> (<c>d_fake</c>: mean D over the images D was shown).
/// </summary>
public sealed class ImageHistoryGan : TwoPlayerGame
{
    /// <summary>Discriminator updates per generator update.</summary>
    public int K { get; }
    /// <summary>The history D is shown.</summary>
    public ImagePool Pool { get; }

    /// <summary>The game between <paramref name="g"/> and <paramref name="d"/> (owned from here) under <paramref name="loss"/>.</summary>
    public ImageHistoryGan(Generator g, Discriminator d, IAdversarialLoss loss, ImageHistoryConfig config,
                           OptimizerConfig generatorOptimizer, OptimizerConfig discriminatorOptimizer)
        : base(g, d, loss, generatorOptimizer, discriminatorOptimizer)
    {
        foreach (var problem in config.Problems()) throw new InputException(problem);
        if (g.Classes > 0) throw new InputException("game image-history keeps generated images without their classes: a conditional model needs another game (algorithm1)");
        K = config.K;
        Pool = AddState("image-pool", new ImagePool(config.PoolSize));
    }

    /// <inheritdoc/>
    public override int BatchesPerStep => K;

    /// <summary>One iteration: k discriminator updates on the history, then one generator update.</summary>
    public override IReadOnlyDictionary<string, double> Step(StepContext context)
    {
        (double Loss, double Real, double Fake) d = default;
        for (int i = 0; i < K; i++) d = DiscriminatorStep(context);
        return Scalars(d.Loss, GeneratorStep(context), d.Real, d.Fake);
    }

    (double Loss, double Real, double Fake) DiscriminatorStep(StepContext context)
    {
        using var scope = NewDisposeScope();
        var x = context.Data.Next().Images;                              // [m, C, H, W]
        Tensor fake;
        using (no_grad()) fake = G.forward(Noise(context), null);       // [m, C, H, W]; G fixed here: no graph
        var shown = Pool.Query(fake, context.Rng);                       // [m, C, H, W]: some of them from the history
        var (realOut, fakeOut) = DiscriminatorOutputs(x, shown, null);  // [m], [m]
        var l = Loss.Discriminator(realOut, fakeOut);
        Descend(l, optD, dParams);
        return (l.item<float>(), MeanD(realOut), MeanD(fakeOut));
    }

    double GeneratorStep(StepContext context)
    {
        using var scope = NewDisposeScope();
        return WithDiscriminatorFrozen(() =>
        {
            var l = Loss.Generator(D.forward(G.forward(Noise(context), null), null));   // [m] → scalar
            Descend(l, optG, gParams);
            return (double)l.item<float>();
        });
    }
}
