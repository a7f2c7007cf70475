using System.Text.Json.Serialization;

namespace GanSharp.Configuration;

/// <summary>
/// StackGAN's nets (Zhang et al. 2017, section 3 and the reference's <c>model.py</c>; <c>"kind": "stackgan"</c>), trained by
/// the <c>stacked</c> game on captioned images: conditioning augmentation (a sentence embedding of
/// <see cref="TextDim"/> → a Gaussian of <see cref="ConditionDim"/> dimensions), a Stage-I generator from noise and the
/// condition to <see cref="StageOneSize"/>² images and its discriminator, and — when the images are larger than that —
/// a Stage-II generator that refines Stage-I's image under the same text to the full size, with its own discriminator.
/// A <see cref="StageOneSize"/> equal to the image side is one stage: the single-stage text-conditional baseline.
/// Widths are the reference's divided for this machine (its birds: 128 generator and 96/64 discriminator features).
/// </summary>
public sealed record StackGanModelConfig : ModelConfig
{
    /// <summary>Dimension of the sentence embeddings the nets read (all-MiniLM-L6-v2's 384).</summary>
    public int TextDim { get; init; } = 384;
    /// <summary>
    /// Factor on the sentence embedding before conditioning augmentation (null: √<see cref="TextDim"/>). all-MiniLM-L6-v2's
    /// embeddings are unit vectors, so their components are about 1/√E (measured on the emoji captions: 0.044 spread per
    /// component, 0.87 between two captions); through the CA's N(0, 0.02) layer the text would move μ by about 0.02 while
    /// ε is of size 1 — a condition that is nearly all noise at the start, and the KL term holds μ down. Scaled by √E the
    /// components are of size 1, the scale the layer's initialisation assumes. 1 reads the embeddings as they are.
    /// </summary>
    public double? TextScale { get; init; }
    /// <summary>The factor <see cref="TextScale"/> names.</summary>
    [JsonIgnore]
    public double TextFactor => TextScale ?? Math.Sqrt(TextDim);
    /// <summary>Dimension of the augmented condition c (the reference's CONDITION_DIM, 128).</summary>
    public int ConditionDim { get; init; } = 128;
    /// <summary>Side of Stage-I's images (16: the paper's 4× jump to 64×64); the image side itself: one stage.</summary>
    public int StageOneSize { get; init; } = 16;
    /// <summary>ngf: Stage-I's first map (4×4) has 8·ngf channels, halved at each doubling; Stage-II's residual blocks 4·ngf.</summary>
    public int GeneratorFeatures { get; init; } = 32;
    /// <summary>ndf: the discriminators' first layer; doubled at each halving down to 4×4 (8·ndf there).</summary>
    public int DiscriminatorFeatures { get; init; } = 32;
    /// <summary>Stage-II's residual blocks at Stage-I's resolution (the reference's R_NUM, 2).</summary>
    public int ResidualBlocks { get; init; } = 2;

    /// <summary>The reference's noise: standard normal.</summary>
    public override NoiseKind Noise { get; init; } = NoiseKind.Gaussian;

    /// <inheritdoc/>
    [JsonIgnore]
    public override string? TrainedBy => "stacked";

    /// <summary>The side at which Stage-II joins the text to Stage-I's encoded image and runs its residual blocks: 16 (the reference's), or Stage-I's side when smaller.</summary>
    [JsonIgnore]
    public int JoinSide => Math.Min(StageOneSize, 16);

    /// <summary>Whether there is a Stage-II (images larger than Stage-I's).</summary>
    [JsonIgnore]
    public bool TwoStages => StageOneSize < Height;

    /// <summary>Doublings from 4×4 to <paramref name="side"/>.</summary>
    public static int Doublings(int side) => side >= 4 && (side & (side - 1)) == 0 ? System.Numerics.BitOperations.Log2((uint)side) - 2 : -1;

    /// <inheritdoc/>
    public override double EstimatedWeights()
    {
        double g = GeneratorFeatures, d = DiscriminatorFeatures, c = ConditionDim, total = 0;
        double Stage(int side)   // CA, G from the 4×4 map up, D down to 4×4 and its head
        {
            double w = (TextDim + 1) * 2 * c + (NoiseDim + c) * 16 * 8 * g, ch = 8 * g;
            for (int i = 0; i < Doublings(side); i++, ch /= 2) w += 9 * ch * ch / 2;
            w += 9 * ch * Channels;
            double dc = Channels;
            for (int i = 0, n = Doublings(side); i < n; i++) { double next = d * (1 << Math.Min(i, 3)); w += 16 * dc * next; dc = next; }
            return w + 9 * (dc + c) * dc + 16 * dc;
        }
        total += Stage(StageOneSize);
        if (TwoStages) total += Stage(Height) + 9 * Channels * 4 * g + 9 * (4 * g + c) * 4 * g + ResidualBlocks * 2 * 9 * 16 * g * g;
        return total;
    }

    /// <inheritdoc/>
    public override IEnumerable<string> Problems()
    {
        foreach (var p in base.Problems()) yield return p;
        if (TextDim is < 1 or > 65_536) yield return $"text-dim must lie in 1…65,536 (got {TextDim})";
        if (TextScale is { } scale && !(scale > 0 && scale <= 1e6)) yield return $"text-scale must be positive and at most 1e6 (got {scale:G4})";
        if (ConditionDim is < 1 or > 4_096) yield return $"condition-dim must lie in 1…4,096 (got {ConditionDim})";
        if (GeneratorFeatures is < 1 or > 1024) yield return $"generator-features must lie in 1…1024 (got {GeneratorFeatures})";
        if (DiscriminatorFeatures is < 1 or > 1024) yield return $"discriminator-features must lie in 1…1024 (got {DiscriminatorFeatures})";
        if (ResidualBlocks is < 0 or > 16) yield return $"residual-blocks must lie in 0…16 (got {ResidualBlocks})";
        if (Height != Width || Doublings(Height) < 1)
            yield return $"model: the stackgan nets draw square images whose side is a power of 2 from 8 on, not {Height}×{Width} (say --image-size)";
        else if (Doublings(StageOneSize) < 1 || StageOneSize > Height)
            yield return $"model: stage-one-size must be a power of 2 from 8 up to the image side {Height} (got {StageOneSize})";
        if (GeneratorFeatures >= 1 && Doublings(StageOneSize) >= 1 && GeneratorFeatures * 8 >> Doublings(StageOneSize) < 1)
            yield return $"model: generator-features {GeneratorFeatures} cannot be halved {Doublings(StageOneSize)} times from 8·ngf (give more)";
    }
}
