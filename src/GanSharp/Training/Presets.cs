namespace GanSharp.Training;

/// <summary>Named starting configurations. Each follows a paper and says which.</summary>
public static class Presets
{
    /// <summary>The preset used when none is named.</summary>
    public const string Default = "paper-mnist";

    /// <summary>
    /// Goodfellow et al. (2014), the MNIST model of the paper's released code (adversarial/mnist.yaml): G 100 → 1200 ReLU
    /// → 1200 ReLU → 784 sigmoid, z ~ U(−√3, √3)¹⁰⁰, weights U(±0.05), output bias from pixel means; D 784 → maxout
    /// 240×5 → maxout 240×5 → 1, weights U(±0.005), dropout keep 0.8 on the image and 0.5 on hidden layers; SGD batch
    /// 100, lr 0.1 divided by 1.000004 per minibatch (floor 1e-6), momentum 0.5 → 0.7 linearly over epochs 1–250.
    /// The defaults of the configuration records are exactly this preset.
    /// </summary>
    public static GanConfig PaperMnist => new() { Preset = "paper-mnist" };

    /// <summary>The paper's MNIST model and schedule, trained on Fashion-MNIST.</summary>
    public static GanConfig PaperFashionMnist => new()
    {
        Preset = "paper-fashion-mnist",
        Data = new DataConfig { Dataset = "fashion-mnist" },
    };

    /// <summary>Every preset by name.</summary>
    public static IReadOnlyDictionary<string, Func<GanConfig>> All { get; } = new Dictionary<string, Func<GanConfig>>
    {
        ["paper-mnist"] = () => PaperMnist,
        ["paper-fashion-mnist"] = () => PaperFashionMnist,
    };

    /// <summary>The preset called <paramref name="name"/>.</summary>
    /// <exception cref="InputException">No such preset.</exception>
    public static GanConfig Get(string name) =>
        All.TryGetValue(name, out var make)
            ? make()
            : throw new InputException($"unknown preset '{name}' (known: {string.Join(", ", All.Keys)})");
}
