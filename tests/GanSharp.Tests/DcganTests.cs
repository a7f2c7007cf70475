using GanSharp.Configuration;
using GanSharp.Data;
using GanSharp.Models;
using GanSharp.Training;
using TorchSharp.Modules;
using static GanSharp.Tests.TestSupport;
using static TorchSharp.torch;
using Generator = GanSharp.Models.Generator;

namespace GanSharp.Tests;

/// <summary>DCGAN's nets (Radford et al. 2015): shapes, sizes against the paper's architecture, batch norm in checkpoints.</summary>
public class DcganTests
{
    static long Count(nn.Module m) => m.parameters().Sum(p => p.numel());

    static DcganModelConfig Model(int size, int channels = 1, int features = 64, int noise = 100) =>
        new() { Height = size, Width = size, Channels = channels, GeneratorFeatures = features, DiscriminatorFeatures = features, NoiseDim = noise };

    [Theory]
    [InlineData(28, 1)]
    [InlineData(32, 3)]
    [InlineData(64, 3)]
    public void The_nets_map_z_to_images_in_0_1_and_images_to_one_output_each(int size, int channels)
    {
        using var g = new DcganGenerator(Model(size, channels, features: 8), new TorchSharp.torch.Generator(1));
        using var d = new DcganDiscriminator(Model(size, channels, features: 8), new TorchSharp.torch.Generator(2));
        using var x = g.Sample(3);
        Assert.Equal([3L, channels, size, size], x.shape);
        Assert.True(x.min().item<float>() >= 0 && x.max().item<float>() <= 1);
        using var y = d.forward(x);
        Assert.Equal([3L], y.shape);
        Assert.False(d.ImagesIndependent);
    }

    [Fact]
    public void At_64x64_the_nets_have_the_papers_layers_and_parameter_counts()
    {
        // Figure 1 of the paper: z (100) → 4×4×1024 → … → 64×64×3 with ngf = 128; the reference code's ngf = ndf = 64 halves
        // every width. G: transposed convolutions 100→512 (4×4 kernel), 512→256, 256→128, 128→64, 64→3, no biases;
        // batch norm (scale and shift) on the first four. D: convolutions 3→64, 64→128, 128→256, 256→512, 512→1;
        // batch norm on the middle three.
        using var g = new DcganGenerator(Model(64, 3));
        using var d = new DcganDiscriminator(Model(64, 3));
        long gConv = 16L * (100 * 512 + 512 * 256 + 256 * 128 + 128 * 64 + 64 * 3), gNorm = 2L * (512 + 256 + 128 + 64);
        long dConv = 16L * (3 * 64 + 64 * 128 + 128 * 256 + 256 * 512 + 512 * 1), dNorm = 2L * (128 + 256 + 512);
        Assert.Equal(gConv + gNorm, Count(g));   // 3,576,704
        Assert.Equal(dConv + dNorm, Count(d));   // 2,765,568
        Assert.Equal(3_576_704, Count(g));
        Assert.Equal(2_765_568, Count(d));
        Assert.Equal(4, g.modules().OfType<BatchNorm2d>().Count());
        Assert.Equal(3, d.modules().OfType<BatchNorm2d>().Count());
        Assert.All(g.modules().OfType<ConvTranspose2d>(), c => Assert.Null(c.bias));
    }

    [Fact]
    public void Weights_start_as_the_paper_says()
    {
        using var g = new DcganGenerator(Model(64, 3), new TorchSharp.torch.Generator(4));
        var conv = g.modules().OfType<ConvTranspose2d>().MaxBy(c => c.weight!.numel())!.weight!;   // 2 M weights
        Assert.InRange(conv.std().item<float>(), 0.0198f, 0.0202f);
        Assert.InRange(conv.mean().item<float>(), -0.0005f, 0.0005f);
        var norm = g.modules().OfType<BatchNorm2d>().First();
        Assert.InRange(norm.weight!.mean().item<float>(), 0.99f, 1.01f);
        Assert.Equal(0f, norm.bias!.abs().max().item<float>());
    }

