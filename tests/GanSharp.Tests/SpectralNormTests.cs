using GanSharp.Models;
using static TorchSharp.torch;

namespace GanSharp.Tests;

/// <summary>GanSharp's spectral normalisation against an SVD, and its persistent vectors across save and load.</summary>
public class SpectralNormTests
{
    static float LargestSingularValue(Tensor matrix) => linalg.svdvals(matrix)[0].item<float>();

    [Fact]
    public void Power_iteration_converges_to_the_largest_singular_value_of_a_linear_weight()
    {
        using var rng = new TorchSharp.torch.Generator(4);
        using var layer = new SnLinear(30, 20, rng);
        using var x = randn(8, 30);
        for (int i = 0; i < 60; i++) layer.forward(x).Dispose();      // one iteration per training forward pass
        var weight = layer.named_parameters().Single(p => p.name == "weight").parameter;
        Assert.Equal(LargestSingularValue(weight.detach()), layer.Sigma, 3);

        // The normalised layer has spectral norm 1: its map's largest singular value is 1.
        using var y = layer.forward(eye(30));                          // [30, 20] = (W/σ)ᵀ
        Assert.Equal(1.0, LargestSingularValue(y - layer.named_parameters().Single(p => p.name == "bias").parameter.detach()), 3);
    }

    [Fact]
    public void A_convolution_is_normalised_as_its_weight_matrix_out_by_in_kh_kw()
    {
        using var rng = new TorchSharp.torch.Generator(5);
        using var conv = new SnConv2d(3, 8, kernel: 3, stride: 1, padding: 1, rng: rng);
        using var x = randn(2, 3, 6, 6);
        for (int i = 0; i < 80; i++) conv.forward(x).Dispose();
        var weight = conv.named_parameters().Single(p => p.name == "weight").parameter.detach();
        Assert.Equal(LargestSingularValue(weight.view(8, -1)), conv.Sigma, 3);
        Assert.Equal([2L, 8, 6, 6], conv.forward(x).shape);
    }

    [Fact]
    public void Evaluation_mode_does_not_iterate_and_the_vectors_survive_save_and_load()
    {
        using var rng = new TorchSharp.torch.Generator(6);
        using var layer = new SnLinear(10, 7, rng);
        using var x = randn(4, 10);
        for (int i = 0; i < 3; i++) layer.forward(x).Dispose();       // u, v have moved away from their initial draws
        layer.eval();
        var sigma = layer.Sigma;
        using var before = layer.forward(x);
        for (int i = 0; i < 5; i++) layer.forward(x).Dispose();
        Assert.Equal(sigma, layer.Sigma);                              // no power iteration in evaluation

        var path = Path.Combine(TestSupport.TempFolder(), "sn.bin");
        layer.save(path);
        using var other = new SnLinear(10, 7, new TorchSharp.torch.Generator(99));
        other.load(path, strict: true);
        other.eval();
        Assert.Equal(sigma, other.Sigma);
        foreach (var name in new[] { "u", "v" })
            Assert.True(TestSupport.Equal(layer.named_buffers().Single(b => b.name == name).buffer, other.named_buffers().Single(b => b.name == name).buffer), name);
        using var after = other.forward(x);
        Assert.True(TestSupport.Equal(before, after));
    }

    [Fact]
    public void Gradients_flow_to_the_weight_through_the_normalisation()
    {
        using var rng = new TorchSharp.torch.Generator(7);
        using var layer = new SnLinear(5, 3, rng, withBias: false);
        using var x = randn(4, 5, generator: rng);
        layer.forward(x).sum().backward();
        var weight = layer.named_parameters().Single(p => p.name == "weight").parameter;
        Assert.NotNull(weight.grad);
        // d/dW of sum(x (W/σ)ᵀ) is not x's column sums / σ alone: σ depends on W too. Check against a finite difference.
        layer.eval();
        using var g = weight.grad!.clone();
        double Loss() { using var _ = no_grad(); return layer.forward(x).sum().item<float>(); }
        const float h = 1e-3f;
        using (no_grad()) weight[1, 2] += h;
        double up = Loss();
        using (no_grad()) weight[1, 2] -= 2 * h;
        double down = Loss();
        double difference = (up - down) / (2 * h);                       // float32 losses: good to about 10⁻³
        Assert.Equal(difference, g[1, 2].item<float>(), tolerance: 5e-3 * Math.Max(1, Math.Abs(difference)));
    }
}
