using GanSharp.Configuration;
using GanSharp.Data;
using GanSharp.Losses;
using GanSharp.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace GanSharp.Games;

/// <summary>
/// StackGAN (Zhang, Xu, Li, Zhang, Wang, Huang &amp; Metaxas 2017, "StackGAN: Text to Photo-realistic Image Synthesis
/// with Stacked Generative Adversarial Networks", equations 3–6): text to images in two stages, each a conditional GAN
/// whose condition ĉ is drawn by conditioning augmentation around the text embedding φ_t, and whose discriminator is
/// matching-aware (Reed et al. 2016: real images with the wrong text are fakes too):
/// <code>
/// Stage-I  (images s₀ of side S₁, z ~ 𝒩(0, I)):
///   L_D0 = E[log D₀(I₀, φ_t)] + E[log(1 − D₀(G₀(z, ĉ₀), φ_t))]                        maximised
///   L_G0 = E[log(1 − D₀(G₀(z, ĉ₀), φ_t))] + λ·D_KL(𝒩(μ₀(φ_t), Σ₀(φ_t)) ‖ 𝒩(0, I))      minimised
/// Stage-II (Stage-I's s₀ frozen, images of the full side):
///   L_D  = E[log D(I, φ_t)] + E[log(1 − D(G(s₀, ĉ), φ_t))]
///   L_G  = E[log(1 − D(G(s₀, ĉ), φ_t))] + λ·D_KL(𝒩(μ(φ_t), Σ(φ_t)) ‖ 𝒩(0, I))
/// </code>
/// One iteration of the stage that trains (Stage-I for the first <see cref="StackedConfig.StageOneSteps"/>, then
/// Stage-II), in the reference's order (<c>trainer.py</c>: D, then G, on the same fakes):
/// <code>
/// take m images I with φ_t (a mean of up to 4 of each image's caption embeddings) and φ_w (another image's)
/// Stage-I: real ← I average-pooled to S₁;  fake, μ, log σ² ← G₀(φ_t, z)               (ĉ = μ + σ·ε inside)
/// Stage-II: s₀ ← G₀(φ_t, z) in evaluation mode, no gradients;  fake, μ, log σ² ← G(φ_t, s₀);  real ← I
/// μ_w ← the generator's μ(φ_w)                                                       (the wrong text's condition)
/// h ← D.features(real)
/// descend D on  loss.D(D.judge(h, μ), [D.judge(h, μ_w); D(fake, μ)])                 = real/right + ½(real/wrong + fake/right)
///   (Stage-II's D, as the reference's, also has a text-free head u:
///    loss.D([D.judge(h, μ); u(h)], [D.judge(h, μ_w); D(fake, μ); u(fake)])            = ½(real/right + real) + ⅓(wrong + fake/right + fake))
/// with D frozen: descend G on  loss.G(D(fake, μ)) [+ loss.G(u(fake)) in Stage-II] + λ·KL(μ, log σ²)
/// </code>
/// As the reference, the discriminators see μ detached, not ĉ, and the wrong text is judged against the same image
/// features as the right one; the KL is the reference's (−½ mean(1 + log σ² − μ² − σ²), a mean over dimensions).
/// The adversarial loss is the run's loss family (the reference's binary cross-entropy: non-saturating), its fake term
/// a mean over the wrong and the fake rows together — which is the reference's ½(wrong + fake) for equal halves.
/// Players: <c>stage1-generator</c> (its CA inside), <c>stage1-discriminator</c>, and with two stages
/// <c>stage2-generator</c>, <c>stage2-discriminator</c>; each with its optimizer (<c>…-optimizer</c>), whose schedule spans
/// its stage alone. Scalars: <c>d_loss</c>, <c>g_loss</c> (the KL included), <c>kl</c>, <c>d_real</c>, <c>d_wrong</c>,
/// <c>d_fake</c> (mean D of real/right, real/wrong and fake/right, as probabilities where the loss's outputs are logits,
/// else raw), and <c>stage</c> (1 or 2).
/// </summary>
public sealed class StackedGan : Game
{
    /// <summary>The checkpoint sections of the players.</summary>
    public const string StageOneGeneratorName = "stage1-generator", StageOneDiscriminatorName = "stage1-discriminator",
                        StageTwoGeneratorName = "stage2-generator", StageTwoDiscriminatorName = "stage2-discriminator";

