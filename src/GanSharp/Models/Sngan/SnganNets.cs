using GanSharp.Configuration;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace GanSharp.Models;

/// <summary>
/// SNGAN's standard-CNN generator (Miyato et al. 2018, Table 3a): z → dense → M_g×M_g×ch, batch norm, ReLU → 4×4
/// stride-2 transposed convolutions, each halving the channels, with batch norm and ReLU → 3×3 convolution to the image,
/// tanh (returned as (t + 1)/2 in [0, 1]). Weights N(0, 0.02), batch-norm scales N(1, 0.02), biases 0, from the run's
/// generator (the reference's DCGAN-style initialisation).
/// </summary>
internal sealed class SnganGenerator : Generator
{
    private readonly Linear dense;
    private readonly BatchNorm1d denseNorm;
    private readonly ModuleList<ConvTranspose2d> ups = new();
    private readonly ModuleList<BatchNorm2d> norms = new();
    private readonly Conv2d toImage;
    private readonly int bottom, features;

    /// <summary>
    /// 500 images at a time: at paper width one 28×28 map of 128 channels is 400 KB per image, so 10,000 at once held
    /// several such tensors, 4 GB each (a sweep's evaluations ran out of 24 GB).
    /// </summary>
    protected override long SampleChunk => 500;

    public SnganGenerator(SnganModelConfig config, torch.Generator? rng = null) : base("sngan_generator", config)
    {
        foreach (var problem in config.Problems()) throw new InputException(problem);
        (bottom, int upsamplings) = config.Height == 28 ? (7, 2) : (4, 3);
        features = config.GeneratorFeatures;
        dense = nn.Linear(config.NoiseDim, (long)bottom * bottom * features);
        denseNorm = nn.BatchNorm1d((long)bottom * bottom * features);
        long channels = features;
        for (int i = 0; i < upsamplings; i++)
        {
            ups.Add(nn.ConvTranspose2d(channels, channels / 2, 4, stride: 2, padding: 1));
            norms.Add(nn.BatchNorm2d(channels / 2));
            channels /= 2;
        }
        toImage = nn.Conv2d(channels, config.Channels, 3, stride: 1, padding: 1);
        RegisterComponents();
        using var _ = no_grad();
        foreach (var module in modules())
            switch (module)
            {
                case Linear l: l.weight!.normal_(0, 0.02, rng); l.bias!.zero_(); break;
                case ConvTranspose2d c: c.weight!.normal_(0, 0.02, rng); c.bias!.zero_(); break;
                case Conv2d c: c.weight!.normal_(0, 0.02, rng); c.bias!.zero_(); break;
                case BatchNorm1d b: b.weight!.normal_(1, 0.02, rng); b.bias!.zero_(); break;
                case BatchNorm2d b: b.weight!.normal_(1, 0.02, rng); b.bias!.zero_(); break;
            }
    }

    /// <summary>z [B, 128] → images [B, C, H, W] in [0, 1].</summary>
    public override Tensor forward(Tensor z, Tensor? labels)
    {
        using var scope = NewDisposeScope();
        var h = denseNorm.forward(dense.forward(z)).relu_().view(-1, features, bottom, bottom);  // [B, 512, M_g, M_g]
        for (int i = 0; i < ups.Count; i++) h = norms[i].forward(ups[i].forward(h)).relu_();    // … [B, 64, H, W]
        var t = toImage.forward(h).tanh();                                                       // [B, C, H, W] in [−1, 1]
        return t.add(1).mul_(0.5).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// SNGAN's standard-CNN discriminator (Miyato et al. 2018, Table 3b): 3×3 stride-1 and 4×4 stride-2 convolutions in
/// turn (64, 64, 128, 128, 256, 256, 512 channels), LeakyReLU 0.1, then a dense layer to one score; every layer
/// spectrally normalised (<see cref="SpectralNorm"/>). Images in [0, 1] are mapped to [−1, 1] first. No batch norm:
/// each image is judged on its own.
/// </summary>
internal sealed class SnganDiscriminator : Discriminator
{
    private readonly ModuleList<SnConv2d> convs = new();
    private readonly SnLinear dense;

    public SnganDiscriminator(SnganModelConfig config, torch.Generator? rng = null) : base("sngan_discriminator", config)
    {
        foreach (var problem in config.Problems()) throw new InputException(problem);
        long f = config.DiscriminatorFeatures, channels = config.Channels, size = config.Height;
        // (channels out, kernel, stride, padding): 64 s1, 64 s2, 128 s1, 128 s2, 256 s1, 256 s2, 512 s1 (for f = 64).
        (long Out, long Kernel, long Stride, long Padding)[] plan =
            [(f, 3, 1, 1), (f, 4, 2, 1), (2 * f, 3, 1, 1), (2 * f, 4, 2, 1), (4 * f, 3, 1, 1), (4 * f, 4, 2, 1), (8 * f, 3, 1, 1)];
        foreach (var (output, kernel, stride, padding) in plan)
        {
            convs.Add(new SnConv2d(channels, output, kernel, stride, padding, rng));
            size = (size + 2 * padding - kernel) / stride + 1;
            channels = output;
        }
        dense = new SnLinear(channels * size * size, 1, rng);                     // 32×32: 512·4·4; 28×28: 512·3·3
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override bool ImagesIndependent => true;

    /// <summary>images [B, C, H, W] in [0, 1] → scores [B].</summary>
    public override Tensor forward(Tensor x, Tensor? labels)
    {
        using var scope = NewDisposeScope();
        var h = x.mul(2).sub_(1);                                                 // [B, C, H, W] in [−1, 1]
        foreach (var conv in convs) h = F.leaky_relu(conv.forward(h), 0.1, inplace: true);  // … [B, 512, 4, 4]
        return dense.forward(h.flatten(1)).view(-1).MoveToOuterDisposeScope();   // [B]
    }
}
