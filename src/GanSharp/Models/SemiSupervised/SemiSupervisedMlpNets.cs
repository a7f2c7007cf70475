using GanSharp.Configuration;
using GanSharp.Data;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GanSharp.Models;

/// <summary>
/// The semi-supervised GAN's generator (Salimans et al. 2016, MNIST, as their released code builds it): z → for each
/// hidden layer, a linear map, batch norm without a learned scale (ε 10⁻⁶), a learned bias and softplus → a
/// weight-normalised linear layer with a trained scale → a sigmoid image. Linear weights Glorot-uniform, as Lasagne's.
/// </summary>
internal sealed class SemiSupervisedMlpGenerator : Generator
{
    private readonly ModuleList<Linear> hidden = new();
    private readonly ModuleList<BatchNorm1d> norms = new();
    private readonly ParameterList shifts = new();                 // the bias after each batch norm, [500]
    private readonly WeightNormLinear output;

    public SemiSupervisedMlpGenerator(SemiSupervisedMlpModelConfig config, torch.Generator? rng = null) : base("semi_supervised_generator", config)
    {
        foreach (var problem in config.Problems()) throw new InputException(problem);
        long width = config.NoiseDim;
        foreach (var h in config.GeneratorHidden)
        {
            var layer = nn.Linear(width, h, hasBias: false);
            using (no_grad()) GlorotUniform(layer.weight!, rng);
            hidden.Add(layer);
            norms.Add(nn.BatchNorm1d(h, eps: 1e-6, affine: false));
            shifts.Add(new Parameter(zeros(h)));
            width = h;
        }
        output = new WeightNormLinear(width, (long)config.Channels * config.Height * config.Width, trainScale: true, GlorotUniform, rng, epsilon: 1e-6);
        RegisterComponents();
    }

    /// <summary>U(±√(6 / (fan-in + fan-out))), drawn from <paramref name="rng"/>.</summary>
    static void GlorotUniform(Tensor weight, torch.Generator? rng)
    {
        double r = Math.Sqrt(6.0 / (weight.shape[0] + weight.shape[1]));
        weight.uniform_(-r, r, rng);
    }

