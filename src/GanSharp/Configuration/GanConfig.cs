using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace GanSharp.Configuration;

/// <summary>
/// The full configuration of one training run: preset, then a JSON file, then flags, each overriding the last. It is
/// written to the run's <c>config.json</c> and into every checkpoint, so a run can be repeated and a generator rebuilt
/// from its checkpoint alone. The model, the loss and the game are typed records told apart by a <c>"kind"</c> key
/// (<see cref="ModelConfig"/>, <see cref="LossConfig"/>, <see cref="GameConfig"/>); everything else is plain settings.
/// </summary>
public sealed record GanConfig
{
    /// <summary>The preset this configuration started from.</summary>
    public string Preset { get; init; } = Presets.Default;
    /// <summary>Dataset name or folder and the split.</summary>
    public StreamConfig Data { get; init; } = new DataConfig();

    /// <summary>
    /// The run's one dataset (<see cref="Data"/> of kind <c>images</c>): what every game of this release trains on, and
    /// what commands that sample, evaluate or show a run's data read.
    /// </summary>
    /// <exception cref="InputException">Data of another kind (two domains).</exception>
    [JsonIgnore]
    public DataConfig Images => Data as DataConfig
        ?? throw new InputException($"this run trains on {Data.Summary}, not one dataset");
    /// <summary>The nets (which family, and its sizes).</summary>
    public ModelConfig Model { get; init; } = new PaperModelConfig();
    /// <summary>The adversarial objective the players descend.</summary>
    public LossConfig Loss { get; init; } = new NonSaturatingLossConfig();
    /// <summary>The training algorithm: which players update, in what order, within one iteration.</summary>
    public GameConfig Game { get; init; } = new Algorithm1Config();
    /// <summary>Batch size, length, seed, threads, device.</summary>
    public TrainConfig Train { get; init; } = new();
    /// <summary>The optimizer and its schedules (of every player, unless <see cref="DiscriminatorOptimizer"/> is set).</summary>
    public OptimizerConfig Optimizer { get; init; } = new();
    /// <summary>The discriminators' own optimizer (e.g. a two time-scale rule); null: <see cref="Optimizer"/>.</summary>
    public OptimizerConfig? DiscriminatorOptimizer { get; init; }
    /// <summary>An exponential moving average of G's weights, which sampling and evaluation use; null: none.</summary>
    public EmaConfig? Ema { get; init; }
    /// <summary>Players that start from another run's weights (and may stay frozen); null: every player from its initialisation.</summary>
    public PlayerSource[]? PlayersFrom { get; init; }
    /// <summary>What the run writes, and how often.</summary>
    public OutputConfig Output { get; init; } = new();

    /// <summary>JSON options used for config files, checkpoints and metrics (kebab-case keys and enum values).</summary>
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.KebabCaseLower,
        WriteIndented = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        AllowOutOfOrderMetadataProperties = true,  // "kind" may come anywhere in a hand-written object
        AllowDuplicateProperties = false,
        RespectNullableAnnotations = true,         // {"train": null} is an error, not a NullReferenceException later
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    /// <summary>
    /// The problems of this configuration, each a line a user can act on (none: it can train): each section's own, then
    /// what the game refuses in the rest (<see cref="GameConfig.ProblemsWith"/>), then what the evaluations need.
    /// </summary>
    public IEnumerable<string> Problems()
    {
        foreach (var p in Data.Problems()) yield return p;
        foreach (var p in Train.Problems()) yield return p;
        // Before the data is loaded the model's shape is a placeholder: judge it at the size the data settings declare.
        var model = Data.DeclaredImageSize is int side ? Model with { Height = side, Width = side } : Model;
        foreach (var p in model.Problems()) yield return p;
        // Weights, their gradients, up to two optimizer moments, an average, and the checkpoint's copies of them while it
        // is written: about eight float32 values a weight, checked before the nets are built (a 20,000-layer MLP would
        // otherwise take all the machine's memory before anything failed).
        if (Allocation.Problem(Model.EstimatedWeights() * sizeof(float) * 8, $"model: nets of about {Model.EstimatedWeights() / 1e6:N0} million weights") is { } memory)
            yield return $"{memory}: make the nets smaller";
        foreach (var p in Game.Problems()) yield return p;
        foreach (var p in Optimizer.Problems("optimizer")) yield return p;
        foreach (var p in DiscriminatorOptimizer?.Problems("discriminator-optimizer") ?? []) yield return p;
        if (Train.Steps is null && Train.CpuMinutes is not null && (Optimizer.Schedule.NeedsLength || DiscriminatorOptimizer?.Schedule.NeedsLength == true))
            yield return "optimizer: a linear-decay schedule needs the run's length in steps (a CPU budget alone has none): add --steps";
        foreach (var p in Output.Problems()) yield return p;
        foreach (var p in Ema?.Problems() ?? []) yield return p;
        foreach (var p in (PlayersFrom ?? []).SelectMany(s => s.Problems())) yield return p;
        if (PlayersFrom?.GroupBy(s => s.Player).FirstOrDefault(g => g.Count() > 1) is { } twice)
            yield return $"players-from: player '{Text.Short(twice.Key)}' is loaded twice";
        foreach (var p in Game.ProblemsWith(this)) yield return p;
        foreach (var p in MetricRegistry.Problems(this)) yield return p;
    }

