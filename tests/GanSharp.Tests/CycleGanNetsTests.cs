using GanSharp.Models;
using static TorchSharp.torch;

namespace GanSharp.Tests;

/// <summary>CycleGAN's nets: the ResNet translator and the PatchGAN discriminator — shapes, padding, norm, initialisation.</summary>
public class CycleGanNetsTests
{
    [Theory]
    [InlineData(32, 3, 2, 2)]
    [InlineData(64, 3, 2, 3)]
    [InlineData(28, 1, 1, 1)]     // sides need only be multiples of 2^downsamplings
    public void The_translator_keeps_the_image_shape_and_range(int size, int channels, int downsamplings, int blocks)
    {
        using var t = new ResnetTranslator(channels, features: 8, residualBlocks: blocks, downsamplings: downsamplings, new TorchSharp.torch.Generator(1));
        using var x = rand([2, channels, size, size], generator: new TorchSharp.torch.Generator(2));
        using var y = t.forward(x);
        Assert.Equal(x.shape, y.shape);
        Assert.True(y.min().item<float>() >= 0 && y.max().item<float>() <= 1);
    }

    [Fact]
    public void One_backward_pass_reaches_every_weight_of_both_nets()
    {
        using var t = new ResnetTranslator(3, 8, 2, 2, new TorchSharp.torch.Generator(1));
        using var d = new PatchDiscriminator(3, 8, 2, new TorchSharp.torch.Generator(2));
        using var x = rand([2, 3, 32, 32], generator: new TorchSharp.torch.Generator(3));
        using var loss = d.forward(t.forward(x)).sub(1).pow(2).mean() + t.forward(x).sub(x).abs().mean();   // adversarial and L1 terms
        loss.backward();
        Assert.All(t.parameters().Concat(d.parameters()), p => Assert.True(p.grad is { } g && g.abs().sum().item<float>() > 0));
    }

    [Fact]
    public void Resize_convolutions_keep_the_shape_and_the_weight_count_and_are_written_only_when_asked_for()
    {
        using var transposed = new ResnetTranslator(3, 8, 2, 2, new TorchSharp.torch.Generator(1));
        using var resize = new ResnetTranslator(3, 8, 2, 2, new TorchSharp.torch.Generator(1), resize: true);
        Assert.Equal(transposed.parameters().Sum(p => p.numel()), resize.parameters().Sum(p => p.numel()));   // 3×3 kernels either way
        Assert.Contains(resize.modules(), m => m is TorchSharp.Modules.Upsample);
        Assert.DoesNotContain(resize.modules(), m => m is TorchSharp.Modules.ConvTranspose2d);
        using var x = rand([2, 3, 32, 32], generator: new TorchSharp.torch.Generator(3));
        using var y = resize.forward(x);
        Assert.Equal(x.shape, y.shape);
        using (var loss = y.sub(x).abs().mean()) loss.backward();
        Assert.All(resize.parameters(), p => Assert.True(p.grad is { } g && g.abs().sum().item<float>() > 0));
        var config = new GanSharp.Configuration.CycleGanModelConfig { Upsampling = GanSharp.Configuration.CycleGanUpsampling.Resize };
        Assert.Contains("\"upsampling\": \"resize\"", System.Text.Json.JsonSerializer.Serialize(config, GanSharp.Configuration.GanConfig.Json));
        Assert.DoesNotContain("upsampling", System.Text.Json.JsonSerializer.Serialize(new GanSharp.Configuration.CycleGanModelConfig(), GanSharp.Configuration.GanConfig.Json));
    }

    [Theory]
    [InlineData(32, 3, 5)]        // the reference's unet_256 at 32×32: down to 1×1
    [InlineData(28, 1, 2)]        // sides need only be multiples of 2^levels
    public void The_unet_translator_keeps_the_image_shape_and_range_and_every_weight_learns(int size, int channels, int levels)
    {
        using var t = new UnetTranslator(channels, features: 4, levels, new TorchSharp.torch.Generator(1));
        using var x = rand([2, channels, size, size], generator: new TorchSharp.torch.Generator(2));
        using var y = t.forward(x);
        Assert.Equal(x.shape, y.shape);
        Assert.True(y.min().item<float>() >= 0 && y.max().item<float>() <= 1);
        using (var loss = y.sub(x).abs().mean()) loss.backward();
        Assert.All(t.parameters(), p => Assert.True(p.grad is { } g && g.abs().sum().item<float>() > 0));
    }

