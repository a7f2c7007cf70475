using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GanSharp.Models;

/// <summary>
/// The reference's other translator (<c>--netG unet_256</c>, from pix2pix: Isola et al. 2017, after Ronneberger et al.
/// 2015): an encoder of <see cref="Levels"/> stride-2 4×4 convolutions and a decoder of as many stride-2 4×4 transposed
/// convolutions, each decoder level given the encoder's maps of its size beside its own (skip connections), so the
/// input's layout reaches the output without passing the bottleneck:
/// <code>
/// e₀ = conv(x)                              encoder: LeakyReLU(0.2), conv, norm (no norm at the innermost level)
/// eᵢ = norm(conv(LeakyReLU(eᵢ₋₁)))          i = 1 … L−1
/// u_{L−1} = norm(convT(ReLU(e_{L−1})))      decoder: ReLU, transposed conv, norm
/// uᵢ = norm(convT(ReLU([eᵢ, uᵢ₊₁])))        i = L−2 … 1   ([·, ·]: channels side by side)
/// y = tanh(convT(ReLU([e₀, u₁])))
/// </code>
/// Widths f, 2f, 4f, 8f, 8f, …: level i has f·min(2^i, 8) maps. Instance norm without affine parameters (so every
/// convolution keeps its bias), no dropout (the reference's CycleGAN default), weights N(0, 0.02), biases 0. The
/// reference applies its encoder's LeakyReLU in place, so its skips carry LeakyReLU(eᵢ) rather than eᵢ; the decoder's
/// ReLU then makes the two the same, and this one passes eᵢ. Shapes (32×32, f = 32, L = 5): [B, C, 32, 32] →
/// e₀ [B, 32, 16, 16] → [B, 64, 8, 8] → [B, 128, 4, 4] → [B, 256, 2, 2] → e₄ [B, 256, 1, 1] → u₄ [B, 256, 2, 2] →
/// u₃ [B, 128, 4, 4] → u₂ [B, 64, 8, 8] → u₁ [B, 32, 16, 16] → [B, C, 32, 32].
/// </summary>
internal sealed class UnetTranslator : Translator
{
    private readonly ModuleList<Conv2d> down = new();               // level i: eᵢ₋₁ (or x) → eᵢ
    private readonly ModuleList<ConvTranspose2d> up = new();        // level i: [eᵢ, uᵢ₊₁] (or e_{L−1}) → uᵢ (or y)
    private readonly ModuleList<nn.Module<Tensor, Tensor>> downNorms = new(), upNorms = new();   // levels 1 … L−2, and 1 … L−1

    /// <summary>Encoder (and decoder) levels: the images' sides are halved this many times.</summary>
    public int Levels { get; }

    /// <summary>
    /// A U-Net of <paramref name="channels"/>-channel images with <paramref name="features"/> maps at the first level
    /// and <paramref name="levels"/> levels (at least 2), initialised from <paramref name="rng"/>. Image sides must be
    /// multiples of 2^levels.
    /// </summary>
    public UnetTranslator(int channels, int features, int levels, torch.Generator? rng = null) : base("unet_translator")
    {
        if (channels < 1 || features < 1 || levels < 2)
            throw new ArgumentOutOfRangeException(nameof(levels), "channels and features must be positive, and a U-Net has at least 2 levels");
        Levels = levels;
        long Width(int level) => features * Math.Min(1L << Math.Min(level, 3), 8);
        for (int i = 0; i < levels; i++)
        {
            long outer = i == 0 ? channels : Width(i - 1), inner = Width(i);
            down.Add(nn.Conv2d(i == 0 ? channels : outer, inner, 4, stride: 2, padding: 1));
            up.Add(nn.ConvTranspose2d(i == levels - 1 ? inner : 2 * inner, outer, 4, stride: 2, padding: 1));
            if (i > 0 && i < levels - 1) downNorms.Add(ResnetTranslator.Norm(inner));
            if (i > 0) upNorms.Add(ResnetTranslator.Norm(outer));
        }
        RegisterComponents();
        ResnetTranslator.Initialise(this, rng);
    }

    /// <summary>images [B, C, H, W] in [0, 1] → images [B, C, H, W] in [0, 1].</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var skips = new Tensor[Levels - 1];                                        // e₀ … e_{L−2}
        var h = down[0].forward(x.mul(2).sub_(1));                                 // e₀ [B, f, H/2, W/2], from x in [−1, 1]
        for (int i = 1; i < Levels; i++)
        {
            skips[i - 1] = h;
            h = down[i].forward(nn.functional.leaky_relu(h, 0.2));                 // eᵢ [B, f·min(2^i, 8), H/2^(i+1), W/2^(i+1)]
            if (i < Levels - 1) h = downNorms[i - 1].forward(h);
        }
        for (int i = Levels - 1; i >= 1; i--)
        {
            var input = i == Levels - 1 ? h : cat([skips[i], h], 1);               // [eᵢ, uᵢ₊₁]
            h = upNorms[i - 1].forward(up[i].forward(input.relu()));               // uᵢ, the size of eᵢ₋₁
        }
        var y = up[0].forward(cat([skips[0], h], 1).relu_()).tanh();              // [B, C, H, W] in [−1, 1]
        return y.add(1).mul_(0.5).MoveToOuterDisposeScope();                       // tanh's output stays as its backward needs it
    }
}
