using GanSharp.Configuration;
using GanSharp.Data;
using GanSharp.Games;
using GanSharp.Losses;
using GanSharp.Models;
using GanSharp.Training;
using static GanSharp.Tests.TestSupport;
using static TorchSharp.torch;

namespace GanSharp.Tests;

/// <summary>The cycle-consistent game: its loss terms against an independent computation, its order, its pools in resume.</summary>
public class CycleGanGameTests
{
    /// <summary>T(x) = a·x + b per pixel: a translator whose outputs a test computes by hand.</summary>
    sealed class AffineTranslator : Translator
    {
        private readonly TorchSharp.Modules.Parameter a, b;
        public AffineTranslator(float scale, float shift) : base("affine")
        {
            a = new TorchSharp.Modules.Parameter(tensor(scale));
            b = new TorchSharp.Modules.Parameter(tensor(shift));
            RegisterComponents();
        }
        public override Tensor forward(Tensor x) => x * a + b;
    }

    /// <summary>D(x) = w · (each image's mean over a 2×2 grid of patches) + c: outputs [B, 4], one per patch.</summary>
    sealed class PatchMean : nn.Module<Tensor, Tensor>
    {
        private readonly TorchSharp.Modules.Parameter w, c;
        public PatchMean(float weight, float bias) : base("patch_mean")
        {
            w = new TorchSharp.Modules.Parameter(tensor(weight));
            c = new TorchSharp.Modules.Parameter(tensor(bias));
            RegisterComponents();
        }
        public override Tensor forward(Tensor x) => nn.functional.avg_pool2d(x.mean([1], keepdim: true), 2).flatten(1) * w + c;
    }

    static (CycleConsistentGan Game, StepContext Context) Game(CycleConsistentConfig config, Tensor x, Tensor y, EmaConfig? average = null)
    {
        var domains = new TwoDomains(new ImageDataset("x", x.clone()), new ImageDataset("y", y.clone()));
        var optimizer = new OptimizerConfig { Kind = OptimizerKind.Sgd, LearningRate = 0.1, MomentumStart = 0, MomentumEnd = 0, Schedule = ExponentialDecay.Constant };
        var game = new CycleConsistentGan(new AffineTranslator(0.8f, 0.1f), new AffineTranslator(1.1f, -0.05f), new PatchMean(2f, -0.5f), new PatchMean(-1f, 0.7f),
                                          new LeastSquares(), config, optimizer, optimizer, domains, average, () => new AffineTranslator(0, 0));
        return (game, new StepContext(new FixedBatch(x, y), new TorchSharp.torch.Generator(5)));
    }

    sealed class FixedBatch(Tensor x, Tensor y) : IBatchSource
    {
        public int BatchSize => (int)x.shape[0];
        public Batch Next() { Taken++; return new Batch(x, Other: y); }
        public long Taken { get; private set; }
    }

    [Fact]
    public void Each_loss_term_is_the_papers_formula_on_the_nets_before_the_step()
    {
        using var rng = new TorchSharp.torch.Generator(2);
        var x = rand([3, 3, 4, 4], generator: rng);
        var y = rand([3, 3, 4, 4], generator: rng);
        var (game, context) = Game(new CycleConsistentConfig { CycleWeight = 10, IdentityWeight = 0.5, PoolSize = 0 }, x, y);
        using var _ = game;

        // By hand, from the nets' definitions: G(x) = 0.8x + 0.1, F(y) = 1.1y − 0.05; D_X = 2·patch mean − 0.5, D_Y = −patch mean + 0.7.
        Tensor G(Tensor t) => t * 0.8 + 0.1;
        Tensor F(Tensor t) => t * 1.1 - 0.05;
        Tensor Patches(Tensor t) => nn.functional.avg_pool2d(t.mean([1], keepdim: true), 2).flatten(1);
        Tensor DX(Tensor t) => Patches(t) * 2 - 0.5;
        Tensor DY(Tensor t) => -Patches(t) + 0.7;
        double Mean(Tensor t) => t.mean().item<float>();
        double ganG = 0.5 * Mean((DY(G(x)) - 1).square()), ganF = 0.5 * Mean((DX(F(y)) - 1).square());        // Mao et al.'s ½(D − 1)²
        double cycle = Mean((F(G(x)) - x).abs()) + Mean((G(F(y)) - y).abs());
        double identity = Mean((G(y) - y).abs()) + Mean((F(x) - x).abs());
        double dY = 0.5 * (0.5 * Mean((DY(y) - 1).square()) + 0.5 * Mean(DY(G(x)).square()));                 // each D loss halved
        double dX = 0.5 * (0.5 * Mean((DX(x) - 1).square()) + 0.5 * Mean(DX(F(y)).square()));

        var s = game.Step(context);
        Assert.Equal(["d_loss", "g_loss", "d_x_loss", "d_y_loss", "gan_x_to_y", "gan_y_to_x", "cycle_l1", "identity_l1"], s.Keys);
        Assert.Equal(ganG, s["gan_x_to_y"], 5);
        Assert.Equal(ganF, s["gan_y_to_x"], 5);
        Assert.Equal(cycle, s["cycle_l1"], 5);
        Assert.Equal(identity, s["identity_l1"], 5);
        Assert.Equal(ganG + ganF + 10 * cycle + 0.5 * 10 * identity, s["g_loss"], 4);
        Assert.Equal(dX, s["d_x_loss"], 5);   // on F's images from before the translators stepped: one forward pass serves both updates
        Assert.Equal(dY, s["d_y_loss"], 5);
        Assert.Equal(dX + dY, s["d_loss"], 5);
    }

