using System.Text.Json.Serialization;

namespace GanSharp.Configuration;

/// <summary>
/// DCGAN (Radford, Metz and Chintala 2015, "Unsupervised Representation Learning with Deep Convolutional Generative
/// Adversarial Networks"): G from z by fractionally-strided (transposed) convolutions with batch norm and ReLU, a tanh
/// output; D by strided convolutions with LeakyReLU 0.2 and batch norm (none on D's first layer or G's last); weights
/// N(0, 0.02), batch-norm scales N(1, 0.02). Sized for square images of 28, 32 or 64 pixels. ACGAN's nets
/// (<see cref="AcganModelConfig"/>) are these with a class beside z and a class head on D.
/// </summary>
public record DcganModelConfig : ModelConfig
{
    /// <summary>Feature maps of G's last hidden layer (ngf; doubled at each coarser scale).</summary>
    public int GeneratorFeatures { get; init; } = 64;
    /// <summary>Feature maps of D's first layer (ndf; doubled at each coarser scale).</summary>
    public int DiscriminatorFeatures { get; init; } = 64;
    /// <summary>
    /// The normalisation of D's hidden layers: batch (DCGAN's), layer (per image, over channels and positions: what
    /// WGAN-GP puts in its critic, since a gradient penalty is per image and batch norm couples the images), or none.
    /// </summary>
    public Normalisation DiscriminatorNorm { get; init; } = Normalisation.Batch;

    /// <summary>The image sizes the nets are built for.</summary>
    public static readonly int[] Sizes = [28, 32, 64];

    /// <summary>A DCGAN's prior is the standard normal (the reference implementation's), not the paper's uniform.</summary>
    public DcganModelConfig() => Noise = NoiseKind.Gaussian;

    /// <inheritdoc/>
    /// <remarks>
    /// An upper estimate: five 4×4 layers between the widest feature maps (8·ngf, 8·ndf) in each net (and, where a
    /// family conditions on classes, their one-hot input and class head).
    /// </remarks>
    public override double EstimatedWeights()
    {
        double g = 8.0 * GeneratorFeatures, d = 8.0 * DiscriminatorFeatures;
        return 16 * ((NoiseDim + Classes + Channels) * g + 5 * g * g) + 16 * ((Channels + Classes + 1) * d + 5 * d * d);
    }

    /// <inheritdoc/>
    public override IEnumerable<string> Problems()
    {
        foreach (var p in base.Problems()) yield return p;
        if (GeneratorFeatures <= 0 || DiscriminatorFeatures <= 0) yield return "generator-features and discriminator-features must be positive";
        if (Height != Width || !Sizes.Contains(Height))
            yield return $"the DCGAN nets are built for square images of {string.Join(", ", Sizes)} pixels, not {Height}×{Width}";
    }
}
