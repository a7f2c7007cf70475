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
    public DataConfig Data { get; init; } = new();
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

    /// <summary>The problems of this configuration, each a line a user can act on (none: it can train).</summary>
    public IEnumerable<string> Problems()
    {
        foreach (var p in Data.Problems()) yield return p;
        if (Train.Batch <= 0) yield return $"batch must be positive (got {Train.Batch})";
        if (Train.Epochs <= 0 && Train.Steps is null && Train.CpuMinutes is null) yield return "the run needs a positive number of epochs or steps";
        if (Train.CpuMinutes is { } budget && !(budget > 0 && budget <= 1e9)) yield return $"cpu-minutes must be a positive number (got {budget})";
        if (Train.Steps is <= 0) yield return $"steps must be positive (got {Train.Steps})";
        if (Train.Threads < 0) yield return $"threads must be positive, or 0 for one per core (got {Train.Threads})";
        foreach (var p in Model.Problems()) yield return p;
        foreach (var p in Game.Problems()) yield return p;
        foreach (var (o, name) in new[] { (Optimizer, "optimizer"), (DiscriminatorOptimizer, "discriminator-optimizer") })
        {
            if (o is null) continue;
            if (o.LearningRate is not (> 0 and <= float.MaxValue))
                yield return $"{name}: learning-rate must be a positive number within float32's range (got {o.LearningRate})";
            if (!(o.LearningRateDecay >= 1)) yield return $"{name}: learning-rate-decay must be at least 1 (the rate is divided by it)";
            if (!(o.LearningRateDecay <= float.MaxValue)) yield return $"{name}: learning-rate-decay must be finite (got {o.LearningRateDecay})";
            if (o.MinLearningRate is not (>= 0 and <= float.MaxValue)) yield return $"{name}: min-learning-rate must be a non-negative number (got {o.MinLearningRate})";
            if (o.MomentumStart is not (>= 0 and < 1) || o.MomentumEnd is not (>= 0 and < 1)) yield return $"{name}: momentum must lie in [0, 1)";
            if (o.MomentumRampStart < 0 || o.MomentumRampEnd < o.MomentumRampStart)
                yield return $"{name}: the momentum ramp must start at epoch 0 or later and end no earlier than it starts (got {o.MomentumRampStart}…{o.MomentumRampEnd})";
            if (o.Beta1 is not (>= 0 and < 1) || o.Beta2 is not (>= 0 and < 1)) yield return $"{name}: beta1 and beta2 must lie in [0, 1)";
            if (!(o.Epsilon > 0 && o.Epsilon < 1)) yield return $"{name}: epsilon must lie in (0, 1) (got {o.Epsilon})";
        }
        if (Output.LogEvery <= 0 || Output.SampleEvery <= 0 || Output.CheckpointEvery <= 0) yield return "output intervals must be positive";
        if (Output.SampleCount <= 0) yield return "sample-count must be positive";
        if (Output.EvalEvery < 0) yield return $"eval-every must not be negative (got {Output.EvalEvery})";
        if (Output.EvalEveryCpuMinutes is { } e && !(e > 0 && e <= 1e9)) yield return $"eval-every-cpu-minutes must be a positive number (got {e})";
        if (Ema is { Beta: not (> 0 and < 1) }) yield return $"ema: beta must lie in (0, 1) (got {Ema.Beta})";
        if (Game is SemiSupervisedConfig != (Model.Conditioning == Conditioning.Classifier))
            yield return Game is SemiSupervisedConfig
                ? "game semi-supervised needs a classifying model (\"kind\": \"semi-supervised-mlp\")"
                : $"a classifying model (semi-supervised-mlp) is trained by the semi-supervised game, not {Kinds.NameOf<GameConfig>(Game)}";
        if (Game is AuxiliaryClassifierConfig != (Model.Conditioning == Conditioning.AuxiliaryClassifier))
            yield return Game is AuxiliaryClassifierConfig
                ? "game auxiliary-classifier needs a model with an auxiliary classifier (\"auxiliary-classifier\": true in a dcgan model)"
                : $"a model with an auxiliary classifier is trained by the auxiliary-classifier game, not {Kinds.NameOf<GameConfig>(Game)}";
        if (Output.Evaluates && Output.Eval.Contains("classes") && !Model.Conditional)
            yield return "eval: 'classes' measures a conditional generator's classes, and this model is not conditional";
        if (Output.Evaluates && Output.Eval.Contains("classify") && Model.Conditioning is not (Conditioning.Classifier or Conditioning.AuxiliaryClassifier))
            yield return "eval: 'classify' measures a discriminator that classifies (a semi-supervised or ACGAN model's), and this model's does not";
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
        foreach (var (key, type) in new[] { ("model", typeof(ModelConfig)), ("loss", typeof(LossConfig)), ("game", typeof(GameConfig)) })
            if (node[key] is JsonObject part) Kinds.Check(type, part, $"{where}: {key}");
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

/// <summary>
/// An exponential moving average of the generator's weights (Yazıcı et al., 2019; used by ProGAN, StyleGAN, BigGAN):
/// after every generator update, θ_ema ← β θ_ema + (1 − β) θ_g; its batch-norm statistics are recomputed for its own
/// weights when it is read (<see cref="Models.ExponentialMovingAverage"/>).
/// </summary>
public sealed record EmaConfig
{
    /// <summary>β, the weight of the average so far (default 0.999: about the last thousand updates).</summary>
    public double Beta { get; init; } = 0.999;
    /// <summary>
    /// Warm-up: β_t = min(β, (1 + t)/(10 + t)) after t updates, so that the average forgets the untrained start
    /// quickly (TensorFlow's ExponentialMovingAverage with num_updates). Default off.
    /// </summary>
    public bool Warmup { get; init; }
}

/// <summary>Which data, and how images are prepared for the nets.</summary>
public sealed record DataConfig
{
    /// <summary>A catalogue name (mnist, fashion-mnist, emoji-twitter, emoji-google), or a folder of IDX or PNG/JPEG files.</summary>
    public string Dataset { get; init; } = "mnist";
    /// <summary>
    /// Side of the square images the nets see: image files are centre-cropped and resized to it (null: 64 for folders
    /// of image files, the emoji's own 64; IDX data keeps its size).
    /// </summary>
    public int? ImageSize { get; init; }
    /// <summary>Grey or colour images from image files (null: colour); IDX data keeps its channels.</summary>
    public ColorMode? Color { get; init; }
    /// <summary>The colour transparent pixels are composited onto, as #RRGGBB (default white, as emoji are drawn on a page).</summary>
    public string Background { get; init; } = "#FFFFFF";

    /// <summary>The problems of these settings (none: valid).</summary>
    public IEnumerable<string> Problems()
    {
        if (ImageSize is < 4 or > 1024) yield return $"image-size must lie in 4…1024 (got {ImageSize})";
        if (!System.Text.RegularExpressions.Regex.IsMatch(Background, "^#[0-9A-Fa-f]{6}$"))
            yield return $"background must be a colour written #RRGGBB (got '{Background}')";
    }
}

/// <summary>How image files become pixels.</summary>
public enum ColorMode
{
    /// <summary>One channel: luminance Y = 0.299 R + 0.587 G + 0.114 B (ITU-R BT.601), after compositing.</summary>
    Grey,
    /// <summary>Three channels, red, green, blue.</summary>
    Rgb,
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

/// <summary>The run's length, batch size and where it runs: what every game shares.</summary>
public sealed record TrainConfig
{
    /// <summary>Minibatch size m (for data and noise alike).</summary>
    public int Batch { get; init; } = 100;
    /// <summary>Length in epochs (passes of the discriminator over the training images); ignored when Steps is set.</summary>
    public int Epochs { get; init; } = 50;
    /// <summary>Length in training iterations (generator updates); overrides Epochs when set.</summary>
    public long? Steps { get; init; }
    /// <summary>
    /// A budget of training CPU time in minutes (process CPU time, all threads; evaluations excluded): the run ends at the
    /// first iteration that reaches it. With a budget, Epochs is ignored and Steps, if set, caps the run (whichever comes
    /// first ends it). Null: no budget. Where a budget ends depends on the machine's speed: two runs of one configuration
    /// may stop at different iterations (each is exact up to there, and resumes exactly).
    /// </summary>
    public double? CpuMinutes { get; init; }
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

/// <summary>One optimizer and its schedules.</summary>
public sealed record OptimizerConfig
{
    /// <summary>sgd (the paper's, with momentum) or adam.</summary>
    public OptimizerKind Kind { get; init; } = OptimizerKind.Sgd;
    /// <summary>Initial learning rate.</summary>
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
    /// <summary>
    /// Adam's ε, added to √v̂ (PyTorch's form; default 10⁻⁸). Salimans et al.'s released code adds 10⁻⁸ to v̂ under the
    /// root instead, a floor of 10⁻⁴ on the denominator: ε = 10⁻⁴ here is within a factor √2 of it everywhere.
    /// </summary>
    public double Epsilon { get; init; } = 1e-8;

    /// <summary>The paper's SGD: lr 0.1 divided by 1.000004 per iteration (floor 1e-6), momentum 0.5 → 0.7 over epochs 1–250.</summary>
    public static OptimizerConfig PaperSgd { get; } = new();

    /// <summary>
    /// DCGAN's Adam (Radford et al. 2015, section 4): lr 2e-4, β₁ 0.5 ("β₁ at the suggested value of 0.9 resulted in
    /// training oscillation and instability"), β₂ 0.999, a constant rate.
    /// </summary>
    public static OptimizerConfig DcganAdam { get; } = new() { Kind = OptimizerKind.Adam, LearningRate = 2e-4, LearningRateDecay = 1, Beta1 = 0.5, Beta2 = 0.999 };

    /// <summary>
    /// This configuration switched to <paramref name="kind"/>: unchanged if it already is one, else that kind's recipe
    /// (<see cref="PaperSgd"/> or <see cref="DcganAdam"/>) — an SGD learning rate means nothing to Adam.
    /// </summary>
    public OptimizerConfig SwitchTo(OptimizerKind kind) => kind == Kind ? this : kind switch
    {
        OptimizerKind.Sgd => PaperSgd,
        OptimizerKind.Adam => DcganAdam,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown optimizer"),
    };
}

/// <summary>Which optimizer updates a player.</summary>
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
    /// Also evaluate whenever training has used another this many CPU minutes (evaluations excluded; see
    /// <see cref="TrainConfig.CpuMinutes"/>), and at the start and the end; null: not by time.
    /// </summary>
    public double? EvalEveryCpuMinutes { get; init; }
    /// <summary>
    /// Leave out the evaluation at step 0 (of the untrained G, the same for every run of a net): what a sweep does, whose
    /// runs are compared at their ends. Written to config.json only when set.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool SkipStartEvaluation { get; init; }
    /// <summary>Whether the run evaluates at all (by iterations or by CPU time).</summary>
    [JsonIgnore] public bool Evaluates => EvalEvery > 0 || EvalEveryCpuMinutes is not null;
    /// <summary>
    /// What to evaluate: <c>parzen</c> (the paper's Table 1 protocol). The first metric picks checkpoints/best.ckpt.
    /// </summary>
    public string[] Eval { get; init; } = ["parzen"];
}
