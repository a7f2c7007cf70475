using GanSharp.Configuration;
using GanSharp.Data;
using GanSharp.Experiments;
using GanSharp.Training;
using static GanSharp.Tests.TestSupport;
using static TorchSharp.torch;

namespace GanSharp.Tests;

/// <summary>Algorithm 1: order, k, which parameters each update touches, and the simultaneous variant.</summary>
public class TrainerTests
{
    [Fact]
    public void A_discriminator_update_changes_D_only()
    {
        using var images = TinySet();
        using var t = new Trainer(Tiny(), images);
        var g0 = Snapshot(t.G); var d0 = Snapshot(Alg(t).D);
        Alg(t).DiscriminatorStep(t.Context);
        Assert.True(Same(g0, Snapshot(t.G)));
        Assert.False(Same(d0, Snapshot(Alg(t).D)));
        Assert.Equal(1, t.DataBatches);
    }

    [Fact]
    public void A_generator_update_changes_G_only_and_leaves_D_trainable()
    {
        using var images = TinySet();
        using var t = new Trainer(Tiny(), images);
        var g0 = Snapshot(t.G); var d0 = Snapshot(Alg(t).D);
        Alg(t).GeneratorStep(t.Context);
        Assert.False(Same(g0, Snapshot(t.G)));
        Assert.True(Same(d0, Snapshot(Alg(t).D)));
        Assert.All(Alg(t).D.parameters(), p => Assert.True(p.requires_grad));
        Assert.Equal(0, t.DataBatches);  // the generator update uses noise only
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void An_iteration_is_k_discriminator_updates_then_one_generator_update(int k)
    {
        using var images = TinySet();
        // A constant learning rate: TrainStep applies the schedule, the hand-made iterations below do not.
        var config = Tiny(k) with { Optimizer = new OptimizerConfig { Schedule = ExponentialDecay.Constant } };
        using var a = new Trainer(config, images);
        using var b = new Trainer(config, images);
        using var c = new Trainer(config, images);
        for (int s = 0; s < 3; s++)
        {
            a.TrainStep();
            for (int i = 0; i < k; i++) Alg(b).DiscriminatorStep(b.Context);   // the same updates by hand, in Algorithm 1's order
            Alg(b).GeneratorStep(b.Context);
            Alg(c).GeneratorStep(c.Context);                                    // and in the wrong order
            for (int i = 0; i < k; i++) Alg(c).DiscriminatorStep(c.Context);
        }
        Assert.Equal(3 * k, a.DataBatches);
        Assert.Equal(3, a.Step);
        Assert.True(Same(Snapshot(a.G), Snapshot(b.G)) && Same(Snapshot(Alg(a).D), Snapshot(Alg(b).D)));
        Assert.False(Same(Snapshot(a.G), Snapshot(c.G)));
    }

    [Fact]
    public void Simultaneous_updates_take_both_gradients_at_the_same_parameters()
    {
        using var images = TinySet();
        using var sim = new Trainer(Tiny(simultaneous: true), images);
        using var alt = new Trainer(Tiny(), images);
        var game = (Games.SimultaneousUpdates)sim.Game;
        var g0 = Snapshot(sim.G); var d0 = Snapshot(game.D);
        var r = sim.TrainStep();
        Assert.Equal(1, sim.DataBatches);
        Assert.False(Same(g0, Snapshot(sim.G)));
        Assert.False(Same(d0, Snapshot(game.D)));
        Assert.True(double.IsFinite(r["d_loss"]) && double.IsFinite(r["g_loss"]));
        alt.TrainStep();
        Assert.False(Same(Snapshot(alt.G), Snapshot(sim.G)));  // a different algorithm, not a relabelling
    }

    [Fact]
    public void Algorithm_1_needs_at_least_one_discriminator_step()
    {
        using var data = TinySet();
        Assert.Contains("k must be at least 1", Assert.Throws<InputException>(() => new Trainer(Tiny(k: 0), data)).Message);
    }

    [Fact]
    public void The_schedules_reach_the_optimizer()
    {
        using var images = TinySet();
        var config = Tiny() with { Optimizer = new OptimizerConfig { LearningRate = 0.1, Schedule = new ExponentialDecay { Decay = 2, Min = 0.01 } } };
        using var t = new Trainer(config, images);
        Assert.Equal(0.1, t.LearningRate);
        t.TrainStep();
        Assert.Equal(0.05, t.LearningRate);
        for (int i = 0; i < 10; i++) t.TrainStep();
        Assert.Equal(0.01, t.LearningRate);  // the floor
    }

    [Fact]
    public void Adam_trains_too()
    {
        using var images = TinySet();
        using var t = new Trainer(Tiny(optimizer: OptimizerKind.Adam), images);
        var g0 = Snapshot(t.G);
        var r = t.TrainStep();
        Assert.False(Same(g0, Snapshot(t.G)));
        Assert.Equal(0.5, t.Momentum);  // reported as β₁
        Assert.True(double.IsFinite(r["g_loss"]));
    }

    [Fact]
    public void A_non_finite_loss_stops_training()
    {
        using var images = TinySet();
        using var t = new Trainer(Tiny(), images);
        using (no_grad()) Alg(t).D.parameters().First().fill_(float.NaN);
        Assert.Throws<TrainingDivergedException>(() => t.TrainStep());
    }
}

public class ScheduleTests
{
    static readonly OptimizerConfig Paper = Presets.PaperMnist.Optimizer;

