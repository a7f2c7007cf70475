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
                List<IReadOnlyDictionary<string, double>> evaluation, List<(long Step, string Path)> grids, List<string> figures,
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
        var metrics = MetricsFile.Read(run.MetricsPath);
        var training = metrics.TrainingRows.ToList();
        var evaluation = metrics.EvaluationRows.ToList();
        var grids = run.SampleGrids().ToList();
        var figures = run.Figures().ToList();
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
        rows.SelectMany(r => r.Keys).Distinct().Where(k => !MetricsFile.PlacingKeys.Contains(k) && !k.EndsWith("_se", StringComparison.Ordinal)).ToList();

    /// <summary>The last training row, or null before the first.</summary>
    public IReadOnlyDictionary<string, double>? LastTraining => TrainingRows.Count > 0 ? TrainingRows[^1] : null;

    /// <summary>The last evaluation row, or null when the run has none.</summary>
    public IReadOnlyDictionary<string, double>? LastEvaluation => EvaluationRows.Count > 0 ? EvaluationRows[^1] : null;

    /// <summary>The last value of <paramref name="key"/> in any row, or null.</summary>
    public double? Last(string key) =>
        TrainingRows.Concat(EvaluationRows).OrderBy(r => r["step"]).LastOrDefault(r => r.ContainsKey(key)) is { } row ? row[key] : null;
}
