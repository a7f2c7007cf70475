using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace GanSharp.Training;

/// <summary>
/// The full configuration of one training run: preset, then a JSON file, then flags, each overriding the last. It is
/// written to the run's <c>config.json</c> and into every checkpoint, so a run can be repeated and a generator rebuilt
/// from its checkpoint alone.
/// </summary>
public sealed record GanConfig
{
    /// <summary>The preset this configuration started from.</summary>
    public string Preset { get; init; } = Presets.Default;
    /// <summary>Dataset name or folder and the split.</summary>
    public DataConfig Data { get; init; } = new();
    /// <summary>The two nets.</summary>
    public ModelConfig Model { get; init; } = new();
    /// <summary>Algorithm 1's knobs: k, batch size, losses, length.</summary>
    public TrainConfig Train { get; init; } = new();
    /// <summary>The optimizer and its schedules.</summary>
    public OptimizerConfig Optimizer { get; init; } = new();
    /// <summary>What the run writes, and how often.</summary>
    public OutputConfig Output { get; init; } = new();

    /// <summary>JSON options used for config files, checkpoints and metrics (kebab-case keys and enum values).</summary>
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.KebabCaseLower,
        WriteIndented = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    /// <summary>Serialises the configuration as indented JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>
    /// Lays the keys of a (partial) JSON configuration over <paramref name="baseConfig"/>: objects merge key by key,
    /// any other value replaces. <paramref name="where"/> names the source in error messages.
    /// </summary>
    /// <exception cref="InputException">Malformed JSON, an unknown key or a wrongly typed value.</exception>
    public static GanConfig Overlay(GanConfig baseConfig, string json, string where)
    {
        JsonNode? overlay;
        try { overlay = JsonNode.Parse(json); }
        catch (JsonException e) { throw new InputException($"{where}: {e.Message}", e); }
        if (overlay is not JsonObject) throw new InputException($"{where}: a configuration must be a JSON object");
        var merged = JsonSerializer.SerializeToNode(baseConfig, Json)!;
        Merge(merged.AsObject(), overlay.AsObject());
        return FromJson(merged.ToJsonString(), where);
    }

    static void Merge(JsonObject target, JsonObject overlay)
    {
        foreach (var (key, value) in overlay.ToList())
        {
            if (value is JsonObject child && target[key] is JsonObject existing) Merge(existing, child);
            else target[key] = value?.DeepClone();
        }
    }

    /// <summary>Parses a configuration; <paramref name="where"/> names the source in error messages.</summary>
    /// <exception cref="InputException">Malformed JSON, an unknown key or a wrongly typed value.</exception>
    public static GanConfig FromJson(string json, string where)
    {
        try
        {
            return JsonSerializer.Deserialize<GanConfig>(json, Json) ?? throw new InputException($"{where}: empty configuration");
        }
        catch (JsonException e)
        {
            throw new InputException($"{where}: {e.Message}", e);
        }
    }
}

/// <summary>Which data, and how it is split.</summary>
public sealed record DataConfig
{
    /// <summary>A catalogue name (mnist, fashion-mnist) or a folder of IDX files.</summary>
    public string Dataset { get; init; } = "mnist";
}

/// <summary>Shapes and initialisation of the generator and discriminator.</summary>
public sealed record ModelConfig
{
    /// <summary>Which pair of nets: the paper's (MLP generator, maxout discriminator) or small MLPs for toy data.</summary>
    public ModelKind Kind { get; init; } = ModelKind.Paper;
    /// <summary>Dimension of the noise z.</summary>
    public int NoiseDim { get; init; } = 100;
    /// <summary>The noise prior p_z.</summary>
    public NoiseKind Noise { get; init; } = NoiseKind.Uniform;
    /// <summary>Hidden layer widths of the MLP generator.</summary>
    public int[] GeneratorHidden { get; init; } = [1200, 1200];
    /// <summary>The toy generator's hidden activation (the paper's generator always uses ReLU).</summary>
    public Activation ToyGeneratorActivation { get; init; } = Activation.Relu;
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
    /// <summary>Image channels (taken from the data).</summary>
    public int Channels { get; init; } = 1;
    /// <summary>Image height (taken from the data).</summary>
    public int Height { get; init; } = 28;
    /// <summary>Image width (taken from the data).</summary>
    public int Width { get; init; } = 28;
}

/// <summary>The architecture of the two nets.</summary>
public enum ModelKind
{
    /// <summary>The paper's MNIST nets: ReLU MLP generator with a sigmoid output, maxout discriminator with dropout.</summary>
    Paper,
    /// <summary>
    /// Small MLPs for points in ℝᵈ (the 1-D and 2-D experiments; d = Width): a ReLU generator with a linear output
    /// (GeneratorHidden widths) and a leaky-ReLU discriminator without dropout (DiscriminatorLayers layers of
    /// DiscriminatorUnits).
    /// </summary>
    Toy,
}

/// <summary>A hidden-layer nonlinearity.</summary>
public enum Activation
{
    /// <summary>max(0, x).</summary>
    Relu,
    /// <summary>tanh x: smooth, so a 1-D generator's map z → x (and so p_g) has no kinks.</summary>
    Tanh,
}

