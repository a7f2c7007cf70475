namespace GanSharp.Configuration;

/// <summary>
/// Small MLPs for points in ℝᵈ (the 1-D and 2-D experiments; d = Width, images of 1×1×d): a generator with
/// <see cref="GeneratorActivation"/> hidden layers and a linear output, a leaky-ReLU discriminator without dropout.
/// </summary>
public sealed record ToyModelConfig : ModelConfig
{
    /// <summary>Hidden layer widths of the generator.</summary>
    public int[] GeneratorHidden { get; init; } = [32, 32];
    /// <summary>The generator's hidden nonlinearity.</summary>
    public Activation GeneratorActivation { get; init; } = Activation.Relu;
    /// <summary>Units per discriminator layer.</summary>
    public int DiscriminatorUnits { get; init; } = 64;
    /// <summary>Number of hidden discriminator layers.</summary>
    public int DiscriminatorLayers { get; init; } = 2;

    /// <inheritdoc/>
    public override double EstimatedWeights() =>
        Chain(NoiseDim, GeneratorHidden.Select(h => (double)h), Width) + Chain(Width, Enumerable.Repeat((double)DiscriminatorUnits, Math.Max(DiscriminatorLayers, 0)), 1);

    /// <inheritdoc/>
    public override IEnumerable<string> Problems()
    {
        foreach (var p in base.Problems()) yield return p;
        if (!GeneratorHidden.All(h => h > 0) || DiscriminatorUnits <= 0) yield return "layer widths must be positive";
    }
}

/// <summary>A hidden-layer nonlinearity.</summary>
public enum Activation
{
    /// <summary>max(0, x).</summary>
    Relu,
    /// <summary>tanh x: smooth, so a 1-D generator's map z → x (and so p_g) has no kinks.</summary>
    Tanh,
}
