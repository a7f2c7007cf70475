using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace GanSharp.Models;

/// <summary>
/// CycleGAN's discriminator, the PatchGAN of Isola et al. 2017 (the reference's <c>NLayerDiscriminator</c>): a real-or-
/// translated verdict for every overlapping patch instead of one per image. 4×4 convolutions: C64 with stride 2 and no
/// norm, then <see cref="Layers"/> − 1 more of stride 2 doubling the maps (up to 8·f), one of stride 1 (8·f at most),
/// each with instance norm (no affine) and LeakyReLU 0.2, and a last stride-1 convolution to one raw output per patch.
/// With 3 layers a 256×256 image gets 30×30 outputs of 70×70-pixel patches; a 64×64 image 6×6, a 32×32 image 2×2 (the
/// reason smaller images want fewer layers). Weights N(0, 0.02), biases 0. Images in [0, 1] are mapped to [−1, 1].
/// </summary>
internal sealed class PatchDiscriminator : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<Conv2d> convs = new();
    private readonly ModuleList<nn.Module<Tensor, Tensor>> norms = new();  // after convs 1 … n (none after the first and the last)

    /// <summary>Stride-2 convolutions (the first included) before the two of stride 1.</summary>
    public int Layers { get; }

    /// <summary>A discriminator of <paramref name="channels"/>-channel images, <paramref name="features"/> maps first, <paramref name="layers"/> stride-2 layers.</summary>
    public PatchDiscriminator(int channels, int features, int layers, torch.Generator? rng = null) : base("patch_discriminator")
    {
        if (channels < 1 || features < 1 || layers < 1) throw new ArgumentOutOfRangeException(nameof(layers), "channels, features and layers must be positive");
        Layers = layers;
        long width = features;
        convs.Add(nn.Conv2d(channels, width, 4, stride: 2, padding: 1));                      // C64, no norm
        for (int n = 1; n <= layers; n++)
        {
            long next = (long)features * Math.Min(1 << n, 8);
            convs.Add(nn.Conv2d(width, next, 4, stride: n < layers ? 2 : 1, padding: 1));     // C128, C256 (stride 2), C512 (stride 1)
            norms.Add(ResnetTranslator.Norm(next));
            width = next;
        }
        convs.Add(nn.Conv2d(width, 1, 4, stride: 1, padding: 1));                             // one output per patch
        RegisterComponents();
        ResnetTranslator.Initialise(this, rng);
    }

    /// <summary>images [B, C, H, W] in [0, 1] → raw outputs [B, P], one per patch (row-major over the output map).</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = F.leaky_relu(convs[0].forward(x.mul(2).sub_(1)), 0.2, inplace: true);    // [B, f, H/2, W/2]
        for (int i = 0; i < norms.Count; i++)
            h = F.leaky_relu(norms[i].forward(convs[i + 1].forward(h)), 0.2, inplace: true);
        return convs[^1].forward(h).flatten(1).MoveToOuterDisposeScope();                 // [B, P]
    }

    /// <summary>The side of the output map for images of side <paramref name="size"/>: P = side².</summary>
    public int OutputSide(int size)
    {
        int side = size;
        for (int n = 0; n < Layers; n++) side = (side + 2 - 4) / 2 + 1;                     // stride-2 4×4, padding 1
        side = side + 2 - 4 + 1;                                                           // the stride-1 layer
        return side + 2 - 4 + 1;                                                           // the output layer
    }
}
