using GanSharp.Configuration;
using GanSharp.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GanSharp.Tests;

/// <summary>A user's critic, built through the public API: one linear layer on the flattened image.</summary>
sealed class LinearCritic : Discriminator
{
    /// <summary>The layer: D(x) = w · vec(x) + b.</summary>
    public readonly Linear Layer;

    public LinearCritic(ModelConfig config) : base("linear_critic", config)
    {
        Layer = nn.Linear(config.Channels * config.Height * config.Width, 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => Layer.forward(x.flatten(1)).squeeze(1);
}
