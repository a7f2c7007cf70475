using GanSharp.Configuration;
using GanSharp.Data;
using GanSharp.Losses;
using GanSharp.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GanSharp.Games;

/// <summary>
/// CycleGAN (Zhu, Park, Isola &amp; Efros 2017, "Unpaired Image-to-Image Translation using Cycle-Consistent Adversarial
/// Networks"): two translators G: X → Y and F: Y → X, two discriminators D_Y (real y against G(x)) and D_X (real x
/// against F(y)), and the full objective of equation 3, with the identity term of section 5.2:
/// <code>
/// L(G, F, D_X, D_Y) = L_GAN(G, D_Y, X, Y) + L_GAN(F, D_X, Y, X) + λ·L_cyc(G, F) + λ_idt·λ·L_identity(G, F)
///   L_cyc      = E_x ‖F(G(x) + σε) − x‖₁ + E_y ‖G(F(y) + σε') − y‖₁      ε, ε' ~ 𝒩(0, I); σ = cycle-noise, the paper's 0
///   L_identity = E_y ‖G(y) − y‖₁    + E_x ‖F(x) − x‖₁
/// G*, F* = arg min_{G,F} max_{D_X,D_Y} L
/// </code>
/// One iteration, in the reference implementation's order (<c>CycleGANModel.optimize_parameters</c>):
/// <code>
/// take m images x of X and m images y of Y (unpaired)
/// ŷ ← G(x),  x̂ ← F(y),  x̃ ← F(ŷ + σε),  ỹ ← G(x̂ + σε')           the forward pass, kept for both updates (σ > 0: ε, ε' from the run's rng)
/// with D_X, D_Y frozen:  descend G and F together (one optimizer) on
///     loss.G(D_Y(ŷ)) + loss.G(D_X(x̂)) + λ·(‖x̃ − x‖₁ + ‖ỹ − y‖₁) + λ_idt·λ·(‖G(y) − y‖₁ + ‖F(x) − x‖₁)
/// ŷ' ← pool_Y.query(ŷ),  x̂' ← pool_X.query(x̂)                       (ImagePool: half the time an older image)
/// descend D_Y and D_X together (one optimizer) on  ½·loss.D(D_Y(y), D_Y(ŷ')) + ½·loss.D(D_X(x), D_X(x̂'))
/// </code>
/// The discriminators judge the images of the translators before their update (the reference's order: one forward
/// pass serves both updates). ‖·‖₁ is the mean absolute difference per pixel, as torch's L1Loss. The adversarial loss is
/// the run's loss family (the reference's default: least squares). Scale: pixels here lie in [0, 1], the reference's in
/// [−1, 1], so an L1 here is half the reference's; and least squares here carries Mao et al.'s ½ that the reference's
/// MSE does not — so this objective is the reference's halved, term by term, and λ = 10 balances the terms as the
/// paper's λ = 10 does (Adam's steps do not depend on a loss's overall scale).
/// With the run's <c>ema</c> the game also keeps a moving average of each translator's weights, updated after every
/// iteration (<see cref="ParameterAverage"/>, t = the iteration), and translates with the averages: the trained weights
/// follow the game's oscillations, and at batch 1 carry the last images' speckle into every translation.
/// Players: <c>generator-x-to-y</c> (G), <c>generator-y-to-x</c> (F), <c>discriminator-x</c>, <c>discriminator-y</c>, and
/// with <c>ema</c> <c>generator-x-to-y-ema</c>, <c>generator-y-to-x-ema</c>; optimizers <c>generators-optimizer</c>,
/// <c>discriminators-optimizer</c>; state <c>pool-x</c>, <c>pool-y</c>.
/// Scalars: <c>d_loss</c> (the discriminators' objective as descended), <c>g_loss</c> (the translators' total),
/// <c>d_x_loss</c>, <c>d_y_loss</c>, <c>gan_x_to_y</c>, <c>gan_y_to_x</c> (the adversarial terms of G and F),
/// <c>cycle_l1</c> and <c>identity_l1</c> (unweighted sums of the two directions).
/// </summary>
public sealed class CycleConsistentGan : Game
{
    /// <summary>The checkpoint sections of the players.</summary>
    public const string XToYName = "generator-x-to-y", YToXName = "generator-y-to-x", DiscriminatorXName = "discriminator-x", DiscriminatorYName = "discriminator-y";
    /// <summary>The checkpoint sections of the translators' moving averages, in runs that keep them.</summary>
    public const string XToYAverageName = XToYName + AverageSuffix, YToXAverageName = YToXName + AverageSuffix;

