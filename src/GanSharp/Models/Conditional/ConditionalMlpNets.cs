using GanSharp.Configuration;
using GanSharp.Data;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GanSharp.Models;

/// <summary>
/// The conditional generator of Mirza &amp; Osindero (2014), section 4.1 (MNIST): z → 200 ReLU and one-hot y → 1000 ReLU,
/// joined → 1200 ReLU → a sigmoid image, with dropout on the hidden units in training. One-hot y times a weight matrix
/// is a row of it, so y's layer is an embedding lookup (the same function, without building the one-hot matrix).
/// </summary>
internal sealed class ConditionalMlpGenerator : Generator
{
    private readonly Linear fromNoise, joint, output;
    private readonly Embedding fromLabel;          // [K, 1000]: W_y of the one-hot layer, a row per class
    private readonly Parameter labelBias;          // [1000]: its bias
    private readonly SeededDropout dropout;
    private readonly ConditionalMlpModelConfig config;

    /// <summary>Builds and initialises the generator (weights U(±GeneratorInitRange), biases 0).</summary>
    public ConditionalMlpGenerator(ConditionalMlpModelConfig config, torch.Generator? rng = null) : base("conditional_generator", config)
    {
        foreach (var problem in config.Problems()) throw new InputException(problem);
        if (config.Classes < 1) throw new InputException("a conditional generator needs the number of classes (taken from the training labels)");
        this.config = config;
        fromNoise = nn.Linear(config.NoiseDim, config.GeneratorNoiseUnits);
        fromLabel = nn.Embedding(config.Classes, config.GeneratorLabelUnits);
        labelBias = nn.Parameter(zeros(config.GeneratorLabelUnits));
        joint = nn.Linear(config.GeneratorNoiseUnits + config.GeneratorLabelUnits, config.GeneratorJointUnits);
        output = nn.Linear(config.GeneratorJointUnits, (long)config.Channels * config.Height * config.Width);
        dropout = new SeededDropout(config.GeneratorHiddenKeep) { AlsoInEvaluation = config.GeneratorSamplesWithDropout };
        RegisterComponents();
        using var _ = no_grad();
        double r = config.GeneratorInitRange;
        foreach (var layer in new[] { fromNoise, joint, output })
        {
            layer.weight.uniform_(-r, r, rng);
            nn.init.zeros_(layer.bias!);
        }
        fromLabel.weight!.uniform_(-r, r, rng);
    }

    /// <inheritdoc/>
    public override torch.Generator? Rng { get => dropout.Rng; set => dropout.Rng = value; }

    /// <summary>G samples with its dropout masks when the model says so (<see cref="ConditionalMlpModelConfig.GeneratorSamplesWithDropout"/>).</summary>
    public override bool RandomWhenSampling => dropout.AlsoInEvaluation && dropout.Keep < 1;

    /// <summary>Sets the output bias to logit(mean pixel) of the training images, as <see cref="MlpGenerator"/> does.</summary>
    public override void InitialiseFromData(ImageDataset train)
    {
        if (!config.GeneratorOutputBiasFromData) return;
        MlpGenerator.SetOutputBiasFromData(output, train);
    }

    /// <summary>z [B, NoiseDim] and labels [B] → images [B, C, H, W] in [0, 1].</summary>
    public override Tensor forward(Tensor z, Tensor? labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        using var scope = NewDisposeScope();
        var hz = dropout.forward(fromNoise.forward(z).relu_());                           // [B, 200]
        var hy = dropout.forward(fromLabel.forward(labels).add_(labelBias).relu_());      // [B, 1000]
        var h = dropout.forward(joint.forward(cat([hz, hy], 1)).relu_());                 // [B, 1200]
        var x = output.forward(h).sigmoid_();                                              // [B, C·H·W]
        return x.view(-1, Config.Channels, Config.Height, Config.Width).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// The conditional discriminator of Mirza &amp; Osindero (2014), section 4.1: x → maxout 240 × 5 and one-hot y → maxout
/// 50 × 5, joined → maxout 240 × 4 → one logit, with dropout on every layer's input (keep 0.8 on the image, 0.5 after).
/// y's maxout layer is an embedding lookup, as in <see cref="ConditionalMlpGenerator"/>; its inputs are one-hot, so
/// no dropout is put on them.
/// </summary>
internal sealed class ConditionalMlpDiscriminator : Discriminator
{
    private readonly Maxout fromImage, joint;
    private readonly Embedding fromLabel;          // [K, 50·5]: the one-hot maxout layer's weights, a row per class
    private readonly Parameter labelBias;          // [50·5]
    private readonly Linear output;
    private readonly SeededDropout inputDropout, hiddenDropout;
    private readonly int labelUnits, pieces;

    /// <summary>Builds and initialises the discriminator (weights U(±DiscriminatorInitRange), biases 0).</summary>
    public ConditionalMlpDiscriminator(ConditionalMlpModelConfig config, torch.Generator? rng = null) : base("conditional_discriminator", config)
    {
        foreach (var problem in config.Problems()) throw new InputException(problem);
        if (config.Classes < 1) throw new InputException("a conditional discriminator needs the number of classes (taken from the training labels)");
        labelUnits = config.DiscriminatorLabelUnits;
        pieces = config.DiscriminatorPieces;
        fromImage = new Maxout((long)config.Channels * config.Height * config.Width, config.DiscriminatorImageUnits, pieces);
        fromLabel = nn.Embedding(config.Classes, (long)labelUnits * pieces);
        labelBias = nn.Parameter(zeros((long)labelUnits * pieces));
        joint = new Maxout(config.DiscriminatorImageUnits + labelUnits, config.DiscriminatorJointUnits, config.DiscriminatorJointPieces);
        output = nn.Linear(config.DiscriminatorJointUnits, 1);
        inputDropout = new SeededDropout(config.DiscriminatorInputKeep);
        hiddenDropout = new SeededDropout(config.DiscriminatorHiddenKeep);
        RegisterComponents();
        using var _ = no_grad();
        double r = config.DiscriminatorInitRange;
        foreach (var affine in new[] { fromImage.Affine, joint.Affine, output })
        {
            affine.weight.uniform_(-r, r, rng);
            nn.init.zeros_(affine.bias!);
        }
        fromLabel.weight!.uniform_(-r, r, rng);
    }

    /// <inheritdoc/>
    public override torch.Generator? Rng
    {
        get => inputDropout.Rng;
        set { inputDropout.Rng = value; hiddenDropout.Rng = value; }
    }

    /// <summary>Dropout masks are drawn per element: each image's output depends on that image (and its label) alone.</summary>
    public override bool ImagesIndependent => true;

    /// <summary>images [B, C, H, W] and labels [B] → logits [B].</summary>
    public override Tensor forward(Tensor x, Tensor? labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        using var scope = NewDisposeScope();
        var hx = fromImage.forward(inputDropout.forward(x.flatten(1)));                       // [B, 240]
        var hy = fromLabel.forward(labels).add_(labelBias).view(-1, labelUnits, pieces).amax(2);  // [B, 50]: maxout of y
        var h = joint.forward(hiddenDropout.forward(cat([hx, hy], 1)));                       // [B, 240]
        var logit = output.forward(hiddenDropout.forward(h));                                 // [B, 1]
        return logit.squeeze(1).MoveToOuterDisposeScope();                                    // [B]
    }
}