    /// <summary>Refuses a configuration with a problem, naming the first.</summary>
    /// <exception cref="InputException">The first of <see cref="Problems"/>.</exception>
    public void Validate()
    {
        if (Problems().FirstOrDefault() is { } problem) throw new InputException(problem);
    }

    /// <summary>
    /// The keys (dotted paths such as <c>train.seed</c> or <c>model</c>) whose values differ between this configuration
    /// and <paramref name="other"/>, in document order.
    /// </summary>
    public IReadOnlyList<string> DifferencesFrom(GanConfig other)
    {
        var found = new List<string>();
        void Walk(JsonNode? a, JsonNode? b, string path)
        {
            if (a is JsonObject x && b is JsonObject y && !KindChanges(x, y))
            {
                foreach (var key in x.Select(p => p.Key).Concat(y.Select(p => p.Key)).Distinct())
                    Walk(x[key], y[key], path.Length == 0 ? key : $"{path}.{key}");
            }
            else if (!JsonNode.DeepEquals(a, b)) found.Add(path);
        }
        Walk(JsonSerializer.SerializeToNode(this, Json), JsonSerializer.SerializeToNode(other, Json), "");
        return found;
    }

    /// <summary>Serialises the configuration as indented JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>
    /// A configuration file's text laid over its preset — <paramref name="preset"/> when given (a command line's
    /// <c>--preset</c>), else the one the file names in <c>"preset"</c>, else <see cref="Presets.Default"/> — as
    /// <c>gan train --config</c> and a sweep's configuration-file entries read it. <paramref name="where"/> names the file.
    /// </summary>
    /// <exception cref="InputException">As <see cref="Overlay"/>, or an unknown preset.</exception>
    public static GanConfig FromFile(string json, string where, string? preset = null) =>
        Overlay(Presets.Get(preset ?? PresetNamedIn(json, where) ?? Presets.Default), json, where);

    /// <summary>
    /// Lays the keys of a (partial) JSON configuration over <paramref name="baseConfig"/>: objects merge key by key,
    /// any other value replaces; an object whose <c>"kind"</c> differs from the base's replaces it whole (a DCGAN model
    /// shares no settings with the paper's MLP). <paramref name="where"/> names the source in error messages.
    /// </summary>
    /// <exception cref="InputException">Malformed JSON, an unknown key or kind, or a wrongly typed value.</exception>
    public static GanConfig Overlay(GanConfig baseConfig, string json, string where)
    {
        var overlay = ParseObject(json, where);
        ConfigUpgrade.Apply(overlay);
        var merged = JsonSerializer.SerializeToNode(baseConfig, Json)!.AsObject();
        Merge(merged, overlay);
        return FromNode(merged, where);
    }

    static void Merge(JsonObject target, JsonObject overlay)
    {
        foreach (var (key, value) in overlay.ToList())
        {
            if (value is JsonObject child && target[key] is JsonObject existing && !KindChanges(existing, child)) Merge(existing, child);
            else target[key] = value?.DeepClone();
        }
    }

    static bool KindChanges(JsonObject existing, JsonObject overlay) =>
        overlay["kind"] is JsonValue kind && existing["kind"] is JsonValue old && kind.ToString() != old.ToString();

    /// <summary>Parses a configuration; <paramref name="where"/> names the source in error messages.</summary>
    /// <exception cref="InputException">Malformed JSON, an unknown key or kind, or a wrongly typed value.</exception>
    public static GanConfig FromJson(string json, string where) => FromNode(ParseObject(json, where), where);