    [Fact]
    public void The_unet_translator_has_the_closed_form_number_of_weights_and_the_configurations_estimate()
    {
        const int c = 3, f = 4, levels = 5;
        using var t = new UnetTranslator(c, f, levels);
        long[] width = [4, 8, 16, 32, 32];                                                 // f·min(2^i, 8)
        long expected = 0;
        for (int i = 0; i < levels; i++)
        {
            long outer = i == 0 ? c : width[i - 1], inner = width[i];
            expected += outer * inner * 16 + inner;                                         // 4×4 down, with bias
            expected += (i == levels - 1 ? 1 : 2) * inner * outer * 16 + outer;             // 4×4 up from [eᵢ, uᵢ₊₁] (innermost: eᵢ alone)
        }
        Assert.Equal(expected, t.parameters().Sum(p => p.numel()));
        Assert.Empty(t.buffers());                                                          // instance norm keeps no running statistics
        var config = new GanSharp.Configuration.CycleGanModelConfig
        {
            Translator = GanSharp.Configuration.CycleGanTranslator.Unet, GeneratorFeatures = f, Downsamplings = levels, ResidualBlocks = 0,
            DiscriminatorFeatures = 4, DiscriminatorLayers = 2, Channels = c, Height = 32, Width = 32,
        };
        using var d = new PatchDiscriminator(c, 4, 2);
        long weights = 2 * (expected + d.parameters().Sum(p => p.numel()));
        Assert.InRange(config.EstimatedWeights(), 0.98 * weights, weights);                 // the estimate leaves out biases only
        Assert.Empty(config.Problems());
        string json = System.Text.Json.JsonSerializer.Serialize<GanSharp.Configuration.ModelConfig>(config, GanSharp.Configuration.GanConfig.Json);
        Assert.Contains("\"translator\": \"unet\"", json);
        Assert.Equal(config, System.Text.Json.JsonSerializer.Deserialize<GanSharp.Configuration.ModelConfig>(json, GanSharp.Configuration.GanConfig.Json));
        Assert.Contains("a unet translator has no residual blocks", Assert.Single((config with { ResidualBlocks = 6 }).Problems()));
        Assert.Contains("upsampling resize is an option of the resnet translator",
                        Assert.Single((config with { Upsampling = GanSharp.Configuration.CycleGanUpsampling.Resize }).Problems()));
        Assert.Contains("at least 2 levels", Assert.Single((config with { Downsamplings = 1 }).Problems()));
    }

    [Fact]
    public void The_unet_skips_carry_the_input_past_a_cut_bottleneck()
    {
        using var t = new UnetTranslator(3, 4, 3, new TorchSharp.torch.Generator(1));
        var innermost = t.modules().OfType<TorchSharp.Modules.Conv2d>().Last();          // e₂ = conv(LeakyReLU(e₁)): cut it to zero
        using (no_grad())
        {
            innermost.weight!.zero_();
            innermost.bias!.zero_();
        }
        using var a = rand([1, 3, 16, 16], generator: new TorchSharp.torch.Generator(2));
        using var b = rand([1, 3, 16, 16], generator: new TorchSharp.torch.Generator(3));
        using var ya = t.forward(a);
        using var yb = t.forward(b);
        Assert.True(ya.sub(yb).abs().max().item<float>() > 1e-3);                        // what reaches the output came through the skips
    }

    [Fact]
    public void The_translator_has_the_closed_form_number_of_weights_and_its_norms_none()
    {
        const int c = 3, f = 8, blocks = 2, d = 2;
        using var t = new ResnetTranslator(c, f, blocks, d);
        long expected = c * f * 49 + f;                                                   // c7s1-f
        long w = f;
        for (int i = 0; i < d; i++, w *= 2) expected += w * 2 * w * 9 + 2 * w;             // d2f, d4f
        expected += blocks * 2 * (w * w * 9 + w);                                           // R4f
        for (int i = 0; i < d; i++, w /= 2) expected += w * (w / 2) * 9 + w / 2;           // u2f, uf
        expected += f * c * 49 + c;                                                         // c7s1-C
        Assert.Equal(expected, t.parameters().Sum(p => p.numel()));                         // instance norms learn nothing
        Assert.Empty(t.buffers());                                                          // nor track running statistics
    }

