using GanSharp.Configuration;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GanSharp.Models;

/// <summary>Uniform U(±1/√fan-in) weights and zero biases from a given generator (PyTorch's default range, seeded).</summary>
file static class FanInInit
{
    public static void Apply(IEnumerable<Linear> layers, torch.Generator? rng)
    {
        using var _ = no_grad();
        foreach (var l in layers)
        {
            double r = 1 / Math.Sqrt(l.weight!.shape[1]);
            l.weight.uniform_(-r, r, rng);
            l.bias!.zero_();
        }
    }
}

/// <summary>
/// The semi-supervised GAN's generator (Salimans et al. 2016, MNIST): z → softplus layers, each followed by batch norm
/// (without a learned scale, as the reference's <c>batch_norm(g=None)</c>), → a sigmoid image.
/// </summary>
internal sealed class SemiSupervisedMlpGenerator : Generator
{
    private readonly ModuleList<Linear> hidden = new();
    private readonly ModuleList<BatchNorm1d> norms = new();
    private readonly Linear output;

    public SemiSupervisedMlpGenerator(SemiSupervisedMlpModelConfig config, torch.Generator? rng = null) : base("semi_supervised_generator", config)
    {
        foreach (var problem in config.Problems()) throw new InputException(problem);
        long width = config.NoiseDim;
        foreach (var h in config.GeneratorHidden)
        {
            hidden.Add(nn.Linear(width, h));
            norms.Add(nn.BatchNorm1d(h, affine: false));
            width = h;
        }
        output = nn.Linear(width, (long)config.Channels * config.Height * config.Width);
        RegisterComponents();
        FanInInit.Apply(hidden.Append(output), rng);
    }

    /// <summary>z [B, NoiseDim] → images [B, C, H, W] in [0, 1].</summary>
    public override Tensor forward(Tensor z, Tensor? labels)
    {
        using var scope = NewDisposeScope();
        var h = z;
        for (int i = 0; i < hidden.Count; i++)
            h = norms[i].forward(nn.functional.softplus(hidden[i].forward(h)));     // [B, 500]
        var x = output.forward(h).sigmoid_();                                       // [B, C·H·W]
        return x.view(-1, Config.Channels, Config.Height, Config.Width).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// The semi-supervised GAN's discriminator (Salimans et al. 2016, MNIST): a classifier of K logits l(x), ReLU hidden
/// layers with Gaussian noise added to the input and to every hidden output in training (none in evaluation). The
/// generated class's logit is fixed at 0, so D's real-or-generated output is log Z(x) = logsumexp l(x): D(x) = σ(log Z).
/// Its features (for feature matching) are the last hidden layer's outputs, before their noise.
/// </summary>
internal sealed class SemiSupervisedMlpDiscriminator : Discriminator
{
    private readonly ModuleList<Linear> hidden = new();
    private readonly Linear output;
    private readonly double inputNoise, hiddenNoise;

    public SemiSupervisedMlpDiscriminator(SemiSupervisedMlpModelConfig config, torch.Generator? rng = null) : base("semi_supervised_discriminator", config)
    {
        foreach (var problem in config.Problems()) throw new InputException(problem);
        if (config.Classes < 1) throw new InputException("a classifying discriminator needs the number of classes (taken from the training labels)");
        inputNoise = config.DiscriminatorInputNoise;
        hiddenNoise = config.DiscriminatorHiddenNoise;
        long width = (long)config.Channels * config.Height * config.Width;
        foreach (var h in config.DiscriminatorHidden)
        {
            hidden.Add(nn.Linear(width, h));
            width = h;
        }
        output = nn.Linear(width, config.Classes);
        RegisterComponents();
        FanInInit.Apply(hidden.Append(output), rng);
    }

    /// <inheritdoc/>
    public override torch.Generator? Rng { get; set; }

    /// <summary>The noise is drawn per element: each image's output depends on that image alone.</summary>
    public override bool ImagesIndependent => true;

    /// <inheritdoc/>
    public override int AuxiliaryClasses => (int)output.weight!.shape[0];

    /// <summary>images [B, C, H, W] → the source logit log Z(x) [B].</summary>
    public override Tensor forward(Tensor x, Tensor? labels)
    {
        using var scope = NewDisposeScope();
        return output.forward(Noisy(Hidden(x), hiddenNoise)).logsumexp(1).MoveToOuterDisposeScope();
    }

    /// <summary>One pass: the source logit log Z(x) [B] and the K class logits [B, K].</summary>
    public override (Tensor Source, Tensor Classes) Classify(Tensor x)
    {
        using var scope = NewDisposeScope();
        var logits = output.forward(Noisy(Hidden(x), hiddenNoise));              // [B, K]
        return (logits.logsumexp(1).MoveToOuterDisposeScope(), logits.MoveToOuterDisposeScope());
    }

    /// <summary>The last hidden layer's outputs [B, 250] (before its noise): what feature matching matches.</summary>
    public override Tensor Features(Tensor x)
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

    /// <summary>x + σ·𝒩(0, 1) in training (from the run's generator), x in evaluation.</summary>
    Tensor Noisy(Tensor x, double sigma) =>
        !training || sigma == 0 ? x : x + empty_like(x).normal_(0, sigma, Rng);
}
