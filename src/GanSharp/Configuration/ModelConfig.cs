using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace GanSharp.Configuration;

/// <summary>
/// Which nets play, and their sizes: one record per family, told apart in JSON by <c>"kind"</c>. What every family
/// shares is here — the noise z and the image shape (taken from the data when a run starts). The nets are built from
/// these records by <c>GanSharp.Models.Nets</c>, which knows every kind.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind", UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization)]
[JsonDerivedType(typeof(PaperModelConfig), "paper")]
[JsonDerivedType(typeof(ToyModelConfig), "toy")]
[JsonDerivedType(typeof(DcganModelConfig), "dcgan")]
[JsonDerivedType(typeof(SnganModelConfig), "sngan")]
[JsonDerivedType(typeof(ConditionalMlpModelConfig), "conditional-mlp")]
[JsonDerivedType(typeof(SemiSupervisedMlpModelConfig), "semi-supervised-mlp")]
[JsonDerivedType(typeof(CustomModelConfig), "custom")]
public abstract record ModelConfig
{
    /// <summary>Dimension of the noise z.</summary>
    public int NoiseDim { get; init; } = 100;
    /// <summary>The noise prior p_z.</summary>
    public NoiseKind Noise { get; init; } = NoiseKind.Uniform;
    /// <summary>Image channels (taken from the data).</summary>
    public int Channels { get; init; } = 1;
    /// <summary>Image height (taken from the data).</summary>
    public int Height { get; init; } = 28;
    /// <summary>Image width (taken from the data).</summary>
    public int Width { get; init; } = 28;

    /// <summary>
    /// How the nets use class labels: not at all, as an input of both (G(z | y), D(x | y)), or G's input and D's second
    /// output (an auxiliary classifier). A conditional model's <see cref="Classes"/>, <see cref="ClassNames"/> and
    /// <see cref="ClassFrequencies"/> are taken from the training data's labels when a run starts.
    /// </summary>
    [JsonIgnore]
    public virtual Conditioning Conditioning => Conditioning.None;

    /// <summary>Whether the generator is conditioned on a class label (Input or AuxiliaryClassifier conditioning).</summary>
    [JsonIgnore]
    public bool Conditional => Conditioning is Conditioning.Input or Conditioning.AuxiliaryClassifier;

    /// <summary>Whether the nets need the data's classes (any conditioning: a classifying D too).</summary>
    [JsonIgnore]
    public bool UsesClasses => Conditioning != Conditioning.None;

    /// <summary>Classes the nets are conditioned on (taken from the data; 0: an unconditional model).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int Classes { get; init; }

    /// <summary>The name of each class (index = label; taken from the data, null: the indices).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string[]? ClassNames { get; init; }

    /// <summary>
    /// The share of each class among the training images (taken from the data): the labels a conditional generator draws
    /// when none are asked for — "conditioned on labels drawn as in the data" (null: uniform).
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double[]? ClassFrequencies { get; init; }

    /// <summary>The probability of each class in a conditional generator's samples: <see cref="ClassFrequencies"/> or uniform.</summary>
    public float[] ClassProbabilities() =>
        ClassFrequencies?.Select(f => (float)f).ToArray() ?? Enumerable.Repeat(1f / Math.Max(Classes, 1), Classes).ToArray();

    /// <summary>The name of class <paramref name="label"/>: its name from the data, else its index.</summary>
    public string ClassName(int label) => ClassNames is { } names && label < names.Length ? names[label] : label.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The label of the class called <paramref name="nameOrIndex"/>: a class name (any case), else an index.</summary>
    /// <exception cref="InputException">An unconditional model, or no such class.</exception>
    public int ClassIndex(string nameOrIndex)
    {
        if (Classes == 0) throw new InputException("the model is not conditional: it has no classes to ask for");
        var names = Enumerable.Range(0, Classes).Select(ClassName).ToList();
        int byName = names.FindIndex(n => string.Equals(n, nameOrIndex.Trim(), StringComparison.OrdinalIgnoreCase));
        if (byName >= 0) return byName;
        if (int.TryParse(nameOrIndex, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int i) && i < Classes) return i;
        throw new InputException($"no class '{nameOrIndex}' (the model's {Classes}: {string.Join(", ", names.Select((n, k) => n == k.ToString(System.Globalization.CultureInfo.InvariantCulture) ? n : $"{k} {n}"))})");
    }

    /// <summary>The problems of these settings, each a line a user can act on (none: valid).</summary>
    public virtual IEnumerable<string> Problems()
    {
        if (NoiseDim <= 0) yield return $"noise-dim must be positive (got {NoiseDim})";
        if (Channels <= 0 || Height <= 0 || Width <= 0) yield return $"the image shape must be positive (got {Channels}×{Height}×{Width})";
        if (Classes < 0 || (!UsesClasses && Classes != 0)) yield return $"classes: {(UsesClasses ? "must not be negative" : "this model kind is not conditional and takes none")} (got {Classes})";
        if (ClassNames is { } names && names.Length != Classes) yield return $"class-names: {names.Length} names for {Classes} classes";
        if (ClassFrequencies is { } f && (f.Length != Classes || f.Any(v => !(v >= 0)) || Math.Abs(f.Sum() - 1) > 1e-6))
            yield return $"class-frequencies: must be {Classes} non-negative shares summing to 1";
    }
}

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