    [Theory]
    [InlineData(0, 0.1)]
    [InlineData(1, 0.1 / 1.000004)]
    [InlineData(100_000, 0.06703206)]     // 0.1 · e^(−100000 · ln 1.000004)
    [InlineData(5_000_000, 1e-6)]         // the floor
    public void Learning_rate_decays_by_1_000004_per_minibatch(long step, double expected) =>
        Assert.Equal(expected, Schedules.LearningRate(Paper, step, totalSteps: 100), 7);   // the run's length does not enter

    [Theory]
    [InlineData(0, 2e-4)]
    [InlineData(500, 2e-4)]                 // held for the first half
    [InlineData(501, 2e-4 * (1 - 1.0 / 500))]
    [InlineData(750, 1e-4)]                 // half way down
    [InlineData(1000, 0)]                   // zero at the end
    public void A_linear_decay_holds_the_rate_then_falls_to_zero_at_the_runs_end(long step, double expected)
    {
        var cycleGan = OptimizerConfig.DcganAdam with { Schedule = new LinearDecay { Start = 0.5 } };
        Assert.Equal(expected, Schedules.LearningRate(cycleGan, step, totalSteps: 1000), 12);
    }

    [Fact]
    public void Schedules_are_typed_records_and_the_old_keys_still_read()
    {
        var old = GanConfig.Overlay(Presets.PaperMnist, """{ "optimizer": { "learning-rate-decay": 1.5, "min-learning-rate": 0.02 } }""", "old.json");
        Assert.Equal(new ExponentialDecay { Decay = 1.5, Min = 0.02 }, old.Optimizer.Schedule);
        var linear = GanConfig.Overlay(Presets.DcganMnist, """{ "optimizer": { "schedule": { "kind": "linear-decay", "start": 0.25 } } }""", "new.json");
        Assert.Equal(new LinearDecay { Start = 0.25 }, linear.Optimizer.Schedule);
        Assert.Contains("\"kind\": \"linear-decay\"", linear.ToJson());
        Assert.Contains("optimizer.schedule: unknown kind 'cosine' (known: exponential, linear-decay, step-decay)",
                        Assert.Throws<InputException>(() => GanConfig.Overlay(Presets.DcganMnist, """{ "optimizer": { "schedule": { "kind": "cosine" } } }""", "x.json")).Message);
        var budget = linear with { Train = linear.Train with { CpuMinutes = 5, Steps = null } };
        Assert.Contains("a linear-decay schedule needs the run's length in steps", Assert.Throws<InputException>(() => budget.Validate()).Message);
    }

