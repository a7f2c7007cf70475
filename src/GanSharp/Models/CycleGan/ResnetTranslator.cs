using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GanSharp.Models;

/// <summary>
/// CycleGAN's generator (Zhu et al. 2017, appendix 7.2; the reference's <c>ResnetGenerator</c>, after Johnson et al.
/// 2016): an image of one domain to an image of the other, the same size. A 7×7 stem on a reflection-padded input
/// (c7s1-f), <see cref="Downsamplings"/> stride-2 3×3 convolutions that double the feature maps (d2f, d4f), residual
/// blocks at the coarsest scale (R4f: reflection pad, 3×3, norm, ReLU, reflection pad, 3×3, norm, added to the input),
/// as many stride-2 transposed convolutions back up (u2f, uf; or resize-convolutions: nearest ×2, reflection pad, 3×3),
/// and a 7×7 convolution to the image's channels with tanh.
/// Instance norm without affine parameters after every convolution but the last (so convolutions keep their bias);
/// weights N(0, 0.02), biases 0, as the reference initialises. Images in [0, 1] are mapped to [−1, 1] on the way in
/// and back on the way out, like every GanSharp net. Shapes (64×64, f = 64, two downsamplings, 9 blocks — the
/// reference's 256×256 nets): [B, C, 64, 64] → [B, 64, 64, 64] → [B, 128, 32, 32] → [B, 256, 16, 16] … and back.
/// </summary>
internal sealed class ResnetTranslator : Translator
{
    private readonly ModuleList<nn.Module<Tensor, Tensor>> down = new();   // stem and downsamplings, each conv + norm + ReLU
    private readonly ModuleList<ResidualBlock> blocks = new();
    private readonly ModuleList<nn.Module<Tensor, Tensor>> up = new();     // upsamplings, each transposed (or resize-) conv + norm + ReLU
    private readonly Conv2d output;

    /// <summary>Downsamplings (and upsamplings) around the residual blocks.</summary>
    public int Downsamplings { get; }

    /// <summary>
    /// A translator of <paramref name="channels"/>-channel images with <paramref name="features"/> maps at full size,
    /// <paramref name="downsamplings"/> halvings and <paramref name="residualBlocks"/> blocks, initialised from
    /// <paramref name="rng"/>; <paramref name="resize"/>: resize-convolutions up instead of transposed ones. Image sides
    /// must be multiples of 2^downsamplings.
    /// </summary>
    public ResnetTranslator(int channels, int features, int residualBlocks, int downsamplings, torch.Generator? rng = null, bool resize = false)
        : base("resnet_translator")
    {
        if (channels < 1 || features < 1 || residualBlocks < 0 || downsamplings < 0)
            throw new ArgumentOutOfRangeException(nameof(features), "channels and features must be positive, blocks and downsamplings not negative");
        Downsamplings = downsamplings;
        down.Add(Stage(nn.ReflectionPad2d(3), nn.Conv2d(channels, features, 7), Norm(features)));       // c7s1-f
        long width = features;
        for (int i = 0; i < downsamplings; i++, width *= 2)
            down.Add(Stage(nn.Conv2d(width, width * 2, 3, stride: 2, padding: 1), Norm(width * 2)));      // d2f, d4f, …
        for (int i = 0; i < residualBlocks; i++) blocks.Add(new ResidualBlock(width));                   // R(2^d·f)
        for (int i = 0; i < downsamplings; i++, width /= 2)
            up.Add(resize
                ? Stage(nn.Upsample(scale_factor: [2, 2], mode: UpsampleMode.Nearest), nn.ReflectionPad2d(1), nn.Conv2d(width, width / 2, 3), Norm(width / 2))
                : Stage(nn.ConvTranspose2d(width, width / 2, 3, stride: 2, padding: 1, output_padding: 1), Norm(width / 2)));  // u2f, uf
        output = nn.Conv2d(width, channels, 7);                                                           // c7s1-C, after a reflection pad
        RegisterComponents();
        Initialise(this, rng);
    }

    static nn.Module<Tensor, Tensor> Stage(params nn.Module<Tensor, Tensor>[] layers) =>
        nn.Sequential(layers.Append(nn.ReLU(inplace: true)).ToArray());

    /// <summary>Instance norm without learnt scale and shift (the reference's <c>--norm instance</c>).</summary>
    internal static nn.Module<Tensor, Tensor> Norm(long features) => nn.InstanceNorm2d(features, affine: false, track_running_stats: false);

    /// <summary>The reference's <c>init_weights(init_type='normal', gain=0.02)</c>: every convolution's weights N(0, 0.02), biases 0.</summary>
    internal static void Initialise(nn.Module module, torch.Generator? rng)
    {
        using var _ = no_grad();
        foreach (var m in module.modules())
            switch (m)
            {
                case Conv2d c: c.weight!.normal_(0, 0.02, rng); c.bias?.zero_(); break;
                case ConvTranspose2d t: t.weight!.normal_(0, 0.02, rng); t.bias?.zero_(); break;
            }
    }

    /// <summary>images [B, C, H, W] in [0, 1] → images [B, C, H, W] in [0, 1].</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = x.mul(2).sub_(1);                                                  // [B, C, H, W] in [−1, 1]
        foreach (var stage in down) h = stage.forward(h);                         // [B, f, H, W] … [B, 2^d·f, H/2^d, W/2^d]
        foreach (var block in blocks) h = block.forward(h);                       // the same shape
        foreach (var stage in up) h = stage.forward(h);                           // … [B, f, H, W]
        var t = output.forward(nn.functional.pad(h, [3, 3, 3, 3], PaddingModes.Reflect)).tanh();    // [B, C, H, W] in [−1, 1]
        return t.add(1).mul_(0.5).MoveToOuterDisposeScope();                      // in [0, 1]; tanh's output stays as its backward needs it
    }

    /// <summary>x + (reflection pad, 3×3, norm, ReLU, reflection pad, 3×3, norm)(x): the same maps in and out.</summary>
    internal sealed class ResidualBlock : nn.Module<Tensor, Tensor>
    {
        private readonly Conv2d first, second;
        private readonly nn.Module<Tensor, Tensor> firstNorm, secondNorm;

        public ResidualBlock(long features) : base("residual_block")
        {
            (first, firstNorm) = (nn.Conv2d(features, features, 3), Norm(features));
            (second, secondNorm) = (nn.Conv2d(features, features, 3), Norm(features));
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            var h = firstNorm.forward(first.forward(nn.functional.pad(x, [1, 1, 1, 1], PaddingModes.Reflect))).relu_();
            h = secondNorm.forward(second.forward(nn.functional.pad(h, [1, 1, 1, 1], PaddingModes.Reflect)));
            return x.add(h).MoveToOuterDisposeScope();
        }
    }
}