    /// <summary>z [B, NoiseDim] → images [B, C, H, W] in [0, 1].</summary>
    public override Tensor forward(Tensor z, Tensor? labels)
    {
        using var scope = NewDisposeScope();
        var h = z;
        for (int i = 0; i < hidden.Count; i++)
            h = nn.functional.softplus(norms[i].forward(hidden[i].forward(h)).add_(shifts[i]));   // [B, 500]
        var x = output.forward(h).sigmoid_();                                                    // [B, C·H·W]
        return x.view(-1, Config.Channels, Config.Height, Config.Width).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// The semi-supervised GAN's discriminator (Salimans et al. 2016, MNIST, as their released code builds it): a
/// classifier of K logits l(x) — weight-normalised linear layers (directions 𝒩(0, 0.1²); scales fixed after the
/// data-dependent initialisation, but the last layer's, which is trained), ReLU between them, Gaussian noise added to
/// the input and to every hidden output in training (none in evaluation). The generated class's logit is fixed at 0,
/// so D's real-or-generated output is log Z(x) = logsumexp l(x): D(x) = σ(log Z). Its features (for feature matching)
/// are the last hidden layer's outputs, before their noise.
/// </summary>
internal sealed class SemiSupervisedMlpDiscriminator : Discriminator, IClassifyingDiscriminator, IFeatureDiscriminator
{
    private readonly ModuleList<WeightNormLinear> hidden = new();
    private readonly WeightNormLinear output;
    private readonly double inputNoise, hiddenNoise;
    private readonly int initialisationImages, classes;

    public SemiSupervisedMlpDiscriminator(SemiSupervisedMlpModelConfig config, torch.Generator? rng = null) : base("semi_supervised_discriminator", config)
    {
        foreach (var problem in config.Problems()) throw new InputException(problem);
        if (config.Classes < 1) throw new InputException("a classifying discriminator needs the number of classes (taken from the training labels)");
        inputNoise = config.DiscriminatorInputNoise;
        hiddenNoise = config.DiscriminatorHiddenNoise;
        initialisationImages = config.DiscriminatorInitialisationImages;
        classes = config.Classes;
        long width = (long)config.Channels * config.Height * config.Width;
        foreach (var h in config.DiscriminatorHidden)
        {
            hidden.Add(new WeightNormLinear(width, h, trainScale: false, NormalDirections, rng));
            width = h;
        }
        output = new WeightNormLinear(width, config.Classes, trainScale: true, NormalDirections, rng);
        RegisterComponents();
    }

    static void NormalDirections(Tensor theta, torch.Generator? rng) => theta.normal_(0, 0.1, rng);

    /// <inheritdoc/>
    public override torch.Generator? Rng { get; set; }

    /// <summary>The noise is drawn per element: each image's output depends on that image alone.</summary>
    public override bool ImagesIndependent => true;

    /// <inheritdoc/>
    public int Classes => classes;

    /// <summary>
    /// The data-dependent initialisation of every layer in turn (<see cref="WeightNormLinear.InitialiseFromData"/>) on
    /// the first <see cref="SemiSupervisedMlpModelConfig.DiscriminatorInitialisationImages"/> training images of a
    /// seeded order, with D's training noise, all drawn from <paramref name="rng"/>: each layer's outputs start with mean
    /// 0 and standard deviation 1 on them, as the reference initialises its discriminator.
    /// </summary>
    public override void InitialiseFromData(ImageDataset train, torch.Generator rng)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var device = parameters().First().device;
        var order = randperm(train.Count, generator: rng).narrow(0, 0, Math.Min(initialisationImages, train.Count));
        var x = ImageDataset.ToUnitRange(train.Storage.index_select(0, order.to(train.Storage.device))).to(device);
        var previous = Rng;
        Rng = rng;
        try
        {
            var h = Noisy(x.flatten(1), inputNoise, always: true);                 // [n, C·H·W]
            foreach (var layer in hidden)
                h = Noisy(layer.InitialiseFromData(h).relu_(), hiddenNoise, always: true);   // [n, 1000] … [n, 250]
            output.InitialiseFromData(h);                                          // [n, K]
        }
        finally { Rng = previous; }
    }

    /// <summary>images [B, C, H, W] → the source logit log Z(x) [B].</summary>
    public override Tensor forward(Tensor x, Tensor? labels)
    {
        using var scope = NewDisposeScope();
        return output.forward(Noisy(Hidden(x), hiddenNoise)).logsumexp(1).MoveToOuterDisposeScope();
    }

    /// <summary>One pass: the source logit log Z(x) [B] and the K class logits [B, K].</summary>
    public (Tensor Source, Tensor Classes) Classify(Tensor x)
    {
        using var scope = NewDisposeScope();
        var logits = output.forward(Noisy(Hidden(x), hiddenNoise));              // [B, K]
        return (logits.logsumexp(1).MoveToOuterDisposeScope(), logits.MoveToOuterDisposeScope());
    }

    /// <summary>The last hidden layer's outputs [B, 250] (before its noise): what feature matching matches.</summary>
    public Tensor Features(Tensor x)
    {
        using var scope = NewDisposeScope();
        return Hidden(x).MoveToOuterDisposeScope();
    }

    /// <summary>Images → the last hidden layer, with noise on the input and on every hidden output but the last's.</summary>
    Tensor Hidden(Tensor x)
    {
        var h = Noisy(x.flatten(1), inputNoise);                                 // [B, C·H·W]
        for (int i = 0; i < hidden.Count; i++)
        {
            h = hidden[i].forward(h).relu_();                                    // [B, 1000] … [B, 250]
            if (i < hidden.Count - 1) h = Noisy(h, hiddenNoise);
        }
        return h;
    }

    /// <summary>x + σ·𝒩(0, 1) in training (or <paramref name="always"/>), from <see cref="Rng"/>; else x.</summary>
    Tensor Noisy(Tensor x, double sigma, bool always = false) =>
        !(training || always) || sigma == 0 ? x : x + empty_like(x).normal_(0, sigma, Rng);
}