    /// <summary>G: X → Y.</summary>
    public Translator G { get; }
    /// <summary>F: Y → X.</summary>
    public Translator F { get; }
    /// <summary>D_X: real images of X against F's; outputs <c>[B, P]</c>, one per patch.</summary>
    public nn.Module<Tensor, Tensor> DX { get; }
    /// <summary>D_Y: real images of Y against G's.</summary>
    public nn.Module<Tensor, Tensor> DY { get; }
    /// <summary>The adversarial loss of both pairs.</summary>
    public IAdversarialLoss Loss { get; }
    /// <summary>F's earlier images, which D_X is shown.</summary>
    public ImagePool PoolX { get; }
    /// <summary>G's earlier images, which D_Y is shown.</summary>
    public ImagePool PoolY { get; }
    /// <summary>The moving average of G's weights (null: the run keeps none).</summary>
    public Translator? AverageG { get; }
    /// <summary>The moving average of F's weights (null: the run keeps none).</summary>
    public Translator? AverageF { get; }

    private readonly double lambda, identity, cycleNoise;
    private readonly OptimizerHelper optG, optD;
    private readonly Parameter[] gParams, dParams;
    private readonly TwoDomains data;
    private readonly ParameterAverage[] averages = [];

    /// <summary>
    /// The game of translators <paramref name="g"/> (X → Y), <paramref name="f"/> (Y → X) and discriminators
    /// <paramref name="dX"/>, <paramref name="dY"/> (placed on their device; owned from here) over <paramref name="data"/>,
    /// whose training images give the sample grids. With <paramref name="average"/> (the run's <c>ema</c>) the game keeps
    /// moving averages of both translators in nets that <paramref name="createTranslator"/> builds (their architecture).
    /// </summary>
    public CycleConsistentGan(Translator g, Translator f, nn.Module<Tensor, Tensor> dX, nn.Module<Tensor, Tensor> dY, IAdversarialLoss loss,
                              CycleConsistentConfig config, OptimizerConfig generatorOptimizer, OptimizerConfig discriminatorOptimizer, TwoDomains data,
                              EmaConfig? average = null, Func<Translator>? createTranslator = null)
    {
        if (config.Problems().FirstOrDefault() is { } problem) throw new InputException(problem);
        G = AddPlayer(XToYName, g);
        F = AddPlayer(YToXName, f);
        DX = AddPlayer(DiscriminatorXName, dX);
        DY = AddPlayer(DiscriminatorYName, dY);
        Loss = loss;
        (lambda, identity, cycleNoise, this.data) = (config.CycleWeight, config.IdentityWeight * config.CycleWeight, config.CycleNoise, data);
        gParams = [.. g.parameters(), .. f.parameters()];
        dParams = [.. dX.parameters(), .. dY.parameters()];
        optG = AddOptimizer("generators-optimizer", gParams, generatorOptimizer);
        optD = AddOptimizer("discriminators-optimizer", dParams, discriminatorOptimizer);
        PoolX = AddState("pool-x", new ImagePool(config.PoolSize));
        PoolY = AddState("pool-y", new ImagePool(config.PoolSize));
        if (average is not null)
        {
            var create = createTranslator ?? throw new ArgumentNullException(nameof(createTranslator), "the translators' averages need nets of their architecture");
            var device = gParams[0].device;
            AverageG = AddPlayer(XToYAverageName, create());
            AverageG.to(device);
            AverageF = AddPlayer(YToXAverageName, create());
            AverageF.to(device);
            averages = [new ParameterAverage(g, AverageG, average), new ParameterAverage(f, AverageF, average)];
        }
    }

    /// <inheritdoc/>
    public override bool AveragesItsPlayers => averages.Length > 0;

    /// <inheritdoc/>
    public override int BatchesPerStep => 1;

    /// <summary>Translations both ways (no samples from noise), by the translators' averages where the game keeps them.</summary>
    public override GameProduct Product(string kind, Models.Generator? average = null, bool trainedWeights = false) =>
        new(kind, null, Translators: new Dictionary<TranslationDirection, Translator>
        {
            [TranslationDirection.XToY] = trainedWeights ? G : AverageG ?? G,
            [TranslationDirection.YToX] = trainedWeights ? F : AverageF ?? F,
        });

