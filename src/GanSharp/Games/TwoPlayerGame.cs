using GanSharp.Configuration;
using GanSharp.Losses;
using GanSharp.Models;
using GanSharp.Data;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Generator = GanSharp.Models.Generator;

namespace GanSharp.Games;

/// <summary>
/// What the games between one generator and one discriminator under one adversarial loss share: the two players
/// (checkpointed as <c>generator</c> and <c>discriminator</c>), an optimizer each, the noise buffer, and the names of
/// the scalars D's outputs give. The order of updates within a step is each game's own.
/// </summary>
public abstract class TwoPlayerGame : Game
{
    /// <summary>The generator G.</summary>
    public Generator G { get; }
    /// <summary>The discriminator D.</summary>
    public Discriminator D { get; }
    /// <summary>The objective both players descend.</summary>
    public IAdversarialLoss Loss { get; }
    /// <summary>What the players are conditioned on (G's kind: a class, or nothing), which a step passes along unread.</summary>
    public IConditioning Conditioning { get; }

    /// <summary>G's and D's optimizers.</summary>
    protected readonly OptimizerHelper optG, optD;
    /// <summary>G's and D's parameters.</summary>
    protected readonly Parameter[] gParams, dParams;
    private Tensor? z;  // [m, NoiseDim] on G's device, refilled in place for every minibatch of noise

    /// <summary>
    /// The game between <paramref name="g"/> and <paramref name="d"/> (built and placed on their device by the caller;
    /// the game owns them from here) under <paramref name="loss"/>, each net with an optimizer of its own.
    /// </summary>
    protected TwoPlayerGame(Generator g, Discriminator d, IAdversarialLoss loss, OptimizerConfig generatorOptimizer,
                            OptimizerConfig discriminatorOptimizer)
    {
        G = AddPlayer(GeneratorName, g);
        D = AddPlayer(DiscriminatorName, d);
        Loss = loss;
        Conditioning = ClassConditioning.Of(g);
        gParams = G.parameters().ToArray();
        dParams = D.parameters().ToArray();
        optG = AddOptimizer(GeneratorOptimizerName, gParams, generatorOptimizer);
        optD = AddOptimizer(DiscriminatorOptimizerName, dParams, discriminatorOptimizer);
    }

    /// <inheritdoc/>
    public override Generator Generator => G;

    /// <summary>The names of the two players' and their optimizers' checkpoint sections.</summary>
    public const string GeneratorName = "generator", DiscriminatorName = "discriminator",
                        GeneratorOptimizerName = "generator-optimizer", DiscriminatorOptimizerName = "discriminator-optimizer";

    /// <summary>m fresh draws of z ~ p_z, written over the game's noise buffer <c>[m, NoiseDim]</c>.</summary>
    protected Tensor Noise(StepContext context)
    {
        z ??= empty(context.Data.BatchSize, G.NoiseDim, device: G.Device).DetachFromDisposeScope();  // kept across steps
        return G.Prior.Fill(z, context.Rng);
    }

    /// <summary>
    /// Runs <paramref name="generatorUpdate"/> with D frozen — its parameters pass gradients through to G but receive
    /// none, so that G's update cannot change D — and unfreezes D afterwards, whatever happens.
    /// </summary>
    protected T WithDiscriminatorFrozen<T>(Func<T> generatorUpdate)
    {
        SetRequiresGrad(dParams, false);
        try { return generatorUpdate(); }
        finally { SetRequiresGrad(dParams, true); }
    }

    /// <summary>
    /// The step's scalars: the two losses, and mean D over the real and the generated minibatch — <c>d_real</c> and
    /// <c>d_fake</c> as probabilities where D's outputs are logits, else <c>d_out_real</c> and <c>d_out_fake</c>, raw.
    /// </summary>
    protected IReadOnlyDictionary<string, double> Scalars(double dLoss, double gLoss, double meanReal, double meanFake)
    {
        var scalars = new OrderedDictionary<string, double> { ["d_loss"] = dLoss, ["g_loss"] = gLoss };
        scalars[Loss.OutputsAreLogits ? "d_real" : "d_out_real"] = meanReal;
        scalars[Loss.OutputsAreLogits ? "d_fake" : "d_out_fake"] = meanFake;
        return scalars;
    }

    /// <summary>
    /// D on a real and a generated minibatch. Where D treats each image on its own, one pass over both (the same
    /// function — dropout masks are drawn per element either way — but one matrix product of 2m rows instead of two of
    /// m, which the CPU does faster); with batch norm, two passes, so that each minibatch is normalised by its own
    /// statistics as in DCGAN's reference.
    /// </summary>
    protected (Tensor Real, Tensor Fake) DiscriminatorOutputs(Tensor x, Tensor fake, Tensor? y)
    {
        if (!D.ImagesIndependent) return (D.forward(x, y), D.forward(fake, y));
        var outputs = D.forward(cat([x, fake]), y is null ? null : cat([y, y]));  // [2m]
        long m = x.shape[0];
        return (outputs.narrow(0, 0, m), outputs.narrow(0, m, m));      // [m], [m]
    }

    /// <summary>Mean D over a minibatch's outputs: a probability where they are logits, else a raw score.</summary>
    protected double MeanD(Tensor outputs) => (Loss.OutputsAreLogits ? sigmoid(outputs) : outputs).mean().item<float>();

    /// <inheritdoc/>
    protected override void DisposeBuffers() => z?.Dispose();
}