    [Fact]
    public void Cycle_noise_perturbs_each_translation_on_its_way_back_with_draws_of_the_runs_generator()
    {
        using var rng = new TorchSharp.torch.Generator(2);
        var x = rand([3, 3, 4, 4], generator: rng);
        var y = rand([3, 3, 4, 4], generator: rng);
        var (game, context) = Game(new CycleConsistentConfig { PoolSize = 0, CycleNoise = 0.1 }, x, y);
        using var _ = game;
        using var draws = new TorchSharp.torch.Generator(5);                                 // the step's generator, seeded alike: its first two draws
        var e = randn(x.shape, generator: draws);
        var e2 = randn(y.shape, generator: draws);
        Tensor G(Tensor t) => t * 0.8 + 0.1;
        Tensor F(Tensor t) => t * 1.1 - 0.05;
        double Mean(Tensor t) => t.mean().item<float>();
        double noisy = Mean((F(G(x) + 0.1 * e) - x).abs()) + Mean((G(F(y) + 0.1 * e2) - y).abs());
        double clean = Mean((F(G(x)) - x).abs()) + Mean((G(F(y)) - y).abs());
        var s = game.Step(context);
        Assert.Equal(noisy, s["cycle_l1"], 5);
        Assert.True(Math.Abs(noisy - clean) > 1e-3);
        var config = new CycleConsistentConfig { CycleNoise = 0.1 };
        Assert.Contains("cycle noise σ 0.1", config.Summary);
        Assert.DoesNotContain("cycle-noise", System.Text.Json.JsonSerializer.Serialize<GameConfig>(new CycleConsistentConfig(), GanConfig.Json));
        Assert.Contains("cycle-noise must be a standard deviation", Assert.Single((config with { CycleNoise = -0.1 }).Problems()));
    }

    [Fact]
    public void Translators_step_with_the_discriminators_frozen_and_identity_zero_skips_its_term()
    {
        using var rng = new TorchSharp.torch.Generator(4);
        var x = rand([2, 3, 4, 4], generator: rng);
        var y = rand([2, 3, 4, 4], generator: rng);
        var (game, context) = Game(new CycleConsistentConfig { IdentityWeight = 0, PoolSize = 0 }, x, y);
        using var _ = game;
        var dBefore = Snapshot(game.DX).Concat(Snapshot(game.DY)).ToArray();
        var gBefore = Snapshot(game.G);
        // The discriminators' step alone (their own loss, by hand) must explain their new weights: a copy of each D
        // descended on that loss by the same SGD step lands on the same weights.
        var expected = new[] { (game.DX, x, game.F.forward(y).detach()), (game.DY, y, game.G.forward(x).detach()) }.Select(t =>
        {
            var (d, real, fake) = t;
            var copy = new PatchMean(0, 0);
            copy.load_state_dict(d.state_dict());
            var loss = 0.5 * new LeastSquares().Discriminator(copy.forward(real), copy.forward(fake));
            loss.backward();
            using (no_grad()) foreach (var p in copy.parameters()) p.sub_(p.grad! * 0.1);
            return Snapshot(copy);
        }).SelectMany(a => a).ToArray();

        var s = game.Step(context);
        Assert.Equal(0, s["identity_l1"]);
        Assert.Equal(s["gan_x_to_y"] + s["gan_y_to_x"] + 10 * s["cycle_l1"], s["g_loss"], 4);
        Assert.False(Same(gBefore, Snapshot(game.G)));
        var dAfter = Snapshot(game.DX).Concat(Snapshot(game.DY)).ToArray();
        Assert.False(Same(dBefore, dAfter));
        for (int i = 0; i < dAfter.Length; i++) Assert.Equal(expected[i].item<float>(), dAfter[i].item<float>(), 5);
    }