    [Theory]
    [InlineData(0, 0.5)]
    [InlineData(1, 0.5)]
    [InlineData(125, 0.5 + 0.2 * 124 / 249)]
    [InlineData(250, 0.7)]
    [InlineData(1000, 0.7)]
    public void Momentum_rises_linearly_from_epoch_1_to_250(long epochs, double expected) =>
        Assert.Equal(expected, Schedules.Momentum(Paper, epochs), 12);
}

public class StepFlopsTests
{
    static double PerImage(GanConfig config)
    {
        using var data = new ImageDataset("random", rand(200, 1, 28, 28));
        using var t = new Trainer(config with { Train = config.Train with { Device = "cpu" } }, data);
        return StepFlops.PerImage(t.Game, config.Train.Batch);
    }

    static IReadOnlyList<MatrixProduct> Products(GanConfig config)
    {
        using var data = new ImageDataset("random", rand(200, 1, 28, 28));
        using var t = new Trainer(config with { Train = config.Train with { Device = "cpu" } }, data);
        return StepFlops.Products(t.Game, config.Train.Batch);
    }

    [Fact]
    public void The_paper_steps_flops_follow_from_its_layer_sizes()
    {
        // Products per image (inputs × outputs): G 100×1200, 1200×1200, 1200×784; D 784×1200 (maxout 240×5), 240×1200, 240×1.
        double g = 100 * 1200 + 1200 * 1200 + 1200 * 784, gInner = 1200 * 1200 + 1200 * 784;
        double d = 784 * 1200 + 240 * 1200 + 240, dInner = 240 * 1200 + 240;
        double dStep = g + 2 * d + 2 * d + 2 * dInner;   // G fwd; D fwd real+fake; D weight grads; D inner input grads
        double gStep = g + d + d + g + gInner;           // G fwd; D fwd; D input grads; G weight grads; G inner input grads
        Assert.Equal(2 * (dStep + gStep), PerImage(Presets.PaperMnist));
        var k3 = Presets.PaperMnist with { Game = new Algorithm1Config { K = 3 } };
        Assert.Equal(2 * (3 * dStep + gStep), PerImage(k3));
        // Simultaneous: G fwd, D fwd twice; G's loss back through D (all input grads) and G; D's loss back through
        // both halves (weight grads and inner input grads).
        var simultaneous = Presets.PaperMnist with { Game = new SimultaneousConfig() };
        Assert.Equal(2 * (g + 2 * d + d + g + gInner + 2 * d + 2 * dInner), PerImage(simultaneous));
    }

    [Fact]
    public void The_products_of_an_iteration_have_the_shapes_of_its_layers()
    {
        var products = Products(Presets.PaperMnist);
        // The first products: G's forward pass on m = 100 noise rows, then D's on 2m = 200 images.
        Assert.Equal(new MatrixProduct("G1", ProductRole.Forward, 100, 100, 1200), products[0]);
        Assert.Equal(new MatrixProduct("D1", ProductRole.Forward, 200, 784, 1200), products[3]);
        // D's first layer: a weight gradient ∂W [1200, 784] = gᵀ [1200, 200] · x [200, 784] in the D update, no input
        // gradient there; in the G update an input gradient [100, 784] and no weight gradient.
        Assert.Contains(new MatrixProduct("D1", ProductRole.WeightGradient, 1200, 200, 784), products);
        Assert.Single(products, p => p is { Layer: "D1", Role: ProductRole.WeightGradient });
        Assert.Equal(new MatrixProduct("D1", ProductRole.InputGradient, 100, 1200, 784),
                     Assert.Single(products, p => p is { Layer: "D1", Role: ProductRole.InputGradient }));
        Assert.DoesNotContain(products, p => p is { Layer: "G1", Role: ProductRole.InputGradient });  // z needs none
        Assert.Equal(3 + 3 + 5 + 3 + 3 + 3 + 5, products.Count);  // D update 11, G update 14
    }
}
