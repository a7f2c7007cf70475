using GanSharp.Models;
using GanSharp.Configuration;
using static TorchSharp.torch;
using Generator = GanSharp.Models.Generator;

namespace GanSharp.Tests;

public class ModelTests
{
    static ModelTests() => _ = TestSupport.MnistFixture;

    static long Count(nn.Module m) => m.parameters().Sum(p => p.numel());

    [Fact]
    public void The_paper_generator_has_the_papers_shape_and_parameter_count()
    {
        using var g = Nets.CreateGenerator(Presets.PaperMnist.Model);
        // 100·1200 + 1200  +  1200·1200 + 1200  +  1200·784 + 784
        Assert.Equal(121_200 + 1_441_200 + 941_584, Count(g));
        using var x = g.Sample(3);
        Assert.Equal([3L, 1, 28, 28], x.shape);
        Assert.True(x.min().item<float>() >= 0 && x.max().item<float>() <= 1);
    }

    [Fact]
    public void The_paper_discriminator_has_the_papers_shape_and_parameter_count()
    {
        using var d = Nets.CreateDiscriminator(Presets.PaperMnist.Model);
        // maxout 784 → 240×5, maxout 240 → 240×5, linear 240 → 1
        Assert.Equal(784 * 1200 + 1200 + 240 * 1200 + 1200 + 240 + 1, Count(d));
        using var logits = d.forward(rand(7, 1, 28, 28));
        Assert.Equal([7L], logits.shape);
    }

    [Fact]
    public void Initialisation_follows_the_papers_ranges()
    {
        var config = Presets.PaperMnist.Model;
        using var g = Nets.CreateGenerator(config);
        using var d = Nets.CreateDiscriminator(config);
        foreach (var (name, p) in g.named_parameters().Select(np => (np.name, np.parameter)))
            Assert.True(p.abs().max().item<float>() <= (name.EndsWith("bias") ? 0 : 0.05f), name);
        foreach (var (name, p) in d.named_parameters().Select(np => (np.name, np.parameter)))
            Assert.True(p.abs().max().item<float>() <= (name.EndsWith("bias") ? 0 : 0.005f), name);
    }

    [Fact]
    public void The_output_bias_starts_at_the_logit_of_the_mean_pixel()
    {
        var config = (PaperModelConfig)TestSupport.Tiny().Model;
        using var g = new MlpGenerator(config);
        using var images = TestSupport.TinyImages();
        using (var set = new GanSharp.Data.ImageDataset("tiny", images.alias())) g.InitialiseFromData(set);
        using var bias = g.named_parameters().Single(p => p.name == "output.bias").parameter.detach();
        using var expected = images.flatten(1).mean([0]).clamp(1e-7, 1 - 1e-7).logit();
        Assert.True(bias.allclose(expected));
    }

    [Fact]
    public void Maxout_is_the_maximum_over_each_units_pieces()
    {
        using var m = new Maxout(3, units: 2, pieces: 4);
        using var x = randn(5, 3);
        using var y = m.forward(x);
        using var z = m.Affine.forward(x);  // [5, 8]: unit u owns columns 4u … 4u+3
        var expected = new float[5, 2];
        for (int b = 0; b < 5; b++)
            for (int u = 0; u < 2; u++)
                expected[b, u] = Enumerable.Range(0, 4).Max(p => z[b, 4 * u + p].item<float>());
        Assert.Equal([5L, 2], y.shape);
        for (int b = 0; b < 5; b++)
            for (int u = 0; u < 2; u++)
                Assert.Equal(expected[b, u], y[b, u].item<float>());
    }

    [Fact]
    public void Dropout_is_random_in_training_and_off_in_evaluation()
    {
        using var d = Nets.CreateDiscriminator(Presets.PaperMnist.Model);
        using var x = rand(4, 1, 28, 28);
        d.eval();
        using (var a = d.forward(x))
        using (var b = d.forward(x))
            Assert.True(TestSupport.Equal(a, b));
        d.train();
        using (var a = d.forward(x))
        using (var b = d.forward(x))
            Assert.False(TestSupport.Equal(a, b));
    }

    [Fact]
    public void Uniform_noise_has_the_papers_support_and_unit_variance()
    {
        using var rng = new TorchSharp.torch.Generator(5);
        using var z = new UniformNoise().Sample(20_000, 10, rng);
        Assert.True(z.abs().max().item<float>() <= Math.Sqrt(3) + 1e-6);
        Assert.InRange(z.var().item<float>(), 0.97f, 1.03f);
        Assert.InRange(z.mean().item<float>(), -0.02f, 0.02f);
    }
}
