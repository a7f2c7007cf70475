using System.Text.Json;
using System.Text.Json.Serialization;
using GanSharp.Configuration;
using GanSharp.Evaluation;

namespace GanSharp.Experiments;

/// <summary>
/// The plan of a sweep: every preset trained with every seed at one budget — CPU minutes (fair between nets of
/// different cost, as Lucic et al. 2018 compare) or iterations (exact and repeatable) — and evaluated along the way.
/// Saved as <c>sweep.json</c> in the sweep's folder; a resumed sweep follows it.
/// </summary>
public sealed record SweepPlan
{
    /// <summary>
    /// What to compare: preset names (<see cref="Configuration.Presets.Names"/>), or configuration files (<c>NAME.json</c>,
    /// laid over the preset they name as <c>gan train --config</c> does; a sweep keeps a copy, <c>configs/NAME.json</c>,
    /// and names their runs NAME).
    /// </summary>
    public string[] Presets { get; init; } = [];

    /// <summary>Where a configuration file's relative path starts: the sweep's folder (before it is made, the working folder).</summary>
    [JsonIgnore] public string? ConfigFolder { get; init; }

    /// <summary>Whether <paramref name="entry"/> of <see cref="Presets"/> is a configuration file (it ends in .json).</summary>
    public static bool IsConfigFile(string entry) => entry.EndsWith(".json", StringComparison.OrdinalIgnoreCase);

    /// <summary>An entry's name in run folders and tables: a preset's name, or a configuration file's without .json.</summary>
    public static string EntryName(string entry) => IsConfigFile(entry) ? Path.GetFileNameWithoutExtension(entry) : entry;

    /// <summary>The configuration file of <paramref name="entry"/>, as a full path.</summary>
    public string ConfigPath(string entry) => Path.GetFullPath(Path.Combine(ConfigFolder ?? ".", entry));
    /// <summary>The seeds each preset trains with.</summary>
    public long[] Seeds { get; init; } = [1, 2, 3];
    /// <summary>Budget per run in training CPU minutes (see <see cref="TrainConfig.CpuMinutes"/>); or null with <see cref="Steps"/>.</summary>
    public double? CpuMinutes { get; init; }
    /// <summary>Budget per run in iterations; or null with <see cref="CpuMinutes"/>.</summary>
    public long? Steps { get; init; }
    /// <summary>What each evaluation measures (<see cref="PeriodicEvaluations.Known"/>).</summary>
    public string[] Eval { get; init; } = ["features"];
    /// <summary>Evaluations along each run, evenly spaced over its budget (the last at its end), besides one at the start.</summary>
    public int Evaluations { get; init; } = 4;
    /// <summary>CPU threads per run (runs go one after another).</summary>
    public int Threads { get; init; } = 1;
    /// <summary>Sample and evaluate a moving average of G (β 0.999) in every run.</summary>
    public bool Ema { get; init; }

    /// <summary>Where preset names are looked up (null: <see cref="Configuration.Presets.Get"/>); tests sweep tiny nets.</summary>
    [JsonIgnore] internal Func<string, GanConfig>? PresetLookup { get; init; }

    /// <summary>The plan's problems, each a line a user can act on (none: it can run).</summary>
    public IEnumerable<string> Problems()
    {
        if (Presets.Length == 0) yield return "name at least one preset";
        foreach (var name in Presets.Where(n => PresetLookup is null && !IsConfigFile(n) && !Configuration.Presets.Names.Contains(n)))
            yield return $"unknown preset '{name}' (known: {string.Join(", ", Configuration.Presets.Names)}; or a configuration file NAME.json)";
        foreach (var name in Presets.Where(n => PresetLookup is null && IsConfigFile(n) && !File.Exists(ConfigPath(n))))
            yield return $"configuration file {name} not found";
        if (Presets.Select(EntryName).Distinct().Count() != Presets.Length) yield return "a preset is named twice (or two configuration files share a name)";
        if (Seeds.Length == 0) yield return "name at least one seed";
        if (Seeds.Distinct().Count() != Seeds.Length) yield return "a seed is named twice";
        if ((CpuMinutes is null) == (Steps is null)) yield return "give the budget once: CPU minutes or iterations";
        if (CpuMinutes is { } m && !(m > 0 && m <= 1e9)) yield return $"the CPU budget must be a positive number of minutes (got {m})";
        if (Steps is <= 0) yield return $"the iteration budget must be positive (got {Steps})";
        if (Eval.Length == 0) yield return $"name at least one evaluation (known: {string.Join(", ", PeriodicEvaluations.Known)})";
        foreach (var name in Eval.Where(n => !PeriodicEvaluations.Known.Contains(n)))
            yield return $"unknown evaluation '{name}' (known: {string.Join(", ", PeriodicEvaluations.Known)})";
        if (Evaluations < 1) yield return $"evaluations must be at least 1 (got {Evaluations})";
        if (Threads < 0) yield return $"threads must be positive, or 0 for one per core (got {Threads})";
    }

