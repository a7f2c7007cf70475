using System.Text.Json.Serialization;

namespace GanSharp.Configuration;

/// <summary>
/// CycleGAN's nets (Zhu et al. 2017, appendix 7.2): two translators G: X → Y and F: Y → X (ResNets, or the reference's
/// U-Nets with <see cref="Translator"/>) and two PatchGAN discriminators D_X and D_Y (<c>"kind": "cyclegan"</c>),
/// trained by the <c>cycle-consistent</c> game. No noise: a
/// translator maps an image to an image. Defaults are the reference's nets for 256×256 images (64 features, two
/// downsamplings, 9 residual blocks; D of 64 features and 3 layers); the <c>cyclegan-emoji</c> preset shrinks them for
/// 32×32 emoji, as docs/models.md measures.
/// </summary>
public sealed record CycleGanModelConfig : ModelConfig
{
    /// <summary>Feature maps of the translators' first layer (the reference's ngf, 64); doubled at each downsampling.</summary>
    public int GeneratorFeatures { get; init; } = 64;
    /// <summary>
    /// Residual blocks at the ResNet translators' coarsest scale (the reference: 9 for 256×256 images, 6 for 128×128);
    /// a U-Net has none: say 0 (any other number is refused rather than ignored).
    /// </summary>
    public int ResidualBlocks { get; init; } = 9;
    /// <summary>
    /// Stride-2 downsamplings (and as many upsamplings): around the ResNet's blocks (the reference's 2), or a U-Net's
    /// levels (the reference's unet_256: 8, down to 1×1; 5 does that for 32×32 images).
    /// </summary>
    public int Downsamplings { get; init; } = 2;
    /// <summary>Feature maps of the discriminators' first layer (the reference's ndf, 64).</summary>
    public int DiscriminatorFeatures { get; init; } = 64;
    /// <summary>The discriminators' stride-2 layers (the reference's n_layers_D, 3: 70×70 patches on 256×256 images).</summary>
    public int DiscriminatorLayers { get; init; } = 3;

    /// <summary>
    /// How the translators go back up: <see cref="CycleGanUpsampling.Transposed"/> stride-2 transposed convolutions (the
    /// reference's, the default and never written), or <see cref="CycleGanUpsampling.Resize"/> — nearest-neighbour ×2,
    /// reflection pad, 3×3 convolution (Odena et al. 2016, "Deconvolution and checkerboard artifacts": a transposed
    /// convolution whose kernel the stride does not divide overlaps unevenly and paints a checkerboard).
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public CycleGanUpsampling Upsampling { get; init; }

    /// <summary>
    /// The translators' architecture: <see cref="CycleGanTranslator.Resnet"/> (the paper's, the default and never
    /// written) or <see cref="CycleGanTranslator.Unet"/> (the reference's <c>unet_256</c>: skip connections carry every
    /// scale of the input to the output).
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public CycleGanTranslator Translator { get; init; }

    private readonly int? noiseDim;
    private readonly NoiseKind? noise;

    /// <summary>A translator draws from no noise: 0, and never written; a configuration that sets it is refused (<see cref="Problems"/>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public override int NoiseDim { get => noiseDim ?? 0; init => noiseDim = value; }
    /// <summary>A translator draws from no noise: never written; a configuration that sets it is refused.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public override NoiseKind Noise { get => noise ?? default; init => noise = value; }
    /// <inheritdoc/>
    [JsonIgnore]
    public override bool DrawsFromNoise => false;
    /// <inheritdoc/>
    [JsonIgnore]
    public override string? TrainedBy => "cycle-consistent";

