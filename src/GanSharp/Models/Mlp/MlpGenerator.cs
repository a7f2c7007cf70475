using GanSharp.Configuration;
using GanSharp.Data;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GanSharp.Models;

/// <summary>
/// The paper's generator: a multilayer perceptron with ReLU hidden layers and a sigmoid output layer
/// (MNIST: 100 → 1200 → 1200 → 784).
/// </summary>
internal sealed class MlpGenerator : Generator
{
    private readonly ModuleList<Linear> hidden = new();
    private readonly Linear output;
    private readonly PaperModelConfig config;

    /// <summary>Builds and initialises the MLP generator (weights U(±GeneratorInitRange), biases 0).</summary>
    public MlpGenerator(PaperModelConfig config, torch.Generator? rng = null) : base("generator", config)
    {
        this.config = config;
        long width = config.NoiseDim;
        foreach (var h in config.GeneratorHidden)
        {
            hidden.Add(nn.Linear(width, h));
            width = h;
        }
        output = nn.Linear(width, (long)config.Channels * config.Height * config.Width);
        RegisterComponents();
        using var _ = no_grad();
        foreach (var layer in hidden.Append(output))
        {
            layer.weight.uniform_(-config.GeneratorInitRange, config.GeneratorInitRange, rng);  // nn.init.uniform_ ignores its generator (TorchSharp 0.107)
            nn.init.zeros_(layer.bias!);
        }
    }

    /// <summary>
    /// With <see cref="PaperModelConfig.GeneratorOutputBiasFromData"/>: sets the output bias to logit(mean pixel) of
    /// <paramref name="train"/>'s images, clipped to [1e-7, 1 − 1e-7], so that the untrained generator already draws the
    /// average image (pylearn2's init_sigmoid_bias_from_marginals).
    /// </summary>
    public override void InitialiseFromData(ImageDataset train)
    {
        if (config.GeneratorOutputBiasFromData) SetOutputBiasFromData(output, train);
    }

    /// <summary>Sets a sigmoid output layer's bias to logit(mean pixel) of <paramref name="train"/>, clipped to [1e-7, 1 − 1e-7].</summary>
    internal static void SetOutputBiasFromData(Linear output, ImageDataset train)
    {
        var trainImages = train.Images;
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var mean = trainImages.flatten(1).mean([0]).clamp(1e-7, 1 - 1e-7);  // [C·H·W]
        output.bias!.copy_(mean.logit());
    }

    /// <summary>z [B, NoiseDim] → images [B, C, H, W] in [0, 1].</summary>
    public override Tensor forward(Tensor z, Tensor? labels)
    {
        using var scope = NewDisposeScope();
        var h = z;
        foreach (var layer in hidden) h = layer.forward(h).relu_();          // [B, 1200]; in place: addmm needs no output
        var x = output.forward(h).sigmoid_();                                 // [B, C·H·W]
        return x.view(-1, Config.Channels, Config.Height, Config.Width).MoveToOuterDisposeScope();
    }
}