    [Fact]
    public void Weights_start_normal_with_spread_0_02_and_biases_at_zero_from_the_seed()
    {
        using var a = new ResnetTranslator(3, 16, 2, 2, new TorchSharp.torch.Generator(7));
        using var b = new ResnetTranslator(3, 16, 2, 2, new TorchSharp.torch.Generator(7));
        var weights = a.named_parameters().Where(p => p.name.EndsWith("weight")).Select(p => p.parameter.flatten()).ToList();
        using var all = cat(weights);
        Assert.InRange(all.std().item<float>(), 0.019, 0.021);
        Assert.InRange(all.mean().item<float>(), -0.001, 0.001);
        Assert.All(a.named_parameters().Where(p => p.name.EndsWith("bias")), p => Assert.Equal(0, p.parameter.abs().max().item<float>()));
        Assert.All(a.parameters().Zip(b.parameters()), pair => Assert.True(pair.First.eq(pair.Second).all().item<bool>()));   // the same seed, the same nets
    }

    [Fact]
    public void Reflection_padding_mirrors_without_repeating_the_edge()
    {
        using var x = arange(1, 10, dtype: ScalarType.Float32).view(1, 1, 3, 3);                // 1 2 3 / 4 5 6 / 7 8 9
        using var padded = nn.functional.pad(x, [1, 1, 1, 1], TorchSharp.PaddingModes.Reflect);
        Assert.Equal([5f, 4f, 5f, 6f, 5f], padded[0, 0, 0].data<float>().ToArray());            // above row 1: row 2, mirrored at the edges
        Assert.Equal([2f, 1f, 2f, 3f, 2f], padded[0, 0, 1].data<float>().ToArray());
        Assert.Equal([5f, 4f, 5f, 6f, 5f], padded[0, 0, 4].data<float>().ToArray());            // below row 3: row 2
    }

    [Fact]
    public void Instance_norm_normalises_each_image_and_channel_on_its_own()
    {
        using var norm = ResnetTranslator.Norm(2);
        using var x = rand([3, 2, 5, 5], generator: new TorchSharp.torch.Generator(3)).mul(7).add(3);
        using var y = norm.forward(x);
        using var mean = y.mean([2, 3]);
        using var variance = y.var([2, 3], unbiased: false);
        Assert.True(mean.abs().max().item<float>() < 1e-5);
        Assert.True(variance.sub(1).abs().max().item<float>() < 1e-3);                        // ε = 1e-5 against a variance of ~4
    }

    [Fact]
    public void A_residual_block_whose_last_convolution_is_zero_passes_its_input_through()
    {
        using var block = new ResnetTranslator.ResidualBlock(4);
        using (no_grad())
            foreach (var (name, p) in block.named_parameters().Where(p => p.name.StartsWith("second"))) p.zero_();
        using var x = randn([2, 4, 6, 6], generator: new TorchSharp.torch.Generator(4));
        using var y = block.forward(x);
        Assert.True(y.eq(x).all().item<bool>());                                                 // norm of a constant map is 0
    }

    [Theory]
    [InlineData(256, 3, 30)]       // the reference's 70×70 PatchGAN on its 256×256 images: 30×30 verdicts
    [InlineData(64, 3, 6)]
    [InlineData(32, 3, 2)]
    [InlineData(32, 2, 6)]
    public void The_patch_discriminator_gives_one_output_per_patch(int size, int layers, int side)
    {
        using var d = new PatchDiscriminator(3, features: 4, layers: layers, new TorchSharp.torch.Generator(5));
        Assert.Equal(side, d.OutputSide(size));
        using var x = rand([2, 3, size, size]);
        using var y = d.forward(x);
        Assert.Equal([2L, side * side], y.shape);
        long expected = 3 * 4 * 16 + 4;                                                        // C64 (here C4)
        long w = 4;
        for (int n = 1; n <= layers; n++) { long next = 4L * Math.Min(1 << n, 8); expected += w * next * 16 + next; w = next; }
        expected += w * 16 + 1;
        Assert.Equal(expected, d.parameters().Sum(p => p.numel()));
    }

    /// <summary>A translator that mirrors images and notes each batch it sees and its mode.</summary>
    sealed class Mirror : Translator
    {
        public readonly List<(long Batch, bool Training)> Calls = [];
        public Mirror() : base("mirror") => RegisterComponents();
        protected override long Chunk => 2;
        public override Tensor forward(Tensor x)
        {
            Calls.Add((x.shape[0], training));
            return x.flip(3);
        }
    }

    [Fact]
    public void Translate_runs_in_evaluation_mode_in_chunks_and_restores_the_mode()
    {
        using var t = new Mirror();
        t.train();
        using var x = rand([5, 1, 2, 3]);
        using var y = t.Translate(x);
        Assert.Equal([(2L, false), (2L, false), (1L, false)], t.Calls);                        // 2 + 2 + 1, in evaluation mode
        Assert.True(t.training);
        Assert.True(y.eq(x.flip(3)).all().item<bool>());
        Assert.False(y.requires_grad);
    }
}
