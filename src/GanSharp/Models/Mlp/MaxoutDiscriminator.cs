using GanSharp.Configuration;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GanSharp.Models;

/// <summary>
/// The paper's discriminator: maxout layers with dropout on every layer's input (keep 0.8 on the image, 0.5 after),
/// then a single logit (MNIST: 784 → maxout 240×5 → maxout 240×5 → 1).
/// </summary>
internal sealed class MaxoutDiscriminator : Discriminator
{
    private readonly ModuleList<SeededDropout> dropouts = new();
    private readonly ModuleList<Maxout> layers = new();
    private readonly Linear output;

    /// <summary>Builds and initialises the maxout discriminator (weights U(±DiscriminatorInitRange), biases 0).</summary>
    public MaxoutDiscriminator(PaperModelConfig config, torch.Generator? rng = null) : base("discriminator", config)
    {
        long width = (long)config.Channels * config.Height * config.Width;
        for (int i = 0; i < config.DiscriminatorLayers; i++)
        {
            dropouts.Add(new SeededDropout(i == 0 ? config.DiscriminatorInputKeep : config.DiscriminatorHiddenKeep));
            layers.Add(new Maxout(width, config.DiscriminatorUnits, config.DiscriminatorPieces));
            width = config.DiscriminatorUnits;
        }
        dropouts.Add(new SeededDropout(config.DiscriminatorLayers == 0 ? config.DiscriminatorInputKeep : config.DiscriminatorHiddenKeep));
        output = nn.Linear(width, 1);
        RegisterComponents();
        using var _ = no_grad();
        foreach (var affine in layers.Select(l => l.Affine).Append(output))
        {
            affine.weight.uniform_(-config.DiscriminatorInitRange, config.DiscriminatorInitRange, rng);  // nn.init.uniform_ ignores its generator (TorchSharp 0.107)
            nn.init.zeros_(affine.bias!);
        }
    }

    /// <inheritdoc/>
    public override torch.Generator? Rng
    {
        get => dropouts[0].Rng;
        set { foreach (var d in dropouts) d.Rng = value; }
    }

    /// <summary>Dropout masks are drawn per element, so each image's output depends on that image alone.</summary>
    public override bool ImagesIndependent => true;

    /// <summary>images [B, C, H, W] → logits [B].</summary>
    public override Tensor forward(Tensor x, Tensor? labels)
    {
        using var scope = NewDisposeScope();
        var h = x.flatten(1);                                          // [B, C·H·W]
        for (int i = 0; i < layers.Count; i++)
            h = layers[i].forward(dropouts[i].forward(h));             // [B, units]
        var logit = output.forward(dropouts[layers.Count].forward(h)); // [B, 1]
        return logit.squeeze(1).MoveToOuterDisposeScope();            // [B]
    }
}