    /// <summary>Refuses a plan with a problem, naming the first.</summary>
    /// <exception cref="InputException">The first of <see cref="Problems"/>.</exception>
    public void Validate()
    {
        if (Problems().FirstOrDefault() is { } problem) throw new InputException(problem);
    }

    /// <summary>The folder name of the run of <paramref name="preset"/> with <paramref name="seed"/> inside the sweep's folder.</summary>
    public static string RunName(string preset, long seed) => $"{preset}-seed{seed}";

    /// <summary>The runs of the plan, preset by preset, with the configuration each trains.</summary>
    public IEnumerable<(string Name, string Preset, long Seed, GanConfig Config)> Runs() =>
        Presets.SelectMany(preset => Seeds.Select(seed => Run(preset, seed)));

    /// <summary>The run of <paramref name="entry"/> (a preset or a configuration file) with <paramref name="seed"/>.</summary>
    (string Name, string Preset, long Seed, GanConfig Config) Run(string entry, long seed)
    {
        var c = PresetLookup?.Invoke(entry) ?? (IsConfigFile(entry) ? ReadConfig(entry) : Configuration.Presets.Get(entry));
        c = c with
        {
            Train = c.Train with { Seed = seed, Threads = Threads, Steps = Steps, CpuMinutes = CpuMinutes },
            Output = c.Output with
            {
                Eval = Eval,
                EvalEvery = Steps is { } s ? (int)Math.Max(1, s / Evaluations) : 0,
                EvalEveryCpuMinutes = CpuMinutes / Evaluations,
                SkipStartEvaluation = true,  // runs are compared along and at the end of their budgets
            },
            Ema = Ema ? c.Ema ?? new EmaConfig() : c.Ema,
        };
        return (RunName(EntryName(entry), seed), EntryName(entry), seed, c);
    }

    /// <summary>How many runs the plan has (presets × seeds).</summary>
    [JsonIgnore] public int RunCount => Presets.Length * Seeds.Length;

    /// <summary>
    /// The run of task <paramref name="index"/> (0-based, in the order of <see cref="Runs"/>: preset by preset, seed by
    /// seed) — the index a scheduler's job array gives each of its tasks.
    /// </summary>
    /// <exception cref="InputException">No such task in this plan.</exception>
    public (string Name, string Preset, long Seed, GanConfig Config) Task(int index) =>
        index >= 0 && index < RunCount ? Run(Presets[index / Seeds.Length], Seeds[index % Seeds.Length])
            : throw new InputException($"task {index}: the sweep has tasks 0 to {RunCount - 1} ({Presets.Length} presets × {Seeds.Length} seeds)");

    /// <summary>A configuration file laid over the preset it names (or the default one), as <c>gan train --config</c> reads it.</summary>
    GanConfig ReadConfig(string entry) => GanConfig.FromFile(File.ReadAllText(ConfigPath(entry)), entry);

    /// <summary>The plan as indented JSON (the keys of <see cref="GanConfig.Json"/>'s style).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, GanConfig.Json);

    /// <summary>Reads a plan written by <see cref="ToJson"/>; <paramref name="source"/> names the file in errors.</summary>
    /// <exception cref="InputException">Not a plan, or a plan with a problem.</exception>
    /// <param name="configFolder">Where the plan's configuration files' paths start (its sweep's folder).</param>
    public static SweepPlan FromJson(string json, string source, string? configFolder = null) => FromJson(json, source, null, configFolder);

    internal static SweepPlan FromJson(string json, string source, Func<string, GanConfig>? presetLookup, string? configFolder)
    {
        SweepPlan? plan;
        try { plan = JsonSerializer.Deserialize<SweepPlan>(json, GanConfig.Json); }
        catch (JsonException e) { throw new InputException($"{source}: not a sweep plan ({e.Message.Split(" Path:")[0]})"); }
        if (plan is null) throw new InputException($"{source}: not a sweep plan");
        plan = plan with { PresetLookup = presetLookup, ConfigFolder = configFolder };
        if (plan.Problems().FirstOrDefault() is { } problem) throw new InputException($"{source}: {problem}");
        return plan;
    }
}
