using GanSharp.Configuration;
using GanSharp.Data;
using GanSharp.Losses;
using GanSharp.Models;
using TorchSharp;
using static TorchSharp.torch;
using Generator = GanSharp.Models.Generator;

namespace GanSharp.Games;

/// <summary>
/// The semi-supervised GAN (Salimans et al. 2016, "Improved Techniques for Training GANs", sections 3.1 and 5, as their
/// MNIST code trains it). D is a K-class classifier whose generated class's logit is fixed at 0; a few images carry
/// labels, every training image serves unlabelled. <see cref="Step"/> is one iteration:
/// <code>
/// take a labelled minibatch (x_l, y) from the labelled subset, an unlabelled one x_u, m noise samples z
/// update D by descending  L_supervised + w·L_unsupervised
///     = −E log p(y | x_l, y ≤ K)  +  w·(−E log D(x_u) − E log(1 − D(G(z))))      (D(x) = Z(x) / (Z(x) + 1))
/// sample m noise samples z
/// update G by descending  ‖E f(x_u) − E f(G(z))‖² / F         (feature matching on D's last hidden layer)
/// </code>
/// The labelled minibatches are a pure function of the run's progress (the subset in a seeded order, epoch by epoch,
/// repeated to fill a minibatch when it is smaller than one), so a resumed run takes the same ones. G's feature
/// matching uses the unlabelled minibatch D's update just used (the reference draws a second one).
/// With <see cref="SemiSupervisedConfig.DiscriminatorAverage"/> r &gt; 0 the game keeps a running average of D's weights
/// (a third player, checkpointed as <c>discriminator-average</c>) that classifies in evaluation, as the reference's
/// test error does. The reference's average starts at zero, θ̄ ← θ̄ + r(θ − θ̄); this one is that average divided by
/// its total weight 1 − (1 − r)^t (Adam's bias correction), the weighted mean of D's weights after updates 1…t:
/// <code>
/// θ̄_t = θ̄_{t−1} + r_t (θ_t − θ̄_{t−1}),    r_t = r / (1 − (1 − r)^t)        (r_1 = 1: θ̄_1 = θ_1)
/// </code>
/// Weight-normalised layers see only its directions, which the correction leaves alone; biases and trained scales are
/// not shrunk towards zero early in a run. r_t depends on t alone, so resume is exact.
/// Scalars: <c>d_loss</c>, <c>d_supervised</c>, <c>d_unsupervised</c>, <c>g_loss</c> (feature matching), <c>d_real</c>,
/// <c>d_fake</c> (mean D on the unlabelled and generated minibatches) and <c>d_accuracy_labelled</c>.
/// </summary>
public sealed class SemiSupervisedGan : TwoPlayerGame
{
    /// <summary>The labelled images' rows in the training set, class by class.</summary>
    public IReadOnlyList<long> LabelledRows { get; }
    /// <summary>Weight of D's unsupervised loss.</summary>
    public double UnlabelledWeight { get; }

    /// <summary>The running average of D's weights that classifies in evaluation (null: none).</summary>
    public Discriminator? AverageD { get; }
    /// <summary>Its rate r.</summary>
    public double AverageRate { get; }

    /// <summary>The checkpoint section of the running average of D's weights (the classifier evaluation uses).</summary>
    public const string DiscriminatorAverageName = "discriminator-average";

    private readonly Tensor[] averaged = [];   // the average's parameters, in the order of D's (dParams)
    private readonly Tensor labelledImages, labelledLabels;  // [n·r, C, H, W], [n·r]: the subset, repeated r times to fill a minibatch
    private readonly MinibatchSampler labelled;
    private readonly IClassifyingDiscriminator classifier;  // D, by what the game asks of it
    private readonly IFeatureDiscriminator features;

    /// <summary>
    /// The game between <paramref name="g"/> and a classifying <paramref name="d"/> (owned from here), with
    /// <see cref="SemiSupervisedConfig.Labels"/> labelled images of <paramref name="train"/> chosen by <paramref name="seed"/>.
    /// <paramref name="createAverage"/> builds the average's net (the architecture of <paramref name="d"/>; it starts as a
    /// copy of D, buffers included), when the configuration keeps one.
    /// </summary>
    /// <exception cref="InputException">A D that does not classify, data without labels, or too few images of a class.</exception>
    public SemiSupervisedGan(Generator g, Discriminator d, SemiSupervisedConfig config, ImageDataset train, int batch, long seed,
                             OptimizerConfig generatorOptimizer, OptimizerConfig discriminatorOptimizer, Func<Discriminator> createAverage)
        : base(g, d, new NonSaturating(), generatorOptimizer, discriminatorOptimizer)
    {
        foreach (var problem in config.Problems()) throw new InputException(problem);
        (classifier, features) = (d as IClassifyingDiscriminator, d as IFeatureDiscriminator) is ({ Classes: >= 2 } c, { } f) ? (c, f)
            : throw new InputException("the semi-supervised GAN needs a discriminator that classifies at least 2 classes and exposes its features");
        int k = classifier.Classes;
        var labels = train.Labels ?? throw new InputException($"{train.Name}: the semi-supervised GAN needs labelled training images");
        if (config.Labels % k != 0) throw new InputException($"labels: {config.Labels} cannot be split evenly over {k} classes (use a multiple of {k})");
        LabelledRows = LabelledSubset.Indices(labels, k, config.Labels / k, seed);
        UnlabelledWeight = config.UnlabelledWeight;
        using var rows = tensor(LabelledRows.ToArray());
        int repeat = (int)Math.Ceiling((double)batch / LabelledRows.Count);
        using var images = train.Images.index_select(0, rows.to(train.Images.device));
        using var y = labels.index_select(0, rows.to(labels.device));
        labelledImages = images.repeat(repeat, 1, 1, 1).to(G.Device).DetachFromDisposeScope();
        labelledLabels = y.repeat(repeat).to(G.Device).DetachFromDisposeScope();
        labelled = new MinibatchSampler(labelledImages, labelledLabels, batch, seed + 1);
        AverageRate = config.DiscriminatorAverage;
        if (AverageRate > 0)
        {
            AverageD = AddPlayer(DiscriminatorAverageName, createAverage());
            AverageD.to(dParams[0].device);
            using (no_grad())
            {
                var copy = AverageD.state_dict();
                foreach (var (name, value) in D.state_dict()) copy[name].copy_(value);   // parameters and buffers
            }
            averaged = AverageD.parameters().ToArray();
            foreach (var p in averaged) p.requires_grad = false;
        }
    }

