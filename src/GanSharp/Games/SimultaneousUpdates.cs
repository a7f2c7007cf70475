using GanSharp.Configuration;
using GanSharp.Losses;
using GanSharp.Models;
using static TorchSharp.torch;
using Generator = GanSharp.Models.Generator;

namespace GanSharp.Games;

/// <summary>
/// The variant of the paper's released code (pylearn2's simultaneous updates): one minibatch and one forward pass, and
/// both nets step on gradients taken at the same parameters.
/// <code>
/// sample m noise samples z ~ p_g(z) and m examples x ~ p_data(x)
/// g_d ← ∇θd (1/m) Σ [log D(x) + log(1 − D(G(z)))]      (at θd, θg)
/// g_g ← ∇θg of the generator's loss on the same D(G(z))  (at θd, θg)
/// θd ← θd + step(g_d);  θg ← θg − step(g_g)
/// </code>
/// Players, optimizers and scalars as in <see cref="Algorithm1"/>.
/// </summary>
public sealed class SimultaneousUpdates : TwoPlayerGame
{
    /// <summary>The game between <paramref name="g"/> and <paramref name="d"/> (owned from here) under <paramref name="loss"/>.</summary>
    public SimultaneousUpdates(Generator g, Discriminator d, IAdversarialLoss loss, OptimizerConfig generatorOptimizer,
                               OptimizerConfig discriminatorOptimizer)
        : base(g, d, loss, generatorOptimizer, discriminatorOptimizer) { }

    /// <inheritdoc/>
    public override int BatchesPerStep => 1;

    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, double> Step(StepContext context)
    {
        using var scope = NewDisposeScope();
        var batch = context.Data.Next();
        var x = batch.Images;                                 // [m, C, H, W]
        var y = Conditioning.OfData(batch);                   // [m] classes (conditional nets; both halves), else null
        var fake = G.forward(Noise(context), y);              // [m, C, H, W]
        var realOut = D.forward(x, y);                        // [m]
        var fakeOut = D.forward(fake, y);                     // [m]
        var dl = Loss.Discriminator(realOut, fakeOut);
        var gl = Loss.Generator(fakeOut);
        bool gFrozen = IsFrozen(gParams), dFrozen = IsFrozen(dParams);  // a frozen player is not updated
        ClearGradients(dParams);
        ClearGradients(gParams);
        if (!gFrozen) gl.backward(retain_graph: !dFrozen, inputs: gParams);   // θ_g's gradient only
        if (!dFrozen) dl.backward(inputs: dParams);                            // θ_d's gradient only
        if (!dFrozen) optD.step();
        if (!gFrozen) optG.step();
        return Scalars(dl.item<float>(), gl.item<float>(), MeanD(realOut), MeanD(fakeOut));
    }
}
