namespace GanSharp.Configuration;

/// <summary>
/// SNGAN's standard CNN (Miyato et al. 2018, "Spectral Normalization for Generative Adversarial Networks", Table 3 /
/// appendix B.4): G z ∈ ℝ¹²⁸ ~ 𝒩(0, I) → dense to M_g×M_g×512 → three (32×32; two for 28×28) 4×4 stride-2 transposed
/// convolutions halving the channels, each with batch norm and ReLU → 3×3 convolution to the image, tanh; D seven
/// convolutions (3×3 stride 1 and 4×4 stride 2 in turn: 64, 64, 128, 128, 256, 256, 512), LeakyReLU 0.1, then dense
/// to one score, every layer spectrally normalised. M_g = 4 for 32×32 images; 7 for 28×28 (MNIST), with one
/// up-sampling fewer.
/// </summary>
public sealed record SnganModelConfig : ModelConfig
{
    /// <summary>Channels of G's first feature map (512; halved by each up-sampling).</summary>
    public int GeneratorFeatures { get; init; } = 512;
    /// <summary>Channels of D's first layers (64; doubled at each down-sampling, 512 at the last).</summary>
    public int DiscriminatorFeatures { get; init; } = 64;

    /// <summary>The image sizes the nets are built for.</summary>
    public static readonly int[] Sizes = [28, 32];

    /// <summary>SNGAN's prior: z ∈ ℝ¹²⁸, standard normal.</summary>
    public SnganModelConfig()
    {
        Noise = NoiseKind.Gaussian;
        NoiseDim = 128;
    }

    /// <inheritdoc/>
    /// <remarks>An upper estimate: G's dense layer to 7×7 maps and four 4×4 layers of its widest maps; D's seven 4×4 layers of 8·ndf maps.</remarks>
    public override double EstimatedWeights()
    {
        double g = GeneratorFeatures, d = 8.0 * DiscriminatorFeatures;
        return NoiseDim * 49 * g + 4 * 16 * g * g + 7 * 16 * d * d + 16 * d;
    }

    /// <inheritdoc/>
    public override IEnumerable<string> Problems()
    {
        foreach (var p in base.Problems()) yield return p;
        if (GeneratorFeatures < 8 || DiscriminatorFeatures <= 0) yield return "generator-features must be at least 8 and discriminator-features positive";
        if (Height != Width || !Sizes.Contains(Height))
            yield return $"the SNGAN nets are built for square images of {string.Join(", ", Sizes)} pixels, not {Height}×{Width}";
    }
}
