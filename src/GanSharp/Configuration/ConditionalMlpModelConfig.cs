using System.Text.Json.Serialization;

namespace GanSharp.Configuration;

/// <summary>
/// The conditional adversarial nets of Mirza &amp; Osindero (2014, section 4.1, MNIST): G maps z (100, uniform in the unit
/// hypercube) to 200 ReLU units and the one-hot label y to 1000 ReLU units, joins them in 1200 ReLU units, then a
/// sigmoid image; D maps x to a maxout layer of 240 units × 5 pieces and y to one of 50 × 5, joins them in a maxout layer
/// of 240 × 4, then a single logit. Dropout (keep 0.5) in both nets' hidden layers, as the paper says — D also drops
/// its inputs (keep 0.8 on the image, as the 2014 paper's D), an assumption; initial weights as the 2014 paper's nets
/// (U(±0.05) in G, U(±0.005) in D), also an assumption: the paper does not give them.
/// </summary>
public sealed record ConditionalMlpModelConfig : ModelConfig
{
    /// <summary>G's units for z.</summary>
    public int GeneratorNoiseUnits { get; init; } = 200;
    /// <summary>G's units for y.</summary>
    public int GeneratorLabelUnits { get; init; } = 1000;
    /// <summary>G's joint hidden units.</summary>
    public int GeneratorJointUnits { get; init; } = 1200;
    /// <summary>Keep probability of dropout on G's hidden units in training (the paper: 0.5; 1: none).</summary>
    public double GeneratorHiddenKeep { get; init; } = 0.5;
    /// <summary>
    /// Whether G's samples are drawn with its dropout masks, as in training (default): the masks are part of G's noise,
    /// and the distribution the game trained is G with them. False: the deterministic net of evaluation mode (weights
    /// scaled by the keep probability), a different distribution, which the game never showed D.
    /// </summary>
    public bool GeneratorSamplesWithDropout { get; init; } = true;
    /// <summary>Generator weights start uniform in ±this.</summary>
    public double GeneratorInitRange { get; init; } = 0.05;
    /// <summary>Start the generator's sigmoid output bias at logit(mean training pixel), as the 2014 paper's code did.</summary>
    public bool GeneratorOutputBiasFromData { get; init; } = true;
    /// <summary>D's maxout units and pieces for x.</summary>
    public int DiscriminatorImageUnits { get; init; } = 240;
    /// <summary>D's maxout units for y.</summary>
    public int DiscriminatorLabelUnits { get; init; } = 50;
    /// <summary>Pieces of D's first maxout layers (x and y).</summary>
    public int DiscriminatorPieces { get; init; } = 5;
    /// <summary>D's joint maxout units.</summary>
    public int DiscriminatorJointUnits { get; init; } = 240;
    /// <summary>Pieces of D's joint maxout layer.</summary>
    public int DiscriminatorJointPieces { get; init; } = 4;
    /// <summary>Dropout keep probability on D's image input.</summary>
    public double DiscriminatorInputKeep { get; init; } = 0.8;
    /// <summary>Dropout keep probability on D's hidden layers' inputs.</summary>
    public double DiscriminatorHiddenKeep { get; init; } = 0.5;
    /// <summary>Discriminator weights start uniform in ±this.</summary>
    public double DiscriminatorInitRange { get; init; } = 0.005;

    /// <summary>The paper's prior: z uniform in the unit hypercube.</summary>
    public ConditionalMlpModelConfig() => Noise = NoiseKind.UnitUniform;

    /// <summary>Both nets take the label (Mirza &amp; Osindero).</summary>
    [JsonIgnore]
    public override Conditioning Conditioning => Conditioning.Input;

    /// <inheritdoc/>
    public override double EstimatedWeights() =>
        (NoiseDim + 1.0) * GeneratorNoiseUnits + (Classes + 1.0) * GeneratorLabelUnits
        + (GeneratorNoiseUnits + GeneratorLabelUnits + 1.0) * GeneratorJointUnits + (GeneratorJointUnits + 1.0) * Pixels
        + (Pixels + 1) * DiscriminatorImageUnits * DiscriminatorPieces + (Classes + 1.0) * DiscriminatorLabelUnits * DiscriminatorPieces
        + (DiscriminatorImageUnits + DiscriminatorLabelUnits + 1.0) * DiscriminatorJointUnits * DiscriminatorJointPieces + DiscriminatorJointUnits + 1.0;

    /// <inheritdoc/>
    public override IEnumerable<string> Problems()
    {
        foreach (var p in base.Problems()) yield return p;
        int[] widths = [GeneratorNoiseUnits, GeneratorLabelUnits, GeneratorJointUnits, DiscriminatorImageUnits, DiscriminatorLabelUnits,
                        DiscriminatorPieces, DiscriminatorJointUnits, DiscriminatorJointPieces];
        if (widths.Any(w => w <= 0)) yield return "layer widths and maxout pieces must be positive";
        if (new[] { GeneratorHiddenKeep, DiscriminatorInputKeep, DiscriminatorHiddenKeep }.Any(k => k is not (> 0 and <= 1)))
            yield return "dropout keep probabilities must lie in (0, 1]";
    }
}
