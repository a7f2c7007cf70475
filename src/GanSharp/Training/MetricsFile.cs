using System.Text.Json;

namespace GanSharp.Training;

/// <summary>
/// The one reader of a run's metrics.jsonl: every whole row, its numeric values by name, in the order written. Resume,
/// the report, the sweep's tables, <c>gan compare</c> and the figures all read the log through it, so they agree on what
/// it holds.
/// <para>
/// A torn last line — a row the process was killed while writing: the last line, without its newline, not a JSON object
/// with a step — is left out and named in <see cref="Torn"/> (resume drops it from the file and says so). Any other line
/// that is not a row is an error that names its line: a log edited or corrupted in the middle is never read past silently.
/// </para>
/// </summary>
public sealed class MetricsFile
{
    /// <summary>Keys that place a row (when, where) rather than measure the game.</summary>
    public static readonly IReadOnlySet<string> PlacingKeys = new HashSet<string> { "step", "epoch", "wall_s", "cpu_s", "train_cpu_s", "eval_s", "eval_cpu_s" };

    /// <summary>The log's path.</summary>
    public string Path { get; }
    /// <summary>Every whole row (its numeric values by name; each has <c>step</c>), in order.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, double>> Rows { get; }
    /// <summary>The torn last line that was left out, as "FILE:LINE", or null when the log ends with a whole row.</summary>
    public string? Torn { get; }
    private readonly IReadOnlyList<string> lines;  // each row's text, as written (what a truncation keeps)

    MetricsFile(string path, List<IReadOnlyDictionary<string, double>> rows, List<string> lines, string? torn) =>
        (Path, Rows, this.lines, Torn) = (path, rows, lines, torn);

    /// <summary>Reads the log at <paramref name="path"/> (a missing file: no rows).</summary>
    /// <exception cref="InputException">A line before the last that is not a row (named with its line number).</exception>
    public static MetricsFile Read(string path)
    {
        var rows = new List<IReadOnlyDictionary<string, double>>();
        var texts = new List<string>();
        if (!File.Exists(path)) return new MetricsFile(path, rows, texts, null);
        string text;
        try { text = File.ReadAllText(path); }
        catch (IOException e) { throw new InputException($"{path}: cannot read ({e.Message})", e); }
        var all = text.Split('\n');
        int count = all.Length - (text.EndsWith('\n') ? 1 : 0);  // the piece after a final newline is not a line
        string? torn = null;
        for (int i = 0; i < count; i++)
        {
            var line = all[i];
            if (string.IsNullOrWhiteSpace(line)) continue;
            var row = Parse(line, out var problem);
            if (row is not null)
            {
                rows.Add(row);
                texts.Add(line);
            }
            else if (i == count - 1 && !text.EndsWith('\n')) torn = $"{path}:{i + 1}";
            else throw new InputException($"{path}:{i + 1}: {problem}");
        }
        return new MetricsFile(path, rows, texts, torn);
    }

    static Dictionary<string, double>? Parse(string line, out string problem)
    {
        problem = "";
        try
        {
            using var json = JsonDocument.Parse(line);
            if (json.RootElement.ValueKind != JsonValueKind.Object) { problem = "not a JSON object"; return null; }
            var row = new Dictionary<string, double>();
            foreach (var p in json.RootElement.EnumerateObject())
                if (p.Value.ValueKind == JsonValueKind.Number) row[p.Name] = p.Value.GetDouble();
            if (!row.ContainsKey("step")) { problem = "a row without a step"; return null; }
            return row;
        }
        catch (JsonException e)
        {
            problem = $"not a JSON row ({e.Message.Split(" Path:")[0].Split(" LineNumber:")[0].TrimEnd('.', ' ')})";
            return null;
        }
    }

    /// <summary>Whether a row was written by a periodic evaluation (it has <c>eval_s</c>) rather than by training steps.</summary>
    public static bool IsEvaluation(IReadOnlyDictionary<string, double> row) => row.ContainsKey("eval_s");