/// <summary>A hidden-layer nonlinearity.</summary>
public enum Activation
{
    /// <summary>max(0, x).</summary>
    Relu,
    /// <summary>tanh x: smooth, so a 1-D generator's map z → x (and so p_g) has no kinks.</summary>
    Tanh,
}

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
    public override IEnumerable<string> Problems()
    {
        foreach (var p in base.Problems()) yield return p;
        if (!GeneratorHidden.All(h => h > 0) || DiscriminatorUnits <= 0) yield return "layer widths must be positive";
    }
}

/// <summary>
/// DCGAN (Radford, Metz and Chintala 2015, "Unsupervised Representation Learning with Deep Convolutional Generative
/// Adversarial Networks"): G from z by fractionally-strided (transposed) convolutions with batch norm and ReLU, a tanh
/// output; D by strided convolutions with LeakyReLU 0.2 and batch norm (none on D's first layer or G's last); weights
/// N(0, 0.02), batch-norm scales N(1, 0.02). Sized for square images of 28, 32 or 64 pixels.
/// </summary>
public sealed record DcganModelConfig : ModelConfig
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

    /// <summary>
    /// ACGAN's nets (Odena et al. 2017): G takes the one-hot class beside z (its first layer's input channels), D has a
    /// second last layer giving class logits beside its real-or-generated output. Default false: DCGAN's own nets.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool AuxiliaryClassifier { get; init; }

    /// <inheritdoc/>
    [JsonIgnore]
    public override Conditioning Conditioning => AuxiliaryClassifier ? Conditioning.AuxiliaryClassifier : Conditioning.None;

    /// <summary>The image sizes the nets are built for.</summary>
    public static readonly int[] Sizes = [28, 32, 64];

    /// <summary>A DCGAN's prior is the standard normal (the reference implementation's), not the paper's uniform.</summary>
    public DcganModelConfig() => Noise = NoiseKind.Gaussian;

    /// <inheritdoc/>
    public override IEnumerable<string> Problems()
    {
        foreach (var p in base.Problems()) yield return p;
        if (GeneratorFeatures <= 0 || DiscriminatorFeatures <= 0) yield return "generator-features and discriminator-features must be positive";
        if (Height != Width || !Sizes.Contains(Height))
            yield return $"the DCGAN nets are built for square images of {string.Join(", ", Sizes)} pixels, not {Height}×{Width}";
    }
}

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
    public override IEnumerable<string> Problems()
    {
        foreach (var p in base.Problems()) yield return p;
        if (GeneratorFeatures < 8 || DiscriminatorFeatures <= 0) yield return "generator-features must be at least 8 and discriminator-features positive";
        if (Height != Width || !Sizes.Contains(Height))
            yield return $"the SNGAN nets are built for square images of {string.Join(", ", Sizes)} pixels, not {Height}×{Width}";
    }
}

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

/// <summary>How a model's nets use class labels.</summary>
public enum Conditioning
{
    /// <summary>Not at all: an unconditional model.</summary>
    None,
    /// <summary>Both nets take the label: G(z | y), D(x | y) (Mirza &amp; Osindero 2014).</summary>
    Input,
    /// <summary>G takes the label; D predicts it beside its real-or-generated output (ACGAN, Odena et al. 2017).</summary>
    AuxiliaryClassifier,
    /// <summary>G takes no label; D is a K-class classifier whose "generated" class is implicit (the semi-supervised GAN).</summary>
    Classifier,
}

/// <summary>How a net normalises its hidden feature maps.</summary>
public enum Normalisation
{
    /// <summary>Batch normalisation (Ioffe &amp; Szegedy, 2015): over the minibatch, per channel.</summary>
    Batch,
    /// <summary>Layer normalisation (Ba et al., 2016): per image, over channels and positions.</summary>
    Layer,
    /// <summary>None.</summary>
    None,
}

/// <summary>
/// Nets a caller built themselves (their own <c>Generator</c> and <c>Discriminator</c> subclasses). GanSharp records the
/// shared settings and <see cref="Settings"/> in checkpoints, but cannot rebuild the nets: reload them by giving a
/// factory (<c>Generator.Load(path, config =&gt; new MyGenerator(config))</c>).
/// </summary>
public sealed record CustomModelConfig : ModelConfig
{
    /// <summary>A name for the caller's architecture (shown in messages).</summary>
    public string Architecture { get; init; } = "custom";
    /// <summary>Whatever the caller's nets need to be rebuilt, as JSON (kept as given).</summary>
    public JsonObject? Settings { get; init; }
    /// <summary>How the caller's nets use class labels (default: not at all).</summary>
    [JsonPropertyName("conditioning")]
    public Conditioning Labels { get; init; }

    /// <inheritdoc/>
    [JsonIgnore]
    public override Conditioning Conditioning => Labels;
}
