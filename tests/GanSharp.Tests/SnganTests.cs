using GanSharp.Configuration;
using GanSharp.Models;
using GanSharp.Training;
using static GanSharp.Tests.TestSupport;
using static TorchSharp.torch;

namespace GanSharp.Tests;

/// <summary>SNGAN's standard CNN (Miyato et al. 2018): shapes, spectral norm in every layer of D, exact resume.</summary>
public class SnganTests
{
    static SnganModelConfig Model(int size, int channels = 1) =>
        new() { Height = size, Width = size, Channels = channels, GeneratorFeatures = 32, DiscriminatorFeatures = 8, NoiseDim = 16 };

    [Theory]
    [InlineData(28, 1)]
    [InlineData(32, 3)]
    public void The_nets_map_z_to_images_in_0_1_and_images_to_one_score_each(int size, int channels)
    {
        using var g = new SnganGenerator(Model(size, channels), new TorchSharp.torch.Generator(1));
        using var d = new SnganDiscriminator(Model(size, channels), new TorchSharp.torch.Generator(2));
        using var x = g.Sample(3);
        Assert.Equal([3L, channels, size, size], x.shape);
        Assert.True(x.min().item<float>() >= 0 && x.max().item<float>() <= 1);
        using var y = d.forward(x);
        Assert.Equal([3L], y.shape);
        Assert.True(d.ImagesIndependent);
        Assert.Equal(8, d.modules().OfType<SpectralNorm>().Count());   // seven convolutions and the dense layer
        Assert.DoesNotContain(d.modules(), m => m is TorchSharp.Modules.BatchNorm2d);
    }

    [Fact]
    public void The_sngan_preset_trains_and_resumes_exactly()
    {
        var config = Presets.SnganMnist with { Model = Model(28), Train = new TrainConfig { Batch = 8, Steps = 10, Seed = 3, Device = "cpu" } };
        using var data = new GanSharp.Data.ImageDataset("random", rand([48, 1, 28, 28], generator: new TorchSharp.torch.Generator(9)));
        var (straight, second) = ResumeExactly(config, data);
        using var _ = straight;
        using var __ = second;
        // The power iteration's vectors came back with the weights: D's buffers match the straight run's.
        var a = straight.Game.Players[1].Module.buffers().Select(b => b.clone()).ToArray();
        var b = second.Game.Players[1].Module.buffers().Select(b => b.clone()).ToArray();
        Assert.True(Same(a, b));
    }
}