    /// <summary>The rows written by training steps, in order.</summary>
    public IEnumerable<IReadOnlyDictionary<string, double>> TrainingRows => Rows.Where(r => !IsEvaluation(r));
    /// <summary>The rows written by periodic evaluations, in order.</summary>
    public IEnumerable<IReadOnlyDictionary<string, double>> EvaluationRows => Rows.Where(IsEvaluation);

    /// <summary>The last value of <paramref name="key"/>, or null when no row has it.</summary>
    public double? Last(string key) => Rows.LastOrDefault(r => r.ContainsKey(key)) is { } row ? row[key] : null;

    /// <summary>The sum of <paramref name="key"/> over the rows (0 when none has it).</summary>
    public double Sum(string key) => Rows.Sum(r => r.GetValueOrDefault(key));

    /// <summary>The values of <paramref name="key"/> in rows logged at steps before <paramref name="beforeStep"/>.</summary>
    public IReadOnlyList<double> Values(string key, long beforeStep) =>
        Rows.Where(r => r["step"] < beforeStep && r.ContainsKey(key)).Select(r => r[key]).ToList();

    /// <summary>
    /// The values of <paramref name="metric"/>, in order, against <paramref name="axis"/>, each with its standard error
    /// when the row has one (<c>METRIC_se</c>). Training CPU minutes are <c>train_cpu_s</c>, or for rows written before
    /// it was logged, <c>cpu_s</c> less the evaluations' <c>eval_cpu_s</c> up to that row.
    /// </summary>
    public IReadOnlyList<(double X, double Y, double? Error)> Series(string metric, MetricAxis axis)
    {
        var points = new List<(double, double, double?)>();
        double evaluations = 0;
        foreach (var r in Rows)
        {
            evaluations += r.GetValueOrDefault("eval_cpu_s");
            if (!r.TryGetValue(metric, out var y)) continue;
            double x = axis switch
            {
                MetricAxis.Epoch => r.GetValueOrDefault("epoch", double.NaN),
                MetricAxis.Step => r["step"],
                MetricAxis.CpuMinutes => (r.TryGetValue("train_cpu_s", out var t) ? t
                                          : r.TryGetValue("cpu_s", out var c) ? c - evaluations : double.NaN) / 60,
                _ => throw new ArgumentOutOfRangeException(nameof(axis), axis, null),
            };
            points.Add((x, y, r.TryGetValue(metric + "_se", out var se) ? se : null));
        }
        return points;
    }

    /// <summary>
    /// Keeps the rows a resume continues after (atomically): those logged at steps before <paramref name="step"/>, and at
    /// <paramref name="step"/> too when <paramref name="keepStep"/> (a checkpoint's step: its rows were written before it).
    /// A run stopped before its first checkpoint starts again from step 0 and keeps none. Returns what was dropped, in a
    /// line for the user when it was a torn row, else null.
    /// </summary>
    /// <exception cref="InputException">A line before the last that is not a row.</exception>
    public static string? Truncate(string path, long step, bool keepStep)
    {
        if (!File.Exists(path)) return null;
        var log = Read(path);
        var kept = log.lines.Where((_, i) => log.Rows[i]["step"] < step || (keepStep && log.Rows[i]["step"] == step)).ToList();
        if (kept.Count != log.lines.Count || log.Torn is not null)
            AtomicFile.WriteText(path, kept.Count == 0 ? "" : string.Join("\n", kept) + "\n");
        return log.Torn is { } torn ? $"{torn}: the last row was cut short (the run was killed while writing it) and was dropped" : null;
    }
}

/// <summary>What a metric is plotted against.</summary>
public enum MetricAxis
{
    /// <summary>Passes over the training images.</summary>
    Epoch,
    /// <summary>Training iterations.</summary>
    Step,
    /// <summary>Training CPU minutes (all threads, evaluations excluded).</summary>
    CpuMinutes,
}
