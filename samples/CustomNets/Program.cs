using GanSharp.Configuration;
using GanSharp.Data;
using GanSharp.Games;
using GanSharp.Losses;
using GanSharp.Models;
using GanSharp.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Generator = GanSharp.Models.Generator;

using var data = DatasetLoader.Load("mnist");               // fetched and verified on first use
var config = new GanConfig
{
    Model = new CustomModelConfig { Architecture = "linear", NoiseDim = 64, Height = 28, Width = 28 },
    Train = new TrainConfig { Batch = 64, Seed = 1, Device = "cpu", Steps = 300 },
    Optimizer = OptimizerConfig.DcganAdam,
    Output = new OutputConfig { SampleEvery = 100, CheckpointEvery = 100 },
};
var mine = new GameBuilder((c, rng, images, device) =>        // called at the start and on every resume
    new Algorithm1(new MyGenerator(c.Model), new MyCritic(c.Model), new Hinge(), new Algorithm1Config { K = 1 }, c.Optimizer, c.Optimizer),
    c => new MyGenerator(c));
using (var run = TrainingRun.Start(config, "runs/mine", data.Train, mine))
    run.Run();                                               // metrics.jsonl, samples/, checkpoints/, tb/: as gan train writes
using var g = Generator.Load("runs/mine", c => new MyGenerator(c));  // GanSharp cannot rebuild your net: say how
using var images = g.Sample(16);
Console.WriteLine($"trained {Checkpoint.Read("runs/mine/checkpoints/last.ckpt").Step} steps; samples {string.Join("×", images.shape)}");

/// <summary>G: one linear layer and a sigmoid, z → 28×28 pixels in [0, 1].</summary>
sealed class MyGenerator : Generator
{
    private readonly Linear layer;

    public MyGenerator(ModelConfig c) : base("my_g", c)
    {
        layer = nn.Linear(c.NoiseDim, c.Channels * c.Height * c.Width);
        RegisterComponents();
    }

    public override Tensor forward(Tensor z, Tensor? labels) => layer.forward(z).sigmoid().view(-1, Config.Channels, Config.Height, Config.Width);
}

/// <summary>D: one linear layer on the flattened image; a critic's score, not a probability.</summary>
sealed class MyCritic : Discriminator
{
    private readonly Linear layer;

    public MyCritic(ModelConfig c) : base("my_d", c)
    {
        layer = nn.Linear(c.Channels * c.Height * c.Width, 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x, Tensor? labels) => layer.forward(x.flatten(1)).squeeze(1);
}

/// <summary>The hinge loss on the critic's scores.</summary>
sealed class Hinge : IAdversarialLoss
{
    public Tensor Discriminator(Tensor real, Tensor fake) => nn.functional.relu(1 - real).mean() + nn.functional.relu(1 + fake).mean();
    public Tensor Generator(Tensor fake) => -fake.mean();
    public bool OutputsAreLogits => false;
}