    /// <summary>
    /// A configuration from a parsed JSON object (a config file, or a checkpoint's header). Files written before the
    /// game seam (flat model settings; k, g-loss and update under train) are upgraded first, so old runs still load.
    /// </summary>
    public static GanConfig FromNode(JsonObject node, string where)
    {
        ConfigUpgrade.Apply(node);
        foreach (var (key, type) in new[] { ("data", typeof(StreamConfig)), ("model", typeof(ModelConfig)), ("loss", typeof(LossConfig)), ("game", typeof(GameConfig)) })
            if (node[key] is JsonObject part) Kinds.Check(type, part, $"{where}: {key}");
        foreach (var key in new[] { "optimizer", "discriminator-optimizer" })
            if (node[key] is JsonObject { } optimizer && optimizer["schedule"] is JsonObject schedule)
                Kinds.Check(typeof(LearningRateSchedule), schedule, $"{where}: {key}.schedule");
        try
        {
            return node.Deserialize<GanConfig>(Json) ?? throw new InputException($"{where}: empty configuration");
        }
        catch (JsonException e)
        {
            throw new InputException($"{where}: {Describe(e)}", e);
        }
    }

    /// <summary>
    /// A JSON error in the user's terms: the key (as a dotted path, e.g. <c>train.batch</c>) and what it should hold —
    /// never a .NET type name, and never a line number, which for a layered configuration would point into the merged
    /// document rather than the user's file. Syntax errors keep their line: those come from the user's file itself.
    /// </summary>
    static string Describe(JsonException e)
    {
        var key = e.Path is { Length: > 2 } p ? p.TrimStart('$', '.') : null;
        var m = e.Message;
        string? Match(string pattern) => System.Text.RegularExpressions.Regex.Match(m, pattern) is { Success: true } r ? r.Groups[1].Value : null;
        if (Match(@"could not be converted to ([\w.`\[\]]+)") is { } type)
            return $"{key ?? "a value"} must be {Expected(type)}";
        if (Match(@"property '([^']+)' could not be mapped") is { } unknown)
            return $"unknown key '{unknown}'{(key is { } k && k.Contains('.') ? $" in {k[..k.LastIndexOf('.')]}" : "")}";
        if (Match(@"Duplicate property '([^']+)'") is { } duplicate)
            return $"the key '{duplicate}' appears twice{(key is { } k2 ? $" (at {k2})" : "")}";
        if (m.Contains("null", StringComparison.OrdinalIgnoreCase) && Match(@"'([\w-]+)' on type") is { } member)
            return $"{(key is { Length: > 0 } k3 ? k3 : JsonNamingPolicy.KebabCaseLower.ConvertName(member))} may not be null";
        return Plain(m) + (key is null ? "" : $" (at {key})");
    }

    /// <summary>System.Text.Json's message without its path and position suffixes.</summary>
    static string Plain(string message) => message.Split(" Path:")[0].Split(" LineNumber:")[0].Split(" Change the reader options")[0].TrimEnd('.', ' ');

    static string Expected(string type) => type switch
    {
        _ when type.Contains("Int32") || type.Contains("Int64") => "a whole number",
        _ when type.Contains("Double") || type.Contains("Single") => "a number",
        _ when type.Contains("Boolean") => "true or false",
        _ when type.Contains("String") => "text in quotes",
        _ when type.EndsWith("[]") || type.Contains("List") => "a list",
        _ when typeof(GanConfig).Assembly.GetType(System.Text.RegularExpressions.Regex.Match(type, @"^(?:System\.Nullable`1\[)?([^\]]+)").Groups[1].Value) is { IsEnum: true } e =>
            $"one of {string.Join(", ", Enum.GetNames(e).Select(JsonNamingPolicy.KebabCaseLower.ConvertName))}",
        _ => "an object",
    };

    /// <summary>
    /// The preset a configuration file names in its <c>"preset"</c> key, or null; <paramref name="where"/> names the file
    /// in error messages.
    /// </summary>
    /// <exception cref="InputException">Malformed JSON, or a preset that is not a name.</exception>
    public static string? PresetNamedIn(string json, string where) =>
        ParseObject(json, where)["preset"] switch
        {
            null => null,
            JsonValue v when v.TryGetValue<string>(out var name) => name,
            _ => throw new InputException($"{where}: preset must be a name in quotes"),
        };

    static JsonObject ParseObject(string json, string where)
    {
        JsonNode? node;
        try { node = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false }); }
        catch (JsonException e) when (e.LineNumber is { } line)
        {
            // A syntax error in the user's own file: its line and column are the user's.
            throw new InputException($"{where}: line {line + 1}, column {e.BytePositionInLine + 1}: {Plain(e.Message)}", e);
        }
        catch (JsonException e) { throw new InputException($"{where}: {Describe(e)}", e); }
        return node as JsonObject ?? throw new InputException($"{where}: a configuration must be a JSON object");
    }
}