    /// <summary>Stage-I's generator and discriminator.</summary>
    public (StageOneGenerator G, TextDiscriminator D) StageOne { get; }
    /// <summary>Stage-II's generator and discriminator (null: a one-stage model).</summary>
    public (StageTwoGenerator G, TextDiscriminator D)? StageTwo { get; }
    /// <summary>The adversarial loss of both stages.</summary>
    public IAdversarialLoss Loss { get; }
    /// <summary>Iterations of Stage-I before Stage-II (null: one stage, the whole run).</summary>
    public long? StageOneSteps { get; }

    private readonly double klWeight;
    private readonly CaptionedImages data;
    private readonly TextToImage product;
    private readonly (OptimizerHelper G, OptimizerHelper D, Parameter[] GParams, Parameter[] DParams)[] stages;

    /// <summary>
    /// The game of <paramref name="stageOne"/> and, for two stages, <paramref name="stageTwo"/> (placed on their device;
    /// owned from here) on <paramref name="data"/>, whose training images and captions give the sample grids.
    /// </summary>
    public StackedGan((StageOneGenerator G, TextDiscriminator D) stageOne, (StageTwoGenerator G, TextDiscriminator D)? stageTwo,
                      IAdversarialLoss loss, StackedConfig config, OptimizerConfig generatorOptimizer, OptimizerConfig discriminatorOptimizer,
                      CaptionedImages data)
    {
        if (config.Problems().FirstOrDefault() is { } problem) throw new InputException(problem);
        if ((stageTwo is null) != (config.StageOneSteps is null))
            throw new InputException(stageTwo is null ? "game: stage-one-steps is for a two-stage model" : "game: a two-stage model needs stage-one-steps");
        StageOne = (AddPlayer(StageOneGeneratorName, stageOne.G), AddPlayer(StageOneDiscriminatorName, stageOne.D));
        if (stageTwo is { } two) StageTwo = (AddPlayer(StageTwoGeneratorName, two.G), AddPlayer(StageTwoDiscriminatorName, two.D));
        (Loss, klWeight, StageOneSteps, this.data) = (loss, config.KlWeight, config.StageOneSteps, data);
        (long, long?)? first = StageOneSteps is { } s ? (0, s) : null, second = StageOneSteps is { } t ? (t, null) : null;
        var list = new List<(OptimizerHelper, OptimizerHelper, Parameter[], Parameter[])>();
        foreach (var (prefix, g, d, window) in new (string, nn.Module, nn.Module, (long, long?)?)[] { ("stage1", StageOne.G, StageOne.D, first) }
                     .Concat(StageTwo is { } st ? [("stage2", st.G, st.D, second)] : []))
        {
            Parameter[] gp = [.. g.parameters()], dp = [.. d.parameters()];
            list.Add((AddOptimizer($"{prefix}-generator-optimizer", gp, generatorOptimizer, window),
                      AddOptimizer($"{prefix}-discriminator-optimizer", dp, discriminatorOptimizer, window), gp, dp));
        }
        stages = [.. list];
        product = new TextToImage(StageOne.G, StageTwo?.G);
    }

    /// <inheritdoc/>
    public override int BatchesPerStep => 1;

    /// <summary>After <paramref name="iterations"/>, the product draws the last stage trained: Stage-II once it has trained one iteration.</summary>
    public override void AtIteration(long iterations) => product.TrainedStages = StageTwo is not null && iterations > StageOneSteps ? 2 : 1;

    /// <summary>The stage iteration <paramref name="iteration"/> (0-based) trains: 1, or 2 from <see cref="StageOneSteps"/> on.</summary>
    public int StageAt(long iteration) => StageTwo is not null && iteration >= StageOneSteps ? 2 : 1;

    /// <summary>Images from text, by both stages (Stage-II's counted once it has trained).</summary>
    public override GameProduct Product(string kind, Models.Generator? average = null, bool trainedWeights = false) => new(kind, null, Text: product);