/// <summary>The noise prior p_z.</summary>
public enum NoiseKind
{
    /// <summary>Uniform on [−√3, √3] per coordinate (unit variance), the paper's code's choice.</summary>
    Uniform,
    /// <summary>Standard normal.</summary>
    Gaussian,
}

/// <summary>The generator's objective.</summary>
public enum GeneratorLossKind
{
    /// <summary>Minimise log(1 − D(G(z))): the minimax game as written.</summary>
    Minimax,
    /// <summary>Maximise log D(G(z)): the paper's recommended heuristic (stronger gradients early on).</summary>
    NonSaturating,
}

/// <summary>How the two players' updates are ordered.</summary>
public enum UpdateOrder
{
    /// <summary>Algorithm 1: k discriminator updates, then one generator update on fresh noise.</summary>
    Alternating,
    /// <summary>Both nets updated at once from gradients of the same minibatch, as the paper's released code did (k = 1).</summary>
    Simultaneous,
}

/// <summary>Algorithm 1's parameters and the run length.</summary>
public sealed record TrainConfig
{
    /// <summary>Minibatch size m (for data and noise alike).</summary>
    public int Batch { get; init; } = 100;
    /// <summary>Discriminator updates per generator update.</summary>
    public int K { get; init; } = 1;
    /// <summary>The generator's loss.</summary>
    public GeneratorLossKind GLoss { get; init; } = GeneratorLossKind.NonSaturating;
    /// <summary>Alternating (Algorithm 1) or simultaneous updates.</summary>
    public UpdateOrder Update { get; init; } = UpdateOrder.Alternating;
    /// <summary>Length in epochs (passes of the discriminator over the training images); ignored when Steps is set.</summary>
    public int Epochs { get; init; } = 50;
    /// <summary>Length in training iterations (generator updates); overrides Epochs when set.</summary>
    public long? Steps { get; init; }
    /// <summary>Seed of every random number the run draws.</summary>
    public long Seed { get; init; } = 1;
    /// <summary>CPU threads for libtorch (0: one per core).</summary>
    public int Threads { get; init; }
    /// <summary>
    /// Where the nets train: cpu, cuda, cuda:N or auto (a GPU when libtorch sees one). A run records the device it
    /// resolved to, and resumes there: random number streams differ between devices.
    /// </summary>
    public string Device { get; init; } = "auto";
}

/// <summary>The optimizer and its schedules.</summary>
public sealed record OptimizerConfig
{
    /// <summary>sgd (the paper's, with momentum) or adam.</summary>
    public OptimizerKind Kind { get; init; } = OptimizerKind.Sgd;
    /// <summary>Initial learning rate, both nets.</summary>
    public double LearningRate { get; init; } = 0.1;
    /// <summary>The learning rate is divided by this after every iteration (pylearn2's ExponentialDecay); 1 = constant.</summary>
    public double LearningRateDecay { get; init; } = 1.000004;
    /// <summary>The learning rate never falls below this.</summary>
    public double MinLearningRate { get; init; } = 1e-6;
    /// <summary>SGD momentum before the ramp starts.</summary>
    public double MomentumStart { get; init; } = 0.5;
    /// <summary>SGD momentum after the ramp ends.</summary>
    public double MomentumEnd { get; init; } = 0.7;
    /// <summary>Epoch at which the momentum ramp starts.</summary>
    public int MomentumRampStart { get; init; } = 1;
    /// <summary>Epoch at which the momentum ramp reaches its end value.</summary>
    public int MomentumRampEnd { get; init; } = 250;
    /// <summary>Adam's β₁.</summary>
    public double Beta1 { get; init; } = 0.5;
    /// <summary>Adam's β₂.</summary>
    public double Beta2 { get; init; } = 0.999;
}

/// <summary>Which optimizer updates both nets.</summary>
public enum OptimizerKind
{
    /// <summary>Stochastic gradient descent with momentum.</summary>
    Sgd,
    /// <summary>Adam (Kingma and Ba).</summary>
    Adam,
}

/// <summary>What a run writes and how often (in training iterations).</summary>
public sealed record OutputConfig
{
    /// <summary>Append a row to metrics.jsonl (and TensorBoard) every this many iterations.</summary>
    public int LogEvery { get; init; } = 50;
    /// <summary>Write a sample grid every this many iterations (and at the end).</summary>
    public int SampleEvery { get; init; } = 2500;
    /// <summary>Keep a periodic checkpoint every this many iterations (last.ckpt is refreshed at the same times and at the end).</summary>
    public int CheckpointEvery { get; init; } = 5000;
    /// <summary>Number of images in the fixed-noise sample grid.</summary>
    public int SampleCount { get; init; } = 100;
    /// <summary>Write TensorBoard event files under tb/.</summary>
    public bool TensorBoard { get; init; } = true;
    /// <summary>Evaluate the generator every this many iterations (and at the start and the end); 0: never.</summary>
    public int EvalEvery { get; init; }
    /// <summary>
    /// What to evaluate: <c>parzen</c> (the paper's Table 1 protocol). The first metric picks checkpoints/best.ckpt.
    /// </summary>
    public string[] Eval { get; init; } = ["parzen"];
}