    [Fact]
    public void One_pass_over_real_and_generated_images_is_not_two_when_D_has_batch_norm()
    {
        // Why Algorithm 1 gives a batch-norm D two passes: normalising the concatenation mixes the two minibatches.
        using var d = new DcganDiscriminator(Model(28, features: 4), new TorchSharp.torch.Generator(5));
        using var real = rand(6, 1, 28, 28);
        using var fake = rand(6, 1, 28, 28).mul_(0.3);
        using var joint = d.forward(cat([real, fake]));
        using var separate = cat([d.forward(real), d.forward(fake)]);
        Assert.False(joint.allclose(separate, rtol: 1e-3, atol: 1e-4));
    }

    static GanConfig Tiny => Presets.DcganMnist with
    {
        Model = Model(28, features: 4, noise: 8),
        Train = new TrainConfig { Batch = 8, Steps = 10, Seed = 3, Device = "cpu" },
    };

    static ImageDataset Images() => new("random", rand([48, 1, 28, 28], generator: new TorchSharp.torch.Generator(9)));

    [Theory]
    [InlineData(Normalisation.Layer)]
    [InlineData(Normalisation.None)]
    public void A_critic_without_batch_norm_judges_each_image_on_its_own(Normalisation norm)
    {
        var model = Model(28, features: 4, noise: 8) with { DiscriminatorNorm = norm };
        using var d = new DcganDiscriminator(model, new TorchSharp.torch.Generator(2));
        Assert.True(d.ImagesIndependent);
        using var x = rand(6, 1, 28, 28);
        using var together = d.forward(x);
        using var apart = cat([d.forward(x[..3]), d.forward(x[3..])]);
        Assert.True(together.allclose(apart, rtol: 1e-5, atol: 1e-6));   // no image's output depends on its neighbours
        Assert.Equal(norm == Normalisation.Layer ? 2 : 0, d.modules().Count(m => m is LayerNorm));
        Assert.All(d.modules().OfType<Conv2d>(), c => Assert.True(c.bias!.eq(0).all().item<bool>()));  // biases start at zero, not from libtorch's generator
    }

    [Fact]
    public void Batch_norm_statistics_are_saved_in_checkpoints_and_restored()
    {
        using var data = Images();
        using var t = new Trainer(Tiny, data);
        for (int i = 0; i < 3; i++) t.TrainStep();
        var g = t.G;
        var running = g.named_buffers().Single(b => b.name.EndsWith("0.running_mean")).buffer;
        Assert.True(running.abs().max().item<float>() > 0);   // training moved them
        var path = Path.Combine(TempFolder(), "dcgan.ckpt");
        t.ToCheckpoint().Write(path);

        using var back = Generator.Load(path);
        foreach (var ((name, a), (_, b)) in g.named_buffers().Zip(back.named_buffers()))
            Assert.True(Equal(a, b), name);
        using var z = randn(5, 8);
        using var x = g.Generate(z);        // evaluation mode: the running statistics, so equal only if they were restored
        using var y = back.Generate(z);
        Assert.True(Equal(x, y));
    }

    /// <summary>A preset with the tiny nets in place of its own (its critic's normalisation kept).</summary>
    static GanConfig TinyOf(string preset)
    {
        var config = Presets.Get(preset);
        return config with
        {
            Model = Model(28, features: 4, noise: 8) with { DiscriminatorNorm = ((DcganModelConfig)config.Model).DiscriminatorNorm },
            Train = Tiny.Train,
        };
    }

    [Theory]
    [InlineData("dcgan-mnist")]
    [InlineData("lsgan-mnist")]
    [InlineData("wgan-gp-mnist")]   // layer norm in the critic, the gradient penalty, five critic updates per iteration
    public void A_run_of_each_convolutional_preset_resumes_exactly(string preset)
    {
        var config = TinyOf(preset);
        using var data = Images();
        var (straight, second) = ResumeExactly(config, data);   // past an epoch of 6 minibatches
        using var _ = straight;
        using var __ = second;
        foreach (var (a, b) in straight.Game.Players.Zip(second.Game.Players))
            Assert.True(Same(a.Module.buffers().Select(x => x.clone()).ToArray(), b.Module.buffers().Select(x => x.clone()).ToArray()), a.Name);
    }
}
