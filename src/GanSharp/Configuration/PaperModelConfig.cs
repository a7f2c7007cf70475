namespace GanSharp.Configuration;

/// <summary>
/// The paper's MNIST nets (Goodfellow et al. 2014, released code adversarial/mnist.yaml): a ReLU MLP generator with a
/// sigmoid output; a maxout discriminator with dropout on every layer's input.
/// </summary>
public sealed record PaperModelConfig : ModelConfig
{
    /// <summary>Hidden layer widths of the MLP generator.</summary>
    public int[] GeneratorHidden { get; init; } = [1200, 1200];
    /// <summary>Generator weights start uniform in ±this (pylearn2's irange).</summary>
    public double GeneratorInitRange { get; init; } = 0.05;
    /// <summary>Start the generator's sigmoid output bias at logit(mean training pixel), as the paper's code did.</summary>
    public bool GeneratorOutputBiasFromData { get; init; } = true;
    /// <summary>Maxout units per discriminator layer.</summary>
    public int DiscriminatorUnits { get; init; } = 240;
    /// <summary>Linear pieces per maxout unit.</summary>
    public int DiscriminatorPieces { get; init; } = 5;
    /// <summary>Number of maxout layers.</summary>
    public int DiscriminatorLayers { get; init; } = 2;
    /// <summary>Discriminator weights start uniform in ±this.</summary>
    public double DiscriminatorInitRange { get; init; } = 0.005;
    /// <summary>Dropout keep probability on the discriminator's image input.</summary>
    public double DiscriminatorInputKeep { get; init; } = 0.8;
    /// <summary>Dropout keep probability on the discriminator's hidden layers' inputs.</summary>
    public double DiscriminatorHiddenKeep { get; init; } = 0.5;

    /// <inheritdoc/>
    /// <remarks>Exact: G's affine layers, and D's maxout layers (each an affine map to units × pieces) and output.</remarks>
    public override double EstimatedWeights()
    {
        double d = 0, width = Pixels;
        for (int i = 0; i < DiscriminatorLayers; i++) { d += (width + 1) * DiscriminatorUnits * DiscriminatorPieces; width = DiscriminatorUnits; }
        return Chain(NoiseDim, GeneratorHidden.Select(h => (double)h), Pixels) + d + width + 1;
    }

    /// <inheritdoc/>
    public override IEnumerable<string> Problems()
    {
        foreach (var p in base.Problems()) yield return p;
        if (!GeneratorHidden.All(h => h > 0)) yield return "generator-hidden widths must be positive";
        if (DiscriminatorUnits <= 0 || DiscriminatorPieces <= 0) yield return "discriminator units and pieces must be positive";
        if (DiscriminatorLayers < 0) yield return $"discriminator-layers must not be negative (got {DiscriminatorLayers})";
        if (DiscriminatorInputKeep is not (> 0 and <= 1) || DiscriminatorHiddenKeep is not (> 0 and <= 1))
            yield return "dropout keep probabilities must lie in (0, 1]";
    }
}