    [Fact]
    public void With_ema_the_game_keeps_each_translators_moving_average_and_translates_with_it()
    {
        using var rng = new TorchSharp.torch.Generator(3);
        var x = rand([2, 3, 4, 4], generator: rng);
        var y = rand([2, 3, 4, 4], generator: rng);
        var (game, context) = Game(new CycleConsistentConfig { PoolSize = 0 }, x, y, new EmaConfig { Beta = 0.9, Warmup = true });
        using var _ = game;
        Assert.True(game.AveragesItsPlayers);
        Assert.Equal(["generator-x-to-y", "generator-y-to-x", "discriminator-x", "discriminator-y", "generator-x-to-y-ema", "generator-y-to-x-ema"],
                     game.Players.Select(p => p.Name));
        // θ_avg starts as θ; after the t-th update θ_avg ← β_t θ_avg + (1 − β_t) θ, β_t = min(0.9, (1 + t)/(10 + t)).
        var expected = Snapshot(game.G).Concat(Snapshot(game.F)).Select(t => (double)t.item<float>()).ToArray();
        Assert.Equal([0.8, 0.1, 1.1, -0.05], expected.Select(v => Math.Round(v, 6)));
        for (int t = 1; t <= 3; t++)
        {
            game.Step(context);
            double beta = Math.Min(0.9, (1.0 + t) / (10.0 + t));
            var now = Snapshot(game.G).Concat(Snapshot(game.F)).Select(v => (double)v.item<float>()).ToArray();
            for (int i = 0; i < expected.Length; i++) expected[i] = beta * expected[i] + (1 - beta) * now[i];
            var average = Snapshot(game.AverageG!).Concat(Snapshot(game.AverageF!)).Select(v => (double)v.item<float>()).ToArray();
            for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], average[i], 5);
            Assert.False(now.SequenceEqual(average));
        }
        Assert.Same(game.AverageG, game.Product("cycle-consistent").Translation(TranslationDirection.XToY, "a test"));
        Assert.Same(game.AverageF, game.Product("cycle-consistent").Translation(TranslationDirection.YToX, "a test"));
        Assert.Same(game.G, game.Product("cycle-consistent", trainedWeights: true).Translation(TranslationDirection.XToY, "a test"));
        Assert.All(game.AverageG!.parameters(), p => Assert.False(p.requires_grad));
        Assert.False(game.AverageG!.training);
    }

    static GanConfig Small(int steps) => Presets.CycleganEmoji with
    {
        Model = new CycleGanModelConfig { GeneratorFeatures = 2, ResidualBlocks = 1, DiscriminatorFeatures = 2, DiscriminatorLayers = 1 },
        Data = new TwoDomainsConfig { X = new DataConfig { Dataset = "x" }, Y = new DataConfig { Dataset = "y" } },
        Game = new CycleConsistentConfig { PoolSize = 3 },
        Train = new TrainConfig { Batch = 2, Steps = steps, Seed = 8, Threads = 1, Device = "cpu" },
        Output = new OutputConfig { LogEvery = 1, SampleEvery = 3, CheckpointEvery = 3, SampleCount = 12, TensorBoard = false },
    };

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, true)]     // the preset's kind of nets: U-Nets with averages, discriminators of one layer
    public void A_resumed_run_continues_exactly_with_its_pools_and_reloads_both_translators(bool ema, bool unet)
    {
        var config = Small(7) with { Ema = ema ? new EmaConfig { Beta = 0.5 } : null };
        if (unet)
            config = config with
            {
                Model = new CycleGanModelConfig
                {
                    Translator = CycleGanTranslator.Unet, GeneratorFeatures = 2, ResidualBlocks = 0, Downsamplings = 2,
                    DiscriminatorFeatures = 2, DiscriminatorLayers = 1,
                },
            };
        using var rng = new TorchSharp.torch.Generator(6);
        using var xSet = new ImageDataset("x", rand([9, 3, 8, 8], generator: rng));
        using var ySet = new ImageDataset("y", rand([7, 3, 8, 8], generator: rng).pow(2));
        string straight = Path.Combine(TempFolder(), "straight"), resumed = Path.Combine(TempFolder(), "resumed");
        using (var run = TrainingRun.Start(config, straight, new TwoDomains(xSet, ySet))) run.Run();
        using (var run = TrainingRun.Start(config, resumed, new TwoDomains(xSet, ySet)))    // interrupted at 4: its checkpoint holds filled pools
        {
            using var interrupt = new CancellationTokenSource();
            Assert.Equal(RunOutcome.Interrupted, run.Run(interrupt.Token, new StopAt(4, interrupt)));
            var game = (CycleConsistentGan)run.Trainer.Game;
            Assert.Equal(game.PoolX.Capacity, game.PoolX.Count);
            Assert.Equal(game.PoolY.Capacity, game.PoolY.Count);
        }
        using (var run = TrainingRun.Resume(resumed, new TwoDomains(xSet, ySet))) run.Run();

        Assert.Equal(File.ReadAllLines(Path.Combine(straight, "metrics.jsonl")).Select(WithoutTimes),
                     File.ReadAllLines(Path.Combine(resumed, "metrics.jsonl")).Select(WithoutTimes));
        Assert.Equal(File.ReadAllBytes(Path.Combine(straight, "samples", "last.png")), File.ReadAllBytes(Path.Combine(resumed, "samples", "last.png")));
        var a = Checkpoint.Read(new RunDirectory(straight).LastCheckpointPath);
        var b = Checkpoint.Read(new RunDirectory(resumed).LastCheckpointPath);
        Assert.Equal(["generator-x-to-y", "generator-y-to-x", "discriminator-x", "discriminator-y",
                      .. ema ? new[] { "generator-x-to-y-ema", "generator-y-to-x-ema" } : [],
                      "generators-optimizer", "discriminators-optimizer", "rng", "pool-x", "pool-y"],
                     a.Sections.Keys);
        Assert.Equal(ema, a.HasEma);
        foreach (var name in a.Sections.Keys) Assert.True(a.Section(name).AsSpan().SequenceEqual(b.Section(name)), name);

        // Both directions load from the checkpoint, as C# callers and `gan translate` load them: the averages where the
        // run kept them, the trained weights when asked.
        using var loaded = GameFactory.LoadProduct(a);
        using var loadedTrained = GameFactory.LoadProduct(a, new ProductOptions(TrainedWeights: true));
        using var trained = TrainingRun.Resume(straight, new TwoDomains(xSet, ySet));
        foreach (var direction in new[] { TranslationDirection.XToY, TranslationDirection.YToX })
        {
            using var mine = loaded.Product.Translation(direction, "a test").Translate(xSet.Images);
            using var theirs = trained.Trainer.Product.Translation(direction, "a test").Translate(xSet.Images);
            Assert.True(Equal(mine, theirs));
            using var mineTrained = loadedTrained.Product.Translation(direction, "a test").Translate(xSet.Images);
            using var theirsTrained = trained.Trainer.TrainedProduct.Translation(direction, "a test").Translate(xSet.Images);
            Assert.True(Equal(mineTrained, theirsTrained));
            Assert.Equal(!ema, Equal(mine, mineTrained));
        }
        Assert.Contains("needs samples from noise; the cycle-consistent game supplies translations x-to-y and y-to-x",
                        Assert.Throws<InputException>(() => loaded.Product.Samples("gan sample")).Message);
    }


    [Fact]
    public void The_game_refuses_what_it_cannot_play_in_one_line()
    {
        var config = Small(2);
        Assert.Empty(config.Problems());
        Assert.Contains("the cycle-consistent game translates between two domains, not mnist",
                        Assert.Single((config with { Data = new DataConfig() }).Problems()));
        Assert.Contains("game cycle-consistent needs translating nets (model kind cyclegan), not dcgan",
                        Assert.Single((config with { Model = new DcganModelConfig { Channels = 3 } }).Problems(), p => p.Contains("needs translating")));
        Assert.Contains("a model of kind cyclegan is trained by the cycle-consistent game, not algorithm1",
                        Assert.Single((config with { Game = new Algorithm1Config() }).Problems(), p => p.Contains("trained by")));
        Assert.Empty((config with { Ema = new EmaConfig() }).Problems());   // the game averages both translators
        Assert.Contains("eval: 'parzen' measures samples from noise, and the cyclegan model's nets translate images",
                        Assert.Single((config with { Output = config.Output with { EvalEvery = 5 } }).Problems()));
        Assert.Contains("split emoji-pairs pairs the two emoji styles",
                        Assert.Single((config with { Data = ((TwoDomainsConfig)config.Data) with { Split = DomainSplit.EmojiPairs } }).Problems()));
        Assert.Contains("cycle-weight must be a weight", Assert.Single((config with { Game = new CycleConsistentConfig { CycleWeight = -1 } }).Problems()));
        var model = (CycleGanModelConfig)config.Model;
        Assert.Contains("sides must be multiples of 4", Assert.Single((config with { Model = model with { Height = 30, Width = 30 } }).Problems()));
        Assert.Contains("leave no patch of 8×8 images", Assert.Single((config with { Model = model with { Height = 8, Width = 8, DiscriminatorLayers = 3 } }).Problems()));
        // No noise settings in a translator's configuration, and none accepted.
        Assert.DoesNotContain("noise", config.ToJson());
        Assert.Contains("model: a cyclegan model's translators map images to images and draw no noise",
                        Assert.Single(GanConfig.Overlay(config, """{"model": {"noise-dim": 5}}""", "c.json").Problems()));
    }
}