    /// <summary>Rows of training images beside the generators' images for their captions, a column per fixed noise.</summary>
    public override IFixedGrid CreateGrid(int count, long seed) => new TextGrid(data, count, seed);

    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, double> Step(StepContext context)
    {
        using var scope = NewDisposeScope();
        int stage = StageAt(context.Data.Taken);
        var batch = context.Data.Next();
        var text = batch.Condition ?? throw new InvalidOperationException("the stacked game needs captioned minibatches");   // φ_t [m, E]
        var wrongText = batch.Mismatched ?? throw new InvalidOperationException("the stacked game needs the wrong captions");
        var z = product.Prior.Sample(batch.Count, StageOne.G.Config.NoiseDim, context.Rng).to(text.device);   // [m, NoiseDim]
        TextStageGenerator g;
        TextDiscriminator d;
        Tensor real, fake, mu, logVariance;
        StageOne.G.Rng = context.Rng;
        if (stage == 1)
        {
            (g, d) = (StageOne.G, StageOne.D);
            int factor = (int)(batch.Images.shape[2] / StageOne.G.Side);
            real = factor > 1 ? F.avg_pool2d(batch.Images, factor) : batch.Images;    // [m, C, S₁, S₁]
            (fake, mu, logVariance) = StageOne.G.forward(text, null, z);
        }
        else
        {
            var (g2, d2) = StageTwo!.Value;
            (g, d) = (g2, d2);
            g2.Rng = context.Rng;
            Tensor low;
            StageOne.G.eval();                                                         // frozen: its batch norm's running statistics
            using (no_grad()) low = StageOne.G.forward(text, null, z).Image;           // s₀ [m, C, S₁, S₁]
            real = batch.Images;                                                       // [m, C, H, H]
            (fake, mu, logVariance) = g2.forward(text, low, z);
        }
        Tensor muWrong;
        using (no_grad()) muWrong = g.Augmentation.forward(wrongText).Mu;
        var (optG, optD, gParams, dParams) = stages[stage - 1];
        var (dLoss, right, wrong, fakeD) = DiscriminatorStep(d, real, fake.detach(), mu.detach(), muWrong, optD, dParams);
        var (gLoss, kl) = GeneratorStep(d, fake, mu, logVariance, optG, gParams, dParams);
        product.TrainedStages = stage;                                                 // the last stage trained: what the product draws
        return new OrderedDictionary<string, double>
        {
            ["d_loss"] = dLoss, ["g_loss"] = gLoss, ["kl"] = kl, ["d_real"] = right, ["d_wrong"] = wrong, ["d_fake"] = fakeD, ["stage"] = stage,
        };
    }

    /// <summary>D descends real/right + ½(real/wrong + fake/right); with a text-free head, the reference's ½(real/right + real) + ⅓(real/wrong + fake/right + fake).</summary>
    (double Loss, double Right, double Wrong, double Fake) DiscriminatorStep(TextDiscriminator d, Tensor real, Tensor fake, Tensor mu, Tensor muWrong,
                                                                             OptimizerHelper optimizer, Parameter[] parameters)
    {
        var features = d.Features(real);                                               // [m, ch, 4, 4]
        var right = d.Judge(features, mu);                                             // [m]
        var wrong = d.Judge(features, muWrong);
        var fakeFeatures = d.Features(fake);
        var fakeLogits = d.Judge(fakeFeatures, mu);
        var loss = MatchingAware(Loss, right, wrong, fakeLogits, d.Realism(features), d.Realism(fakeFeatures));
        Descend(loss, optimizer, parameters);
        return (loss.item<float>(), Mean(right), Mean(wrong), Mean(fakeLogits));
    }

    /// <summary>G descends its adversarial term (both heads' where D has two, summed as the reference) and λ·KL, with D frozen.</summary>
    (double Loss, double Kl) GeneratorStep(TextDiscriminator d, Tensor fake, Tensor mu, Tensor logVariance, OptimizerHelper optimizer,
                                           Parameter[] gParams, Parameter[] dParams)
    {
        SetRequiresGrad(dParams, false);
        try
        {
            var kl = ConditioningAugmentation.Kl(mu, logVariance);
            var features = d.Features(fake);
            var loss = Loss.Generator(d.Judge(features, mu.detach())) + klWeight * kl;
            if (d.Realism(features) is { } realism) loss = loss + Loss.Generator(realism);
            Descend(loss, optimizer, gParams);
            return (loss.item<float>(), kl.item<float>());
        }
        finally { SetRequiresGrad(dParams, true); }
    }

