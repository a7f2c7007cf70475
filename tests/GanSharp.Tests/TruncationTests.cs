using GanSharp.Models;
using static TorchSharp.torch;

namespace GanSharp.Tests;

public class TruncationTests
{
    [Fact]
    public void Uniform_truncation_scales_the_range()
    {
        var prior = new UniformNoise();
        using var z = prior.Sample(20_000, 10, 0.5, new TorchSharp.torch.Generator(1));
        double half = 0.5 * Math.Sqrt(3);
        Assert.True(z.abs().max().item<float>() <= half + 1e-6);
        Assert.True(z.abs().max().item<float>() > 0.99 * half);
        using var full = prior.Sample(100, 10, 1.0, new TorchSharp.torch.Generator(2));
        using var plain = prior.Sample(100, 10, new TorchSharp.torch.Generator(2));
        Assert.True(TestSupport.Equal(full, plain));                       // t = 1 is the prior itself
        Assert.Throws<InputException>(() => prior.Sample(1, 1, 1.5));
    }

    [Fact]
    public void Gaussian_truncation_has_the_truncated_normals_variance()
    {
        var prior = new GaussianNoise();
        using var z = prior.Sample(40_000, 5, 1.0, new TorchSharp.torch.Generator(3));
        Assert.True(z.abs().max().item<float>() <= 1);
        // Var of 𝒩(0, 1) truncated to [−1, 1]: 1 − 2φ(1) / (2Φ(1) − 1).
        double phi = Math.Exp(-0.5) / Math.Sqrt(2 * Math.PI), mass = 0.6826894921370859;
        double variance = 1 - 2 * phi / mass;                                 // 0.29113…
        Assert.Equal(variance, z.to_type(ScalarType.Float64).var().item<double>(), 2);
        Assert.Equal(0, z.to_type(ScalarType.Float64).mean().item<double>(), 2);
        using var wide = prior.Sample(100, 5, 50.0, new TorchSharp.torch.Generator(4));
        using var plain = prior.Sample(100, 5, new TorchSharp.torch.Generator(4));
        Assert.True(TestSupport.Equal(wide, plain));                       // nothing beyond 50σ: nothing redrawn
    }
}
