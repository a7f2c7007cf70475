using GanSharp.Configuration;
using GanSharp.Losses;
using GanSharp.Models;
using static TorchSharp.torch;
using Generator = GanSharp.Models.Generator;

namespace GanSharp.Games;

/// <summary>
/// The auxiliary classifier GAN (Odena, Olah and Shlens 2017, "Conditional Image Synthesis with Auxiliary Classifier
/// GANs", section 3). G draws an image of a given class, X_fake = G(c, z); D says whether an image is real and which
/// class it is, P(S | X) and P(C | X), from one trunk. <see cref="Step"/> is one iteration:
/// <code>
/// sample m examples (x, c) ~ p_data, m noise samples z ~ p_z and m classes c' ~ p_c (as often as in the data)
/// update D by ascending  L_S + L_C = E[log P(S = real | x)] + E[log P(S = fake | G(c', z))]
///                                  + E[log P(C = c | x)]    + E[log P(C = c' | G(c', z))]
/// sample m noise samples z and m classes c'
/// update G by ascending  L_C − L_S  on G(c', z)      (the source half in the form the run's loss says; see AuxiliaryClassifierLoss)
/// </code>
/// Players: <c>generator</c> and <c>discriminator</c>, each with its own optimizer. Scalars: <c>d_loss</c>,
/// <c>g_loss</c> (each player's whole loss), <c>d_real</c>, <c>d_fake</c> (mean P(S = real) on the last minibatches),
/// <c>d_class_loss</c> (D's two cross-entropies), <c>g_class_loss</c> (G's), and <c>d_class_accuracy_real</c> (the share
/// of the real minibatch D classifies right).
/// </summary>
public sealed class AuxiliaryClassifierGan : TwoPlayerGame
{
    /// <summary>The objective: a real-or-generated loss on D's source outputs and cross-entropies on its class logits.</summary>
    public AuxiliaryClassifierLoss Objective { get; }

    /// <summary>The game between a conditional <paramref name="g"/> and a <paramref name="d"/> with an auxiliary classifier (owned from here).</summary>
    /// <exception cref="InputException">A generator without classes, or a discriminator that does not classify them.</exception>
    public AuxiliaryClassifierGan(Generator g, Discriminator d, AuxiliaryClassifierLoss objective,
                                  OptimizerConfig generatorOptimizer, OptimizerConfig discriminatorOptimizer)
        : base(g, d, objective.Source, generatorOptimizer, discriminatorOptimizer)
    {
        int k = (d as IClassifyingDiscriminator)?.Classes ?? 0;
        if (g.Classes == 0 || k != g.Classes)
            throw new InputException($"the auxiliary classifier GAN needs a generator of K classes and a discriminator that tells the same K apart " +
                                     $"(got {g.Classes} and {k}): a model of kind acgan");
        classifier = (IClassifyingDiscriminator)d;
        Objective = objective;
    }

    private readonly IClassifyingDiscriminator classifier;   // D, by what the game asks of it

    /// <summary>D, whose class head classifies.</summary>
    public override Discriminator Classifier => D;

    /// <inheritdoc/>
    public override int BatchesPerStep => 1;

    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, double> Step(StepContext context)
    {
        var d = DiscriminatorStep(context);
        var (gLoss, gClass) = GeneratorStep(context);
        var scalars = new OrderedDictionary<string, double>(Scalars(d.Loss, gLoss, d.Real, d.Fake))
        {
            ["d_class_loss"] = d.ClassLoss, ["g_class_loss"] = gClass, ["d_class_accuracy_real"] = d.AccuracyReal,
        };
        return scalars;
    }

    readonly record struct DiscriminatorResult(double Loss, double Real, double Fake, double ClassLoss, double AccuracyReal);

    /// <summary>One update of D on the next real minibatch and a generated one of classes drawn as in the data.</summary>
    DiscriminatorResult DiscriminatorStep(StepContext context)
    {
        using var scope = NewDisposeScope();
        var batch = context.Data.Next();
        var x = batch.Images;                                                     // [m, C, H, W]
        var c = Conditioning.OfData(batch)!;                                      // [m]
        var z = Noise(context);                                                   // [m, NoiseDim]
        var cFake = Conditioning.Draw(context.Data.BatchSize, context.Rng)!;      // [m] c' ~ p_c
        Tensor fake;
        using (no_grad()) fake = G.forward(z, cFake);                            // [m, C, H, W]; G fixed: no graph
        var (sReal, kReal) = classifier.Classify(x);                              // [m], [m, K]: separate passes (batch norm)
        var (sFake, kFake) = classifier.Classify(fake);
        var l = Objective.Discriminator(sReal, kReal, c, sFake, kFake, cFake);    // −(L_S + L_C)
        Descend(l.Total, optD, dParams);
        double accuracy = kReal.argmax(1).eq(c).to_type(ScalarType.Float64).mean().item<double>();
        return new DiscriminatorResult(l.Total.item<float>(), MeanD(sReal), MeanD(sFake), l.Class.item<float>(), accuracy);
    }

    /// <summary>One update of G on fresh noise and classes, D frozen; returns G's loss and its class term.</summary>
    (double Loss, double ClassLoss) GeneratorStep(StepContext context)
    {
        using var scope = NewDisposeScope();
        return WithDiscriminatorFrozen(() =>
        {
            var z = Noise(context);                                               // [m, NoiseDim]
            var cFake = Conditioning.Draw(context.Data.BatchSize, context.Rng)!;  // [m]
            var (sFake, kFake) = classifier.Classify(G.forward(z, cFake));        // [m], [m, K]
            var l = Objective.Generator(sFake, kFake, cFake);                     // the source term − L_C's fake half
            Descend(l.Total, optG, gParams);
            return ((double)l.Total.item<float>(), (double)l.Class.item<float>());
        });
    }
}
