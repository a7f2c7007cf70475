using System.Text.Json;
using System.Text.Json.Nodes;
using GanSharp.Configuration;
using GanSharp.Training;
using TorchSharp.PyBridge;
using Generator = GanSharp.Models.Generator;

namespace GanSharp.Export;

/// <summary>The file formats of exported weights.</summary>
public enum ExportFormat
{
    /// <summary>safetensors: a JSON header and the raw tensors, read without running any code of the file.</summary>
    SafeTensors,
    /// <summary>PyTorch's <c>torch.save</c> format: a zip of a pickled state dict, what <c>torch.load</c> reads.</summary>
    PyTorch,
}

/// <summary>What <see cref="GeneratorExport.Write"/> wrote.</summary>
/// <param name="Weights">The weights file.</param>
/// <param name="Description">The JSON beside it: architecture, noise, output and preprocessing.</param>
/// <param name="MovingAverage">Whether the weights are the moving average of G's (the run kept one) rather than G's own.</param>
/// <param name="Step">The checkpoint's iteration.</param>
/// <param name="Tensors">Tensors written (parameters and buffers such as batch norm's running statistics).</param>
public sealed record ExportedGenerator(string Weights, string Description, bool MovingAverage, long Step, int Tensors);

/// <summary>
/// A run's generator for other tools: its weights — every parameter and buffer under the name GanSharp's net gives it
/// (<c>layers.0.weight</c>, <c>norms.0.running_mean</c>, …; PyTorch's <c>state_dict</c> names for the same modules) — as
/// safetensors (<c>.safetensors</c>) or as PyTorch's own pickled state dict (<c>.pt</c>, written by TorchSharp.PyBridge
/// 1.4.4, what <c>torch.load</c> reads), and, beside them as <c>NAME.json</c>, what a reimplementation needs: the
/// architecture and its settings (the run's model configuration), the noise prior, the output's shape and range, and
/// how training images were prepared. <c>bench/export-check</c> loads both into the same nets written in PyTorch and
/// draws the images <c>gan sample --z</c> draws.
/// </summary>
public static class GeneratorExport
{
    /// <summary>The description's format version (its <c>"gansharp-export"</c> field).</summary>
    public const int FormatVersion = 1;

    static readonly JsonSerializerOptions Written = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The description file of weights written to <paramref name="weights"/>: the same name with <c>.json</c>.</summary>
    public static string DescriptionPath(string weights) => Path.ChangeExtension(weights, ".json");

    /// <summary>The weights' format by the file's extension: .safetensors or .pt; null for any other.</summary>
    public static ExportFormat? FormatOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".safetensors" => ExportFormat.SafeTensors,
        ".pt" or ".pth" => ExportFormat.PyTorch,
        _ => null,
    };

    /// <summary>The format <paramref name="path"/>'s extension names, refusing any other before anything is read.</summary>
    /// <exception cref="InputException">An extension of no format.</exception>
    public static ExportFormat CheckPath(string path) => FormatOf(path) ?? throw new InputException(
        $"{Text.Short(path)}: the weights are written as safetensors (NAME.safetensors) or PyTorch's state dict (NAME.pt)");

    /// <summary>
    /// Writes the generator of <paramref name="checkpoint"/> — the moving average of its weights when the run kept one —
    /// to <paramref name="path"/> in the format its extension names (<see cref="FormatOf"/>) and its description beside
    /// it, both atomically.
    /// </summary>
    /// <exception cref="InputException">An extension of no format, a game without a generator of noise, or nets GanSharp cannot rebuild.</exception>
    public static ExportedGenerator Write(Checkpoint checkpoint, string path)
    {
        var format = CheckPath(path);
        var description = DescriptionPath(path);
        using var g = Generator.FromCheckpoint(checkpoint);               // on the CPU; the moving average where kept
        var state = g.state_dict();
        if (format == ExportFormat.SafeTensors)
            SafeTensors.Write(path, state.Select(kv => (kv.Key, kv.Value)), new Dictionary<string, string>
            {
                ["format"] = "pt",                                        // what the Hugging Face tools expect of PyTorch weights
                ["gansharp-architecture"] = Kinds.NameOf<ModelConfig>(checkpoint.Config.Model),
                ["gansharp-step"] = checkpoint.Step.ToString(System.Globalization.CultureInfo.InvariantCulture),
            });
        else AtomicFile.Write(path, stream => g.save_py(stream, leaveOpen: true));   // torch.load's zip of pickled tensors
        AtomicFile.WriteText(description, Describe(checkpoint, Path.GetFileName(path)).ToJsonString(Written) + "\n");
        return new ExportedGenerator(path, description, checkpoint.HasEma, checkpoint.Step, state.Count);
    }

    /// <summary>The description of <paramref name="checkpoint"/>'s generator, whose weights are in <paramref name="weightsFile"/>.</summary>
    public static JsonObject Describe(Checkpoint checkpoint, string weightsFile)
    {
        var config = checkpoint.Config;
        var model = config.Model;
        var prior = model.Noise switch
        {
            NoiseKind.Uniform => new JsonObject { ["distribution"] = "uniform", ["low"] = -Math.Sqrt(3), ["high"] = Math.Sqrt(3) },
            NoiseKind.UnitUniform => new JsonObject { ["distribution"] = "uniform", ["low"] = 0.0, ["high"] = 1.0 },
            NoiseKind.Gaussian => new JsonObject { ["distribution"] = "normal", ["mean"] = 0.0, ["std"] = 1.0 },
            _ => throw new ArgumentOutOfRangeException(nameof(checkpoint), model.Noise, "unknown prior"),
        };
        prior["dim"] = model.NoiseDim;
        var description = new JsonObject
        {
            ["gansharp-export"] = FormatVersion,
            ["weights"] = weightsFile,
            ["weights-are"] = checkpoint.HasEma ? "the moving average of the generator's weights" : "the generator's trained weights",
            ["architecture"] = Kinds.NameOf<ModelConfig>(model),
            ["model"] = JsonSerializer.SerializeToNode(model, GanConfig.Json),
            ["noise"] = prior,
            ["output"] = new JsonObject
            {
                ["layout"] = "NCHW", ["shape"] = new JsonArray(model.Channels, model.Height, model.Width),
                ["range"] = new JsonArray(0.0, 1.0), ["mode"] = "evaluation (batch norm with its running statistics)",
            },
            ["data"] = JsonSerializer.SerializeToNode(config.Data, GanConfig.Json),
            ["step"] = checkpoint.Step,
            ["preset"] = config.Preset,
            ["checkpoint"] = checkpoint.Source,
        };
        if (model.Conditional)
            description["classes"] = new JsonObject
            {
                ["count"] = model.Classes,
                ["names"] = new JsonArray(Enumerable.Range(0, model.Classes).Select(k => (JsonNode)model.ClassName(k)).ToArray()),
            };
        return description;
    }
}
