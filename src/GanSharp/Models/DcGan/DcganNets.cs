using GanSharp.Configuration;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace GanSharp.Models;

/// <summary>
/// The layer plan shared by DCGAN's generator and discriminator: G's transposed convolutions from a 1×1 map of z up to
/// the image, and D's convolutions, the same (kernel, stride, padding) read backwards, from the image down to 1×1.
/// </summary>
static class DcganPlan
{
    /// <summary>G's layers from z to the image (D's from the image to its output, reversed).</summary>
    public static (int Kernel, int Stride, int Padding)[] Layers(int size) => size switch
    {
        28 => [(3, 1, 0), (3, 2, 0), (4, 2, 1), (4, 2, 1)],             // 1 → 3 → 7 → 14 → 28
        32 => [(4, 1, 0), (4, 2, 1), (4, 2, 1), (4, 2, 1)],             // 1 → 4 → 8 → 16 → 32
        64 => [(4, 1, 0), (4, 2, 1), (4, 2, 1), (4, 2, 1), (4, 2, 1)],  // 1 → 4 → 8 → 16 → 32 → 64 (the paper's)
        _ => throw new InputException($"the DCGAN nets are built for square images of {string.Join(", ", DcganModelConfig.Sizes)} pixels, not {size}"),
    };

    /// <summary>The paper's initialisation: every weight N(0, 0.02); batch-norm scales N(1, 0.02) and shifts 0.</summary>
    public static void Initialise(IEnumerable<nn.Module> layers, torch.Generator? rng)
    {
        using var _ = no_grad();
        foreach (var layer in layers)
            switch (layer)
            {
                case ConvTranspose2d c: c.weight!.normal_(0, 0.02, rng); break;
                case Conv2d c: c.weight!.normal_(0, 0.02, rng); c.bias?.zero_(); break;  // biases: a critic's, from zero
                case BatchNorm2d b: b.weight!.normal_(1, 0.02, rng); b.bias!.zero_(); break;
            }
    }

    /// <summary>
    /// G's layers for an input of <paramref name="input"/> channels at 1×1 (z's NoiseDim, or more where a family puts
    /// something beside z): transposed convolutions without bias, batch norm after all but the last. Not initialised.
    /// </summary>
    public static (ModuleList<ConvTranspose2d> Layers, ModuleList<BatchNorm2d> Norms) GeneratorLayers(DcganModelConfig config, long input)
    {
        foreach (var problem in config.Problems()) throw new InputException(problem);
        var plan = Layers(config.Height);
        int n = plan.Length;
        var (layers, norms) = (new ModuleList<ConvTranspose2d>(), new ModuleList<BatchNorm2d>());
        long channels = input;
        for (int i = 0; i < n; i++)
        {
            long output = i == n - 1 ? config.Channels : (long)config.GeneratorFeatures << (n - 2 - i);  // 8·ngf … ngf, then C
            var (kernel, stride, padding) = plan[i];
            layers.Add(nn.ConvTranspose2d(channels, output, kernel, stride, padding, bias: false));
            if (i < n - 1) norms.Add(nn.BatchNorm2d(output));
            channels = output;
        }
        return (layers, norms);
    }

    /// <summary>G's forward pass: inputs [B, I] (z, and whatever a family puts beside it) → images [B, C, H, W] in [0, 1].</summary>
    public static Tensor Generate(Tensor input, ModuleList<ConvTranspose2d> layers, ModuleList<BatchNorm2d> norms)
    {
        var h = input.view(input.shape[0], input.shape[1], 1, 1);                // [B, I, 1, 1]
        for (int i = 0; i < norms.Count; i++)
            h = norms[i].forward(layers[i].forward(h)).relu_();                  // [B, 8·ngf, 4, 4] … [B, ngf, H/2, W/2]
        var t = layers[^1].forward(h).tanh();                                     // [B, C, H, W] in [−1, 1]
        return t.add(1).mul_(0.5);                                                // in [0, 1]
    }

    /// <summary>
    /// D's layers, down to one raw output per image, and the normalisation of its hidden layers (after layers
    /// 1 … n − 2; none: an empty list). Convolutions have biases only where batch norm's shift does not serve. Not initialised.
    /// </summary>
    public static (ModuleList<Conv2d> Layers, ModuleList<nn.Module<Tensor, Tensor>> Norms) DiscriminatorLayers(DcganModelConfig config)
    {
        foreach (var problem in config.Problems()) throw new InputException(problem);
        var plan = Layers(config.Height).Reverse().ToArray();
        int n = plan.Length;
        var (layers, norms) = (new ModuleList<Conv2d>(), new ModuleList<nn.Module<Tensor, Tensor>>());
        long channels = config.Channels, size = config.Height;
        for (int i = 0; i < n; i++)
        {
            long output = i == n - 1 ? 1 : (long)config.DiscriminatorFeatures << i;  // ndf … 8·ndf, then 1
            var (kernel, stride, padding) = plan[i];
            // DCGAN's reference has no biases in D (batch norm's shift serves); a critic without batch norm keeps them.
            layers.Add(nn.Conv2d(channels, output, kernel, stride, padding, bias: config.DiscriminatorNorm != Normalisation.Batch));
            size = (size + 2 * padding - kernel) / stride + 1;
            if (i > 0 && i < n - 1 && Norm(config.DiscriminatorNorm, output, size) is { } norm) norms.Add(norm);
            channels = output;
        }
        return (layers, norms);
    }

