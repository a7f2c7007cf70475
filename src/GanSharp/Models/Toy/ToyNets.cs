using GanSharp.Configuration;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GanSharp.Models;

/// <summary>Initialisation shared by the toy nets: PyTorch's default ranges, U(±1/√fan_in), from an explicit generator.</summary>
static class ToyInit
{
    public static void Uniform(IEnumerable<Linear> layers, torch.Generator? rng)
    {
        using var _ = no_grad();
        foreach (var layer in layers)
        {
            double bound = 1 / Math.Sqrt(layer.weight!.shape[1]);
            layer.weight.uniform_(-bound, bound, rng);
            layer.bias!.uniform_(-bound, bound, rng);
        }
    }
}

/// <summary>
/// A small generator for points in ℝᵈ (d = <see cref="ModelConfig.Width"/>): z → ReLU (or tanh) layers → a linear output,
/// shaped <c>[B, 1, 1, d]</c> so that points travel through the same code as images.
/// </summary>
internal sealed class ToyGenerator : Generator
{
    private readonly ModuleList<Linear> layers = new();
    private readonly Activation activation;

    /// <summary>Builds the MLP NoiseDim → GeneratorHidden… → Width.</summary>
    public ToyGenerator(ToyModelConfig config, torch.Generator? rng = null) : base("toy_generator", config)
    {
        activation = config.GeneratorActivation;
        long width = config.NoiseDim;
        foreach (var h in config.GeneratorHidden) { layers.Add(nn.Linear(width, h)); width = h; }
        layers.Add(nn.Linear(width, config.Width));
        RegisterComponents();
        ToyInit.Uniform(layers, rng);
    }

    /// <summary>z [B, NoiseDim] → points [B, 1, 1, d].</summary>
    public override Tensor forward(Tensor z, Tensor? labels)
    {
        using var scope = NewDisposeScope();
        var h = z;
        for (int i = 0; i < layers.Count - 1; i++)
            h = activation == Activation.Tanh ? layers[i].forward(h).tanh_() : layers[i].forward(h).relu_();  // [B, hidden]
        return layers[^1].forward(h).view(-1, 1, 1, Config.Width).MoveToOuterDisposeScope();
    }
}

/// <summary>A small discriminator for points in ℝᵈ: DiscriminatorLayers leaky-ReLU (0.2) layers of DiscriminatorUnits, then a logit.</summary>
internal sealed class ToyDiscriminator : Discriminator
{
    private readonly ModuleList<Linear> layers = new();

    /// <summary>Builds the MLP Width → DiscriminatorUnits (× DiscriminatorLayers) → 1.</summary>
    public ToyDiscriminator(ToyModelConfig config, torch.Generator? rng = null) : base("toy_discriminator", config)
    {
        long width = config.Width;
        for (int i = 0; i < config.DiscriminatorLayers; i++) { layers.Add(nn.Linear(width, config.DiscriminatorUnits)); width = config.DiscriminatorUnits; }
        layers.Add(nn.Linear(width, 1));
        RegisterComponents();
        ToyInit.Uniform(layers, rng);
    }

    /// <summary>No batch statistics: each point's output depends on that point alone.</summary>
    public override bool ImagesIndependent => true;

    /// <summary>points [B, 1, 1, d] → logits [B].</summary>
    public override Tensor forward(Tensor x, Tensor? labels)
    {
        using var scope = NewDisposeScope();
        var h = x.flatten(1);                                                          // [B, d]
        for (int i = 0; i < layers.Count - 1; i++) h = nn.functional.leaky_relu(layers[i].forward(h), 0.2);
        return layers[^1].forward(h).squeeze(1).MoveToOuterDisposeScope();           // [B]
    }
}