    /// <summary>The side of the discriminators' output map for the model's images (each output one patch's verdict).</summary>
    public int PatchSide()
    {
        int side = Math.Min(Height, Width);
        for (int n = 0; n < DiscriminatorLayers; n++) side = (side - 2) / 2 + 1;   // 4×4, stride 2, padding 1
        return side - 2;                                                           // two 4×4 layers of stride 1, padding 1
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Two translators (ResNet: convolutions 7×7, 3×3 and the residual blocks' 3×3 pairs; U-Net: 4×4 down and up, the
    /// decoder's inputs doubled by the skips) and two discriminators (4×4).
    /// </remarks>
    public override double EstimatedWeights()
    {
        double f = GeneratorFeatures, c = Channels, g = 0;
        if (Translator == CycleGanTranslator.Unet)
            for (int i = 0; i < Downsamplings; i++)
            {
                double outer = i == 0 ? c : f * Math.Min(1 << Math.Min(i - 1, 3), 8), inner = f * Math.Min(1 << Math.Min(i, 3), 8);
                g += 16 * outer * inner + 16 * (i == Downsamplings - 1 ? 1 : 2) * inner * outer;
            }
        else
        {
            g = 49 * c * f + 49 * f * c;
            double width = f;
            for (int i = 0; i < Downsamplings; i++, width *= 2) g += 2 * 9 * width * width * 2;   // down and up
            g += ResidualBlocks * 2 * 9 * width * width;
        }
        double d = 16 * c * DiscriminatorFeatures, dw = DiscriminatorFeatures;
        for (int n = 1; n <= DiscriminatorLayers; n++)
        {
            double next = DiscriminatorFeatures * Math.Min(1 << Math.Min(n, 3), 8);
            d += 16 * dw * next;
            dw = next;
        }
        d += 16 * dw;
        return 2 * (g + d);
    }

    /// <inheritdoc/>
    public override IEnumerable<string> Problems()
    {
        foreach (var p in base.Problems()) yield return p;
        if (noiseDim is not null || noise is not null)
            yield return "model: a cyclegan model's translators map images to images and draw no noise: leave noise-dim and noise out";
        if (GeneratorFeatures is < 1 or > 1024) yield return $"generator-features must lie in 1…1024 (got {GeneratorFeatures})";
        if (DiscriminatorFeatures is < 1 or > 1024) yield return $"discriminator-features must lie in 1…1024 (got {DiscriminatorFeatures})";
        if (ResidualBlocks is < 0 or > 64) yield return $"residual-blocks must lie in 0…64 (got {ResidualBlocks})";
        if (Downsamplings is < 0 or > 6) yield return $"downsamplings must lie in 0…6 (got {Downsamplings})";
        if (DiscriminatorLayers is < 1 or > 8) yield return $"discriminator-layers must lie in 1…8 (got {DiscriminatorLayers})";
        if (Downsamplings is >= 0 and <= 6 && (Height % (1 << Downsamplings) != 0 || Width % (1 << Downsamplings) != 0))
            yield return $"model: {Height}×{Width} images cannot be halved {Downsamplings} times and restored: sides must be multiples of {1 << Downsamplings} (say --image-size, or fewer downsamplings)";
        if (Translator == CycleGanTranslator.Unet)
        {
            if (ResidualBlocks != 0) yield return $"model: a unet translator has no residual blocks (residual-blocks is {ResidualBlocks}): say \"residual-blocks\": 0";
            if (Downsamplings < 2) yield return $"model: a unet translator has at least 2 levels (downsamplings; got {Downsamplings})";
            if (Upsampling != CycleGanUpsampling.Transposed) yield return "model: upsampling resize is an option of the resnet translator; a unet's decoder is transposed convolutions";
        }
        else if (Downsamplings is >= 0 and <= 6 && Math.Min(Height, Width) >> Downsamplings < 2)
            yield return $"model: {Downsamplings} downsamplings leave {Height >> Downsamplings}×{Width >> Downsamplings} maps of {Height}×{Width} images, too small for the residual blocks' reflection padding (use fewer)";
        if (DiscriminatorLayers is >= 1 and <= 8 && PatchSide() < 1)
            yield return $"model: {DiscriminatorLayers} discriminator layers leave no patch of {Height}×{Width} images to judge (use fewer discriminator-layers)";
    }
}

/// <summary>CycleGAN's translator architectures (<see cref="CycleGanModelConfig.Translator"/>).</summary>
public enum CycleGanTranslator
{
    /// <summary>Johnson et al.'s ResNet: a stem, downsamplings, residual blocks, upsamplings (the paper's).</summary>
    Resnet,
    /// <summary>The U-Net of pix2pix (the reference's <c>unet_256</c>): 4×4 stride-2 levels down and up, with skips.</summary>
    Unet,
}

/// <summary>How CycleGAN's translators upsample (<see cref="CycleGanModelConfig.Upsampling"/>).</summary>
public enum CycleGanUpsampling
{
    /// <summary>Stride-2 3×3 transposed convolutions (the reference's).</summary>
    Transposed,
    /// <summary>Nearest-neighbour ×2, reflection pad 1, 3×3 convolution.</summary>
    Resize,
}
