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

    public override Tensor forward(Tensor x, Tensor? labels) => Layer.forward(x.flatten(1)).squeeze(1);
}

/// <summary>A user's generator with batch norm: z → linear (4 units) → batch norm → linear → sigmoid, as 1×4×4 images.</summary>
sealed class NormedGenerator : GanSharp.Models.Generator
{
    public readonly Linear First, Second;
    public readonly BatchNorm1d Norm;

    public NormedGenerator(ModelConfig config) : base("normed_generator", config)
    {
        First = nn.Linear(config.NoiseDim, 4);
        Norm = nn.BatchNorm1d(4);
        Second = nn.Linear(4, config.Channels * config.Height * config.Width);
        RegisterComponents();
    }

    public override Tensor forward(Tensor z, Tensor? labels) =>
        Second.forward(Norm.forward(First.forward(z))).sigmoid().view(-1, Config.Channels, Config.Height, Config.Width);
}

/// <summary>A one-layer generator that draws samples three at a time.</summary>
sealed class ChunkedGenerator : GanSharp.Models.Generator
{
    public readonly Linear Layer;

    public ChunkedGenerator(ModelConfig config) : base("chunked_generator", config)
    {
        Layer = nn.Linear(config.NoiseDim, config.Channels * config.Height * config.Width);
        RegisterComponents();
    }

    protected override long SampleChunk => 3;

    public override Tensor forward(Tensor z, Tensor? labels) => Layer.forward(z).sigmoid().view(-1, Config.Channels, Config.Height, Config.Width);
}
