using GanSharp.Configuration;
using GanSharp.Losses;
using GanSharp.Models;
using TorchSharp.Modules;
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
public sealed class SimultaneousUpdates : Game
{
    /// <summary>The generator G.</summary>
    public Generator G { get; }
    /// <summary>The discriminator D.</summary>
    public Discriminator D { get; }
    /// <summary>The objective both players descend.</summary>
    public IAdversarialLoss Loss { get; }

    private readonly OptimizerHelper optG, optD;
    private readonly Parameter[] gParams, dParams;
    private Tensor? z;  // [m, NoiseDim]

    /// <summary>The game between <paramref name="g"/> and <paramref name="d"/> (owned from here) under <paramref name="loss"/>.</summary>
    public SimultaneousUpdates(Generator g, Discriminator d, IAdversarialLoss loss, OptimizerConfig generatorOptimizer,
                               OptimizerConfig discriminatorOptimizer)
    {
        G = AddPlayer("generator", g);
        D = AddPlayer("discriminator", d);
        Loss = loss;
        gParams = G.parameters().ToArray();
        dParams = D.parameters().ToArray();
        optG = AddOptimizer("generator-optimizer", gParams, generatorOptimizer);
        optD = AddOptimizer("discriminator-optimizer", dParams, discriminatorOptimizer);
    }

    /// <inheritdoc/>
    public override Generator Generator => G;

    /// <inheritdoc/>
    public override int BatchesPerStep => 1;

    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, double> Step(StepContext context)
    {
        using var scope = NewDisposeScope();
        z ??= empty(context.Data.BatchSize, G.NoiseDim, device: G.Device).DetachFromDisposeScope();  // kept across steps
        var x = context.Data.Next().Images;                   // [m, C, H, W]
        var fake = G.forward(G.Prior.Fill(z, context.Rng));  // [m, C, H, W]
        var realOut = D.forward(x);                           // [m]
        var fakeOut = D.forward(fake);                        // [m]
        var dl = Loss.Discriminator(realOut, fakeOut);
        var gl = Loss.Generator(fakeOut);
        ClearGradients(dParams);
        ClearGradients(gParams);
        gl.backward(retain_graph: true, inputs: gParams);    // θ_g's gradient only
        dl.backward(inputs: dParams);                         // θ_d's gradient only
        optD.step();
        optG.step();
        var scalars = new OrderedDictionary<string, double> { ["d_loss"] = dl.item<float>(), ["g_loss"] = gl.item<float>() };
        string real = Loss.OutputsAreLogits ? "d_real" : "d_out_real", fakeName = Loss.OutputsAreLogits ? "d_fake" : "d_out_fake";
        scalars[real] = (Loss.OutputsAreLogits ? sigmoid(realOut) : realOut).mean().item<float>();
        scalars[fakeName] = (Loss.OutputsAreLogits ? sigmoid(fakeOut) : fakeOut).mean().item<float>();
        return scalars;
    }

    /// <inheritdoc/>
    protected override void DisposeBuffers() => z?.Dispose();
}