    /// <summary>The average of D's weights when the game keeps one, else D.</summary>
    public override Discriminator Classifier => AverageD ?? D;

    /// <summary>r_t, the average's step after D's <paramref name="t"/>-th update.</summary>
    public double AverageStep(long t) => t == 1 ? 1 : AverageRate / -double.ExpM1(t * double.LogP1(-AverageRate));   // 1 − (1 − r)^t without cancellation

    /// <inheritdoc/>
    public override int BatchesPerStep => 1;

    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, double> Step(StepContext context)
    {
        long index = context.Data.Taken;                                           // the labelled stream follows the run's progress
        var (dLoss, supervised, unsupervised, real, fake, accuracy, x) = DiscriminatorStep(context, index);
        UpdateAverage(index + 1);                                                  // after D's (index + 1)-th update
        double gLoss;
        using (x) gLoss = GeneratorStep(context, x);
        return new OrderedDictionary<string, double>
        {
            ["d_loss"] = dLoss, ["d_supervised"] = supervised, ["d_unsupervised"] = unsupervised, ["g_loss"] = gLoss,
            ["d_real"] = real, ["d_fake"] = fake, ["d_accuracy_labelled"] = accuracy,
        };
    }

    /// <summary>One update of D on the labelled, unlabelled and generated minibatches; returns its measurements and the unlabelled images.</summary>
    (double Loss, double Supervised, double Unsupervised, double Real, double Fake, double Accuracy, Tensor Unlabelled) DiscriminatorStep(StepContext context, long index)
    {
        using var scope = NewDisposeScope();
        var l = labelled.Batch(index);
        var xl = ImageDataset.ToUnitRange(l.Images);                              // [m, C, H, W]
        var y = l.Labels!;                                                         // [m]
        var xu = context.Data.Next().Images;                                       // [m, C, H, W]
        Tensor fake;
        using (no_grad()) fake = G.forward(Noise(context));                       // [m, C, H, W]
        var (_, labelledLogits) = classifier.Classify(xl);                         // [m, K]
        var (sourceReal, unlabelledLogits) = classifier.Classify(xu);
        var (sourceFake, fakeLogits) = classifier.Classify(fake);
        var terms = SemiSupervisedLoss.Discriminator(labelledLogits, y, unlabelledLogits, fakeLogits, UnlabelledWeight);
        Descend(terms.Total, optD, dParams);
        double accuracy = labelledLogits.argmax(1).eq(y).to_type(ScalarType.Float64).mean().item<double>();
        return (terms.Total.item<float>(), terms.Class.item<float>(), terms.Adversarial.item<float>(), MeanD(sourceReal), MeanD(sourceFake),
                accuracy, xu.detach().MoveToOuterDisposeScope());
    }

    /// <summary>θ̄ ← θ̄ + r_t (θ − θ̄) for every parameter of D.</summary>
    void UpdateAverage(long t)
    {
        if (AverageD is null) return;
        double step = AverageStep(t);
        using var _ = no_grad();
        for (int i = 0; i < averaged.Length; i++) averaged[i].lerp_(dParams[i], step);
    }

    /// <summary>One update of G by feature matching against <paramref name="real"/>'s features, D frozen.</summary>
    double GeneratorStep(StepContext context, Tensor real)
    {
        using var scope = NewDisposeScope();
        return WithDiscriminatorFrozen(() =>
        {
            Tensor target;
            using (no_grad()) target = features.Features(real);                    // [m, F]: a fixed target
            var l = SemiSupervisedLoss.FeatureMatching(target, features.Features(G.forward(Noise(context))));
            Descend(l, optG, gParams);
            return (double)l.item<float>();
        });
    }

    /// <inheritdoc/>
    protected override void DisposeBuffers()
    {
        base.DisposeBuffers();
        labelled.Dispose();
        labelledImages.Dispose();
        labelledLabels.Dispose();
    }
}