    /// <summary>The normalisation of a hidden layer of <paramref name="channels"/> maps of <paramref name="size"/>², or null.</summary>
    static nn.Module<Tensor, Tensor>? Norm(Normalisation kind, long channels, long size) => kind switch
    {
        Normalisation.Batch => nn.BatchNorm2d(channels),
        Normalisation.Layer => nn.LayerNorm([channels, size, size]),
        Normalisation.None => null,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown normalisation"),
    };

    /// <summary>D's layers but the last: images [B, C, H, W] in [0, 1] → features [B, 8·ndf, 4, 4].</summary>
    public static Tensor Trunk(Tensor x, ModuleList<Conv2d> layers, ModuleList<nn.Module<Tensor, Tensor>> norms)
    {
        var h = x.mul(2).sub_(1);                                                    // [B, C, H, W] in [−1, 1]
        h = F.leaky_relu(layers[0].forward(h), 0.2, inplace: true);                  // [B, ndf, H/2, W/2]: no batch norm
        for (int i = 1; i < layers.Count - 1; i++)
        {
            h = layers[i].forward(h);
            if (norms.Count > 0) h = norms[i - 1].forward(h);                         // batch or layer norm
            h = F.leaky_relu(h, 0.2, inplace: true);                                 // … [B, 8·ndf, 4, 4]
        }
        return h;
    }
}

/// <summary>
/// DCGAN's generator (Radford et al. 2015, Figure 1): z, seen as a 1×1 map of NoiseDim channels, through transposed
/// convolutions that halve the feature maps as they double the size (64×64: 8·ngf at 4×4, 4·ngf, 2·ngf, ngf, then the
/// image), each followed by batch norm and ReLU but the last, which ends in tanh. Convolutions have no bias (batch
/// norm's shift takes its place), as in the reference implementation. The tanh output t ∈ [−1, 1] is returned as
/// (t + 1)/2, so that images are in [0, 1] like every GanSharp generator's; the discriminator maps them back.
/// </summary>
internal sealed class DcganGenerator : Generator
{
    /// <summary>2,000 images at a time: at 64×64 a 32×32 map of 64 channels is 256 KB per image (2.6 GB for 10,000).</summary>
    protected override long SampleChunk => 2_000;

    private readonly ModuleList<ConvTranspose2d> layers;
    private readonly ModuleList<BatchNorm2d> norms;

    /// <summary>Builds and initialises the generator for the configuration's image size.</summary>
    public DcganGenerator(DcganModelConfig config, torch.Generator? rng = null) : base("dcgan_generator", config)
    {
        (layers, norms) = DcganPlan.GeneratorLayers(config, config.NoiseDim);
        RegisterComponents();
        DcganPlan.Initialise(layers.Cast<nn.Module>().Concat(norms), rng);
    }

    /// <summary>z [B, NoiseDim] → images [B, C, H, W] in [0, 1] (labels: none, an unconditional net).</summary>
    public override Tensor forward(Tensor z, Tensor? labels)
    {
        using var scope = NewDisposeScope();
        return DcganPlan.Generate(z, layers, norms).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// DCGAN's discriminator: strided convolutions that double the feature maps as they halve the size (64×64: ndf at
/// 32×32, 2·ndf, 4·ndf, 8·ndf at 4×4), LeakyReLU 0.2 after each, batch norm after all but the first; a last
/// convolution to one raw output per image. Images in [0, 1] are mapped to [−1, 1] first (the range the reference
/// implementation trains on). Batch norm makes an image's output depend on its minibatch: real and generated images
/// go through D in separate passes. <see cref="DcganModelConfig.DiscriminatorNorm"/> may put layer norm in its place
/// (the critic of Gulrajani et al. 2017, section 4) or nothing; then each image is judged on its own.
/// </summary>
internal sealed class DcganDiscriminator : Discriminator
{
    private readonly ModuleList<Conv2d> layers;
    private readonly ModuleList<nn.Module<Tensor, Tensor>> norms;  // after layers 1 … n − 2 (none: empty)

    /// <summary>Builds and initialises the discriminator for the configuration's image size.</summary>
    public DcganDiscriminator(DcganModelConfig config, torch.Generator? rng = null) : base("dcgan_discriminator", config)
    {
        (layers, norms) = DcganPlan.DiscriminatorLayers(config);
        RegisterComponents();
        DcganPlan.Initialise(layers.Cast<nn.Module>().Concat(norms), rng);
    }

    /// <summary>Without batch norm, each image's output depends on that image alone (one pass over real and fake).</summary>
    public override bool ImagesIndependent => ((DcganModelConfig)Config).DiscriminatorNorm != Normalisation.Batch;

    /// <summary>images [B, C, H, W] in [0, 1] → raw outputs [B].</summary>
    public override Tensor forward(Tensor x, Tensor? labels)
    {
        using var scope = NewDisposeScope();
        return layers[^1].forward(DcganPlan.Trunk(x, layers, norms)).view(-1).MoveToOuterDisposeScope();    // [B]
    }
}