    /// <summary>Rows of x | G(x) | F(G(x)) | y | F(y) | G(F(y)) for training images of both domains chosen by the seed.</summary>
    public override IFixedGrid CreateGrid(int count, long seed) => new TranslationGrid(data.X, data.Y, count, seed);

    /// <summary>One iteration: the forward pass, the translators' update with the discriminators frozen, then the discriminators'.</summary>
    public override IReadOnlyDictionary<string, double> Step(StepContext context)
    {
        using var scope = NewDisposeScope();
        var batch = context.Data.Next();
        var x = batch.Images;                                              // [m, C, H, W] of X
        var y = batch.Other ?? throw new InvalidOperationException("the cycle-consistent game needs two domains' minibatches");  // [m, C, H, W] of Y
        var fakeY = G.forward(x);                                          // ŷ = G(x)
        var fakeX = F.forward(y);                                          // x̂ = F(y)
        var (gLoss, terms) = TranslatorsStep(x, y, fakeY, fakeX, context.Rng);
        var (dLoss, dX, dY) = DiscriminatorsStep(x, y, fakeY.detach(), fakeX.detach(), context.Rng);
        foreach (var a in averages) a.Update(context.Data.Taken);         // after the translators' t-th update (one minibatch an iteration)
        return new OrderedDictionary<string, double>
        {
            ["d_loss"] = dLoss, ["g_loss"] = gLoss, ["d_x_loss"] = dX, ["d_y_loss"] = dY,
            ["gan_x_to_y"] = terms.GanG, ["gan_y_to_x"] = terms.GanF, ["cycle_l1"] = terms.Cycle, ["identity_l1"] = terms.Identity,
        };
    }

    /// <summary>G and F descend their adversarial, cycle and identity terms together, with D_X and D_Y frozen.</summary>
    (double Loss, (double GanG, double GanF, double Cycle, double Identity) Terms) TranslatorsStep(Tensor x, Tensor y, Tensor fakeY, Tensor fakeX, torch.Generator rng)
    {
        SetRequiresGrad(dParams, false);                                   // gradients pass through D to G and F, none stay in D
        try
        {
            var ganG = Loss.Generator(DY.forward(fakeY));                  // D_Y's verdicts [m, P] → scalar
            var ganF = Loss.Generator(DX.forward(fakeX));
            var cycle = L1(F.forward(Noisy(fakeY, rng)), x) + L1(G.forward(Noisy(fakeX, rng)), y);   // ‖F(G(x) + σε) − x‖₁ + ‖G(F(y) + σε') − y‖₁
            var total = ganG + ganF + lambda * cycle;
            Tensor? idt = null;
            if (identity > 0)                                              // skipped passes when the term is off
            {
                idt = L1(G.forward(y), y) + L1(F.forward(x), x);          // ‖G(y) − y‖₁ + ‖F(x) − x‖₁
                total = total + identity * idt;
            }
            Descend(total, optG, gParams);
            return (total.item<float>(), (ganG.item<float>(), ganF.item<float>(), cycle.item<float>(), idt?.item<float>() ?? 0));
        }
        finally { SetRequiresGrad(dParams, true); }
    }

    /// <summary>D_Y and D_X descend their halved losses together, each shown its pool's images.</summary>
    (double Loss, double DX, double DY) DiscriminatorsStep(Tensor x, Tensor y, Tensor fakeY, Tensor fakeX, torch.Generator rng)
    {
        var shownY = PoolY.Query(fakeY, rng);                              // the reference queries D_Y's pool (its D_A) first
        var shownX = PoolX.Query(fakeX, rng);
        var dY = 0.5 * Loss.Discriminator(DY.forward(y), DY.forward(shownY));
        var dX = 0.5 * Loss.Discriminator(DX.forward(x), DX.forward(shownX));
        var total = dY + dX;
        Descend(total, optD, dParams);
        return (total.item<float>(), dX.item<float>(), dY.item<float>());
    }

    /// <summary>A translation on its way back in the cycle: itself, or with noise σε (ε drawn from the run's generator) when σ &gt; 0.</summary>
    Tensor Noisy(Tensor translation, torch.Generator rng) =>
        cycleNoise > 0 ? translation + cycleNoise * randn(translation.shape, generator: rng, device: translation.device) : translation;

    /// <summary>Mean absolute difference per pixel (torch's L1Loss with its default mean).</summary>
    static Tensor L1(Tensor a, Tensor b) => (a - b).abs().mean();
}
