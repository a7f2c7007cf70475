using GanSharp.Configuration;
using GanSharp.Games;
using GanSharp.Losses;
using GanSharp.Models;
using GanSharp.Training;
using TorchSharp.Modules;
using static GanSharp.Tests.TestSupport;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;
using Generator = GanSharp.Models.Generator;

namespace GanSharp.Tests;

/// <summary>
/// What a C# user of the library does with nets and a loss of their own, through the public API only: train them with
/// Algorithm 1, checkpoint, reload the generator by giving its type, resume exactly.
/// </summary>
public class CustomNetsTests
{
    /// <summary>A user's generator: one linear layer and a sigmoid, 4×4 images.</summary>
    sealed class LinearGenerator : Generator
    {
        private readonly Linear layer;

        public LinearGenerator(ModelConfig config) : base("linear_generator", config)
        {
            layer = nn.Linear(config.NoiseDim, config.Channels * config.Height * config.Width);
            RegisterComponents();
        }

        public override Tensor forward(Tensor z, Tensor? labels) => layer.forward(z).sigmoid().view(-1, Config.Channels, Config.Height, Config.Width);
    }


    /// <summary>A user's loss: the hinge loss (D's outputs are scores, not logits).</summary>
    sealed class Hinge : IAdversarialLoss
    {
        public Tensor Discriminator(Tensor real, Tensor fake) => F.relu(1 - real).mean() + F.relu(1 + fake).mean();
        public Tensor Generator(Tensor fake) => -fake.mean();
        public bool OutputsAreLogits => false;
    }

    static GanConfig Config => new()
    {
        Preset = "custom",
        Model = new CustomModelConfig { Architecture = "linear", NoiseDim = 3, Height = 4, Width = 4 },
        Train = new TrainConfig { Batch = 5, Steps = 10, Seed = 11, Device = "cpu" },
        Optimizer = OptimizerConfig.DcganAdam with { LearningRate = 1e-2 },
    };

    static Trainer NewTrainer(Images data)
    {
        manual_seed(3);  // the user's nets initialise from libtorch's global generator
        var model = Config.Model;
        var game = new Algorithm1(new LinearGenerator(model), new LinearCritic(model), new Hinge(), new Algorithm1Config { K = 2 },
                                  Config.Optimizer, Config.Optimizer);
        return new Trainer(Config, data.Set, game);
    }

    sealed class Images : IDisposable
    {
        public GanSharp.Data.ImageDataset Set { get; } = TinySet();
        public void Dispose() => Set.Dispose();
    }

    [Fact]
    public void Nets_and_a_loss_of_ones_own_train_checkpoint_reload_and_resume()
    {
        using var data = new Images();
        using var straight = NewTrainer(data);
        var g0 = Snapshot(straight.G);
        var expected = Enumerable.Range(0, 6).Select(_ => Line(straight.TrainStep())).ToArray();
        Assert.False(Same(g0, Snapshot(straight.G)));
        Assert.StartsWith("d_loss=", expected[0]);
        Assert.Contains("d_out_real=", expected[0]);   // a critic's scores, not probabilities
        Assert.DoesNotContain("d_real=", expected[0]);

        // Checkpoint after three steps; a fresh game restored from it continues as the straight run did.
        using var first = NewTrainer(data);
        for (int i = 0; i < 3; i++) first.TrainStep();
        var path = Path.Combine(TempFolder(), "custom.ckpt");
        first.ToCheckpoint().Write(path);
        using var second = NewTrainer(data);
        second.Restore(Checkpoint.Read(path));
        Assert.Equal(expected[3..], Enumerable.Range(0, 3).Select(_ => Line(second.TrainStep())));

        // The generator reloads by giving its type; GanSharp cannot rebuild it alone.
        using var g = Generator.Load(path, config => new LinearGenerator(config));
        using var z = randn(4, 3);
        using var a = first.G.Generate(z);
        using var b = g.Generate(z);
        Assert.True(Equal(a, b));
        Assert.Equal("linear", Assert.IsType<CustomModelConfig>(Checkpoint.Read(path).Config.Model).Architecture);
        Assert.Contains("factory", Assert.Throws<InputException>(() => Generator.Load(path)).Message);
    }

    /// <summary>The user's game as a run builds it: initialised from the run's generator, so that a seed repeats it.</summary>
    static GameBuilder Builder => new((config, rng, _, device) =>
    {
        var g = new LinearGenerator(config.Model);
        var d = new LinearCritic(config.Model);
        using (no_grad())
            foreach (var p in g.parameters().Concat(d.parameters())) p.uniform_(-0.3, 0.3, generator: rng);
        return new Algorithm1(g, d, new Hinge(), new Algorithm1Config { K = 2 }, config.Optimizer, config.Optimizer);
    }, model => new LinearGenerator(model));

    [Fact]
    public void A_game_of_ones_own_trains_through_a_run_folder_and_resumes_exactly()
    {
        using var data = new Images();
        var config = Config with { Train = Config.Train with { Steps = 8 }, Output = new OutputConfig { LogEvery = 2, SampleEvery = 4, CheckpointEvery = 4 } };
        var straight = Path.Combine(TempFolder(), "straight");
        using (var run = TrainingRun.Start(config, straight, data.Set, Builder)) Assert.Equal(RunOutcome.Completed, run.Run());
        var resumed = Path.Combine(TempFolder(), "resumed");
        using (var run = TrainingRun.Start(config with { Train = config.Train with { Steps = 4 } }, resumed, data.Set, Builder)) run.Run();
        using (var run = TrainingRun.Resume(resumed, data.Set, t => t with { Steps = 8 }, Builder)) run.Run();

        var layout = new RunDirectory(straight);
        Assert.Equal([0L, 4, 8], layout.SampleGrids().Select(g => g.Step));
        string[] Rows(string folder) => MetricsFile.Read(new RunDirectory(folder).MetricsPath).Rows
            .Select(r => $"{r["step"]} {r["d_loss"]} {r["g_loss"]} {r["d_out_real"]}").ToArray();
        Assert.Equal(4, Rows(straight).Length);
        Assert.Equal(Rows(straight), Rows(resumed));
        Assert.Equal(Checkpoint.Read(layout.LastCheckpointPath).Section(Checkpoint.GeneratorSection),
                     Checkpoint.Read(new RunDirectory(resumed).LastCheckpointPath).Section(Checkpoint.GeneratorSection));
        using var g = Generator.Load(straight, model => new LinearGenerator(model));
        Assert.Equal([2L, 1, 4, 4], g.Sample(2).shape);
        Reports.RunReport.Write(straight);
        Assert.Contains("d_out_real", File.ReadAllText(layout.ReportPath));
    }
}
