using System.Text.Json.Serialization;

namespace GanSharp.Configuration;

/// <summary>
/// The semi-supervised GAN's MNIST nets (Salimans et al. 2016, released code train_mnist_feature_matching.py): G z ∈
/// [0, 1]¹⁰⁰ → 500 → 500 (linear, batch norm without scale, bias, softplus) → a weight-normalised layer with a trained
/// scale → 784 sigmoid; D a classifier 784 → 1000 → 500 → 250 → 250 → 250 → K logits of weight-normalised layers (scales
/// fixed after a data-dependent initialisation on 500 training images, the last layer's trained), ReLU, Gaussian noise
/// added to its input (σ 0.3) and to every hidden layer's output (σ 0.5) in training.
/// </summary>
public sealed record SemiSupervisedMlpModelConfig : ModelConfig
{
    /// <summary>G's hidden widths (softplus, batch norm).</summary>
    public int[] GeneratorHidden { get; init; } = [500, 500];
    /// <summary>D's hidden widths (ReLU); the last is the layer feature matching matches.</summary>
    public int[] DiscriminatorHidden { get; init; } = [1000, 500, 250, 250, 250];
    /// <summary>σ of the Gaussian noise added to D's input in training.</summary>
    public double DiscriminatorInputNoise { get; init; } = 0.3;
    /// <summary>σ of the Gaussian noise added to D's hidden layers' outputs in training.</summary>
    public double DiscriminatorHiddenNoise { get; init; } = 0.5;
    /// <summary>Training images (in a seeded order) D's data-dependent initialisation sees (the reference: 500).</summary>
    public int DiscriminatorInitialisationImages { get; init; } = 500;

    /// <summary>The reference's prior: z uniform in the unit hypercube.</summary>
    public SemiSupervisedMlpModelConfig() => Noise = NoiseKind.UnitUniform;

    /// <summary>D classifies; G takes no label.</summary>
    [JsonIgnore]
    public override Conditioning Conditioning => Conditioning.Classifier;

    /// <inheritdoc/>
    [JsonIgnore]
    public override string TrainedBy => "semi-supervised";

    /// <inheritdoc/>
    public override double EstimatedWeights() =>
        Chain(NoiseDim, GeneratorHidden.Select(h => (double)h), Pixels) + Chain(Pixels, DiscriminatorHidden.Select(h => (double)h), Math.Max(Classes, 1));

    /// <inheritdoc/>
    public override IEnumerable<string> Problems()
    {
        foreach (var p in base.Problems()) yield return p;
        if (GeneratorHidden.Length == 0 || DiscriminatorHidden.Length == 0 || !GeneratorHidden.Concat(DiscriminatorHidden).All(w => w > 0))
            yield return "generator-hidden and discriminator-hidden need at least one layer each, of positive widths";
        if (DiscriminatorInputNoise is not (>= 0 and <= 100) || DiscriminatorHiddenNoise is not (>= 0 and <= 100))
            yield return "the noise levels of D must lie in [0, 100]";
        if (DiscriminatorInitialisationImages < 2)
            yield return $"discriminator-initialisation-images must be at least 2 (got {DiscriminatorInitialisationImages})";
    }
}
