using System.Text.Json.Serialization;

namespace GanSharp.Configuration;

/// <summary>
/// Which nets play, and their sizes: one record per family, told apart in JSON by <c>"kind"</c>. What every family
/// shares is here — the image shape (taken from the data when a run starts) and, for the families whose generator maps
/// noise to images (every one but a translator's, <see cref="DrawsFromNoise"/>), the noise z. The nets are built from
/// these records by <c>GanSharp.Models.Nets</c> and the games that own them.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind", UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization)]
[JsonDerivedType(typeof(PaperModelConfig), "paper")]
[JsonDerivedType(typeof(ToyModelConfig), "toy")]
[JsonDerivedType(typeof(DcganModelConfig), "dcgan")]
[JsonDerivedType(typeof(AcganModelConfig), "acgan")]
[JsonDerivedType(typeof(SnganModelConfig), "sngan")]
[JsonDerivedType(typeof(ConditionalMlpModelConfig), "conditional-mlp")]
[JsonDerivedType(typeof(SemiSupervisedMlpModelConfig), "semi-supervised-mlp")]
[JsonDerivedType(typeof(CycleGanModelConfig), "cyclegan")]
[JsonDerivedType(typeof(StackGanModelConfig), "stackgan")]
[JsonDerivedType(typeof(CustomModelConfig), "custom")]
public abstract record ModelConfig
{
    /// <summary>Dimension of the noise z (a model that draws from none has no such key: <see cref="DrawsFromNoise"/>).</summary>
    public virtual int NoiseDim { get; init; } = 100;
    /// <summary>The noise prior p_z.</summary>
    public virtual NoiseKind Noise { get; init; } = NoiseKind.Uniform;

    /// <summary>
    /// Whether the model's generator maps noise z to images (true, the default); a family whose nets map images to images
    /// (CycleGAN's translators) says false and hides <see cref="NoiseDim"/> and <see cref="Noise"/> from its JSON, so that a
    /// configuration never names a noise it does not draw.
    /// </summary>
    [JsonIgnore]
    public virtual bool DrawsFromNoise => true;
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

    /// <summary>
    /// The one game kind that trains these nets, where only one does (ACGAN's nets: <c>auxiliary-classifier</c>; the
    /// semi-supervised classifier: <c>semi-supervised</c>); null, the default: any game of one generator and one
    /// discriminator. Every other game refuses the model in one line.
    /// </summary>
    [JsonIgnore]
    public virtual string? TrainedBy => null;

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

    /// <summary>Pixels of one image (C·H·W).</summary>
    protected double Pixels => (double)Channels * Height * Width;

    /// <summary>
    /// About how many weights the nets have (G and D together; an upper estimate where an exact count would repeat the
    /// nets' construction): what decides whether they can train on this machine before they are built. 0: unknown.
    /// </summary>
    public virtual double EstimatedWeights() => 0;

    /// <summary>Weights of fully connected layers from <paramref name="input"/> units through <paramref name="widths"/> to <paramref name="output"/>.</summary>
    protected static double Chain(double input, IEnumerable<double> widths, double output)
    {
        double total = 0, width = input;
        foreach (var h in widths.Append(output)) { total += (width + 1) * h; width = h; }
        return total;
    }

    /// <summary>The problems of these settings, each a line a user can act on (none: valid).</summary>
    public virtual IEnumerable<string> Problems()
    {
        if (DrawsFromNoise && NoiseDim <= 0) yield return $"noise-dim must be positive (got {NoiseDim})";
        if (Channels <= 0 || Height <= 0 || Width <= 0) yield return $"the image shape must be positive (got {Channels}×{Height}×{Width})";
        if (Classes < 0 || (!UsesClasses && Classes != 0)) yield return $"classes: {(UsesClasses ? "must not be negative" : "this model kind is not conditional and takes none")} (got {Classes})";
        if (ClassNames is { } names && names.Length != Classes) yield return $"class-names: {names.Length} names for {Classes} classes";
        if (ClassFrequencies is { } f && (f.Length != Classes || f.Any(v => !(v >= 0)) || Math.Abs(f.Sum() - 1) > 1e-6))
            yield return $"class-frequencies: must be {Classes} non-negative shares summing to 1";
    }
}

/// <summary>The noise prior p_z.</summary>
public enum NoiseKind
{
    /// <summary>Uniform on [−√3, √3] per coordinate (unit variance), the paper's code's choice.</summary>
    Uniform,
    /// <summary>Standard normal.</summary>
    Gaussian,
    /// <summary>Uniform on [0, 1] per coordinate: "uniform within the unit hypercube" (Mirza &amp; Osindero 2014).</summary>
    UnitUniform,
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
