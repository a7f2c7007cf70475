using System.Text.Json;
using GanSharp.Configuration;
using GanSharp.Evaluation;
using GanSharp.Training;

namespace GanSharp.Reports;

/// <summary>
/// What a run folder holds, read once for a report: its configuration, its metrics rows split into training rows and
/// evaluation rows, its fixed-noise sample grids, its figures, its real-image references and its HYPE sessions.
/// </summary>
public sealed class RunContents
{
    /// <summary>Keys that place a row (when, where) rather than measure the game: not charted as scalars.</summary>
    static readonly HashSet<string> Placing = ["step", "epoch", "wall_s", "cpu_s", "train_cpu_s", "eval_s", "eval_cpu_s"];

    /// <summary>The run's folder layout.</summary>
    public RunDirectory Run { get; }
    /// <summary>The run's resolved configuration.</summary>
    public GanConfig Config { get; }
    /// <summary>config.json's text, as written.</summary>
    public string ConfigText { get; }
    /// <summary>Rows logged by training steps (every numeric value by name), in order.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, double>> TrainingRows { get; }
    /// <summary>Rows logged by periodic evaluations, in order.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, double>> EvaluationRows { get; }
    /// <summary>The fixed-noise grids: step and file, by step.</summary>
    public IReadOnlyList<(long Step, string Path)> SampleGrids { get; }
    /// <summary>The PNG figures in eval/ (paper figures, class rows, curves), by name.</summary>
    public IReadOnlyList<string> Figures { get; }
    /// <summary>Real images' scores under the evaluations' names (eval/references.json), or empty.</summary>
    public IReadOnlyDictionary<string, double> References { get; }
    /// <summary>The run's saved HYPE sessions, oldest first.</summary>
    public IReadOnlyList<(string Path, HypeRecord Record)> HypeSessions { get; }

    RunContents(RunDirectory run, GanConfig config, string configText, List<IReadOnlyDictionary<string, double>> training,
                List<IReadOnlyDictionary<string, double>> evaluation, List<(long, string)> grids, List<string> figures,
                IReadOnlyDictionary<string, double> references, IReadOnlyList<(string, HypeRecord)> hype)
    {
        (Run, Config, ConfigText, TrainingRows, EvaluationRows) = (run, config, configText, training, evaluation);
        (SampleGrids, Figures, References, HypeSessions) = (grids, figures, references, hype);
    }

    /// <summary>Reads the run in <paramref name="folder"/>.</summary>
    /// <exception cref="InputException">Not a run, or a metrics log, references file or HYPE session that cannot be read (named with its line).</exception>
    public static RunContents Read(string folder)
    {
        var run = new RunDirectory(folder);
        var config = run.ReadConfig();
        var training = new List<IReadOnlyDictionary<string, double>>();
        var evaluation = new List<IReadOnlyDictionary<string, double>>();
        if (File.Exists(run.MetricsPath))
        {
            int line = 0;
            foreach (var text in File.ReadLines(run.MetricsPath))
            {
                line++;
                if (string.IsNullOrWhiteSpace(text)) continue;
                var row = new Dictionary<string, double>();
                try
                {
                    using var json = JsonDocument.Parse(text);
                    foreach (var p in json.RootElement.EnumerateObject())
                        if (p.Value.ValueKind == JsonValueKind.Number) row[p.Name] = p.Value.GetDouble();
                }
                catch (JsonException e) { throw new InputException($"{run.MetricsPath}:{line}: not a JSON row ({e.Message})"); }
                if (!row.ContainsKey("step")) throw new InputException($"{run.MetricsPath}:{line}: a row without a step");
                (row.ContainsKey("eval_s") ? evaluation : training).Add(row);
            }
        }
        var grids = new List<(long, string)>();
        if (Directory.Exists(run.SamplesFolder))
            foreach (var path in Directory.EnumerateFiles(run.SamplesFolder, "step-*.png"))
                if (long.TryParse(Path.GetFileNameWithoutExtension(path)["step-".Length..], out var step)) grids.Add((step, path));
        grids.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        var figures = Directory.Exists(run.EvalFolder)
            ? Directory.EnumerateFiles(run.EvalFolder, "*.png").Order(StringComparer.Ordinal).ToList() : [];
        IReadOnlyDictionary<string, double> references = new Dictionary<string, double>();
        if (File.Exists(run.ReferencesPath))
        {
            try { references = JsonSerializer.Deserialize<Dictionary<string, double>>(File.ReadAllText(run.ReferencesPath)) ?? []; }
            catch (JsonException e) { throw new InputException($"{run.ReferencesPath}: not a references file ({e.Message})"); }
        }
        return new RunContents(run, config, File.ReadAllText(run.ConfigPath), training, evaluation, grids, figures, references, HypeRecord.InRun(run));
    }

    /// <summary>The run's name: its folder's.</summary>
    public string Name => Path.GetFileName(Run.Folder);

    /// <summary>The numeric keys of <paramref name="rows"/> that measure something (not placing keys, not standard errors), in first-seen order.</summary>
    public static IReadOnlyList<string> MeasuredKeys(IEnumerable<IReadOnlyDictionary<string, double>> rows) =>
        rows.SelectMany(r => r.Keys).Distinct().Where(k => !Placing.Contains(k) && !k.EndsWith("_se", StringComparison.Ordinal)).ToList();

    /// <summary>The last training row, or null before the first.</summary>
    public IReadOnlyDictionary<string, double>? LastTraining => TrainingRows.Count > 0 ? TrainingRows[^1] : null;

    /// <summary>The last evaluation row, or null when the run has none.</summary>
    public IReadOnlyDictionary<string, double>? LastEvaluation => EvaluationRows.Count > 0 ? EvaluationRows[^1] : null;

    /// <summary>The last value of <paramref name="key"/> in any row, or null.</summary>
    public double? Last(string key) =>
        TrainingRows.Concat(EvaluationRows).OrderBy(r => r["step"]).LastOrDefault(r => r.ContainsKey(key)) is { } row ? row[key] : null;
}