    /// <summary>
    /// The matching-aware discriminator's loss on its outputs <c>[m]</c> for real images with the right text, real images
    /// with the wrong text, and generated images with the right text: real/right + ½(real/wrong + fake/right) — the
    /// loss family's fake term over the wrong and fake rows together (every family averages over rows). With a text-free
    /// head's outputs for the real and the generated images (<paramref name="realAlone"/>, <paramref name="fakeAlone"/>),
    /// the reference's Stage-II loss: ½(real/right + real) + ⅓(real/wrong + fake/right + fake) — the real rows and the
    /// three fake kinds each pooled the same way.
    /// </summary>
    public static Tensor MatchingAware(IAdversarialLoss loss, Tensor right, Tensor wrong, Tensor fake, Tensor? realAlone = null, Tensor? fakeAlone = null)
    {
        if (wrong.shape[0] != fake.shape[0]) throw new ArgumentException("the wrong-text and fake rows must be as many", nameof(wrong));
        if ((realAlone is null) != (fakeAlone is null)) throw new ArgumentException("the text-free outputs come for the real and the generated images both", nameof(realAlone));
        using var scope = NewDisposeScope();
        var reals = realAlone is null ? right : cat([right, realAlone]);
        var fakes = fakeAlone is null ? cat([wrong, fake]) : cat([wrong, fake, fakeAlone]);
        return loss.Discriminator(reals, fakes).MoveToOuterDisposeScope();
    }

    double Mean(Tensor logits) => (Loss.OutputsAreLogits ? logits.sigmoid() : logits).mean().item<float>();
}

/// <summary>
/// The sample grid of a text-to-image game: a row per fixed training image — the image, then the generators' images for
/// the mean of all its captions, one column per fixed noise (the last trained stage's, Stage-I's shown at the full side).
/// Images and noise are chosen once from the run's seed by a generator of their own.
/// </summary>
public sealed class TextGrid : IFixedGrid
{
    private readonly Tensor images, text;   // [rows, C, H, W], [rows, E]
    private readonly int columns;
    private readonly ulong drawsSeed;
    private Tensor? z;                      // [rows·columns, NoiseDim], drawn at the first grid (the product knows NoiseDim)

    /// <summary>About <paramref name="count"/> cells from <paramref name="data"/>, chosen by <paramref name="seed"/>: rows of an image and its samples.</summary>
    public TextGrid(CaptionedImages data, int count, long seed)
    {
        var train = data.Single;
        columns = Math.Clamp((int)Math.Sqrt(count), 2, 8) - 1;
        int rows = (int)Math.Min(Math.Max(1, count / (columns + 1)), train.Count);
        using var rng = new torch.Generator(unchecked((ulong)(seed * 104_729 + 11)));
        using var scope = NewDisposeScope();
        var ids = randperm(train.Count, generator: rng).narrow(0, 0, rows);
        images = ImageDataset.ToUnitRange(train.Storage.cpu().index_select(0, ids)).MoveToOuterDisposeScope();
        var counts = data.Counts.cpu().index_select(0, ids).to_type(ScalarType.Float32);                     // [rows]
        text = (data.Embeddings.cpu().index_select(0, ids).sum(1) / counts.unsqueeze(1)).MoveToOuterDisposeScope();  // the mean of its captions
        drawsSeed = unchecked((ulong)(seed * 104_729 + 13));
    }

    /// <inheritdoc/>
    public (Tensor Images, int? Columns) Draw(GameProduct product)
    {
        var t2i = product.TextSamples("the sample grid");
        long rows = images.shape[0];
        if (z is null)
        {
            using var rng = new torch.Generator(drawsSeed);
            using var perColumn = t2i.Prior.Sample(columns, t2i.Config.NoiseDim, rng);
            z = perColumn.repeat(rows, 1).DetachFromDisposeScope();                     // [rows·columns, NoiseDim]: a column's noise alike
        }
        using var draws = new torch.Generator(drawsSeed + 1);
        using var scope = NewDisposeScope();
        var (low, high) = t2i.Draw(text.repeat_interleave(columns, 0), z, draws);
        var shown = high ?? F.interpolate(low, [images.shape[2], images.shape[3]], mode: InterpolationMode.Nearest);   // [rows·columns, C, H, W]
        var cells = cat([images.unsqueeze(1), shown.view(rows, columns, shown.shape[1], shown.shape[2], shown.shape[3])], 1);
        return (cells.flatten(0, 1).MoveToOuterDisposeScope(), columns + 1);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        images.Dispose();
        text.Dispose();
        z?.Dispose();
    }
}
