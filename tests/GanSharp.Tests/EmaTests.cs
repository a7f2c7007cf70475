using GanSharp.Configuration;
using GanSharp.Models;
using GanSharp.Training;
using static GanSharp.Tests.TestSupport;
using static TorchSharp.torch;
using Generator = GanSharp.Models.Generator;

namespace GanSharp.Tests;

/// <summary>The moving average of G's weights: its update against the formula, its checkpoint section, its use.</summary>
public class EmaTests
{
    static GanConfig WithEma(double beta = 0.9, bool warmup = false) => Tiny() with { Ema = new EmaConfig { Beta = beta, Warmup = warmup } };

    [Fact]
    public void The_average_follows_its_formula_after_each_generator_update()
    {
        using var images = TinySet();
        using var t = new Trainer(WithEma(0.9), images);
        var expected = Snapshot(t.G);                                   // θ_ema starts as θ_g
        Assert.True(Same(expected, Snapshot(t.Ema!.Shadow)));
        for (int step = 1; step <= 4; step++)
        {
            t.TrainStep();
            var g = Snapshot(t.G);
            expected = expected.Zip(g, (e, p) => e * 0.9 + p * 0.1).ToArray();   // θ_ema ← β θ_ema + (1 − β) θ_g
            var actual = Snapshot(t.Ema.Shadow);
            Assert.All(expected.Zip(actual), pair => Assert.True(pair.First.allclose(pair.Second, rtol: 1e-5, atol: 1e-7)));
        }
        Assert.False(Same(Snapshot(t.G), Snapshot(t.Ema.Shadow)));      // it lags behind G
    }

    [Fact]
    public void Warm_up_lowers_beta_at_first()
    {
        using var images = TinySet();
        using var t = new Trainer(WithEma(0.999, warmup: true), images);
        Assert.Equal(1.0 / 10, t.Ema!.Decay(0), 12);                   // (1 + t)/(10 + t)
        Assert.Equal(101.0 / 110, t.Ema.Decay(100), 12);
        Assert.Equal(0.999, t.Ema.Decay(1_000_000), 12);                // capped at β
        using var plain = new Trainer(WithEma(0.999), images);
        Assert.Equal(0.999, plain.Ema!.Decay(0), 12);
    }

    [Fact]
    public void The_average_is_checkpointed_resumed_exactly_and_loaded_for_sampling()
    {
        using var images = TinySet();
        var config = WithEma();
        var (straight, second) = ResumeExactly(config, images, steps: 7, at: 3);
        using var _ = straight;
        using var __ = second;
        Assert.True(Same(Snapshot(straight.Ema!.Shadow), Snapshot(second.Ema!.Shadow)));
        var path = Path.Combine(TempFolder(), "ema.ckpt");
        using (var first = new Trainer(config, images))
        {
            for (int i = 0; i < 3; i++) first.TrainStep();
            first.ToCheckpoint().Write(path);
        }
        Assert.True(Checkpoint.Read(path).HasEma);

        // Generator.Load gives the average, not the trained weights.
        using var loaded = Generator.Load(path);
        using var z = randn(5, 3);
        using var fromFile = loaded.Generate(z);
        using var first3 = new Trainer(config, images);
        for (int i = 0; i < 3; i++) first3.TrainStep();
        using var average = first3.Ema!.Shadow.Generate(z);
        using var trained = first3.G.Generate(z);
        Assert.True(Equal(fromFile, average));
        Assert.False(Equal(fromFile, trained));
    }

    [Fact]
    public void The_averages_batch_norm_statistics_are_its_own_recomputed_from_fixed_noise()
    {
        var config = new PaperModelConfig { NoiseDim = 3, Height = 4, Width = 4, Noise = NoiseKind.Gaussian };
        using var g = new NormedGenerator(config);
        using var ema = new ExponentialMovingAverage(g, new NormedGenerator(config), new EmaConfig { Beta = 0.5 });
        using (no_grad())
        {
            g.First.weight!.mul_(3).add_(1);             // G moves: the average's weights are now half-way
            g.Norm.running_mean!.fill_(42);              // and G's statistics are nothing the average should take
        }
        ema.Update(1);
        var shadow = (NormedGenerator)ema.Shadow;

        // Independently: the pre-norm activations of the same 16 × 64 draws (seed 0x5EED), through the average's weights.
        using var rng = new TorchSharp.torch.Generator(0x5EED);
        var batches = Enumerable.Range(0, ExponentialMovingAverage.StatisticsBatches)
            .Select(_ => shadow.Prior.Sample(ExponentialMovingAverage.StatisticsBatchSize, 3, rng)).ToList();
        using var __ = no_grad();
        var h = batches.Select(z => z.matmul(shadow.First.weight!.t()).add(shadow.First.bias!)).ToList();   // [64, 4] each
        var mean = stack(h.Select(x => x.mean([0])).ToArray()).mean([0]);                     // the plain average of batch means
        var variance = stack(h.Select(x => x.var(0, unbiased: true)).ToArray()).mean([0]);     // of unbiased batch variances
        Assert.True(shadow.Norm.running_mean!.allclose(mean, rtol: 1e-4, atol: 1e-5), "running mean");
        Assert.True(shadow.Norm.running_var!.allclose(variance, rtol: 1e-4, atol: 1e-5), "running variance");
        Assert.False(shadow.training);                   // sampling mode again, with its momentum back
        Assert.Equal(0.1, shadow.Norm.momentum);
        Assert.Equal(42, g.Norm.running_mean![0].item<float>());  // G's own statistics untouched
    }

    [Fact]
    public void Samples_drawn_in_chunks_are_the_samples_of_the_same_noise_drawn_at_once()
    {
        var config = new PaperModelConfig { NoiseDim = 3, Height = 4, Width = 4 };
        using var g = new ChunkedGenerator(config);
        using var rng = new TorchSharp.torch.Generator(9);
        using var chunked = g.Sample(10, rng);                       // 3 + 3 + 3 + 1
        using var again = new TorchSharp.torch.Generator(9);
        using var z = g.Prior.Sample(10, 3, again);
        using var atOnce = g.Generate(z);
        Assert.Equal([10L, 1, 4, 4], chunked.shape);
        Assert.True(chunked.allclose(atOnce, rtol: 1e-6, atol: 1e-7));
    }

    [Fact]
    public void Without_an_average_nothing_changes()
    {
        using var images = TinySet();
        using var t = new Trainer(Tiny(), images);
        t.TrainStep();
        Assert.Null(t.Ema);
        Assert.Same(t.G, t.SamplingGenerator);
        Assert.False(t.ToCheckpoint().HasEma);
    }

    [Fact]
    public void A_beta_outside_the_open_unit_interval_is_refused()
    {
        Assert.Contains("ema: beta must lie in (0, 1)", Assert.Throws<InputException>(() => (Tiny() with { Ema = new EmaConfig { Beta = 1 } }).Validate()).Message);
    }
}
