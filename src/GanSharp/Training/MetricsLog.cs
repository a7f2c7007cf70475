using System.Text.Json;

namespace GanSharp.Training;

/// <summary>
/// A run's measurements: one JSON object per line in metrics.jsonl and, if asked for, the same values in TensorBoard
/// under the same names (one name per scalar, everywhere). Rows carry <c>step</c> and <c>epoch</c>; the rest are
/// whatever the game and the evaluations measured.
/// </summary>
internal sealed class MetricsLog : IDisposable
{
    /// <summary>Keys that locate a row rather than measure something: not sent to TensorBoard.</summary>
    static readonly HashSet<string> Position = ["step", "epoch", "wall_s", "eval_s", "cpu_s", "eval_cpu_s"];

    private readonly string path;
    private readonly StreamWriter writer;
    private readonly TensorBoardEvents? tensorBoard;

    /// <summary>Appends to <paramref name="path"/>; writes TensorBoard events into <paramref name="tensorBoardFolder"/> unless null.</summary>
    public MetricsLog(string path, string? tensorBoardFolder)
    {
        this.path = path;
        writer = new StreamWriter(path, append: true) { AutoFlush = true };
        if (tensorBoardFolder is not null) tensorBoard = new TensorBoardEvents(tensorBoardFolder);
    }

    /// <summary>Writes one row (its <c>step</c> first) to the log and its numeric values to TensorBoard.</summary>
    public void Write(IReadOnlyDictionary<string, object> row)
    {
        writer.WriteLine(JsonSerializer.Serialize(row));
        if (tensorBoard is null) return;
        long step = Convert.ToInt64(row["step"]);
        foreach (var (name, value) in row)
            if (!Position.Contains(name) && value is double or float or int or long)
                tensorBoard.Scalar(name, Convert.ToSingle(value), step);
    }

    /// <summary>Adds an image (a sample grid PNG) to TensorBoard.</summary>
    public void Image(string tag, string pngPath, long step) => tensorBoard?.Png(tag, File.ReadAllBytes(pngPath), step);

    /// <summary>The values of <paramref name="key"/> logged at steps before <paramref name="beforeStep"/>.</summary>
    public IReadOnlyList<double> Logged(string key, long beforeStep) =>
        File.ReadLines(path)
            .Select(line => JsonDocument.Parse(line).RootElement)
            .Where(r => r.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number && r.GetProperty("step").GetInt64() < beforeStep)
            .Select(r => r.GetProperty(key).GetDouble())
            .ToList();

    /// <summary>The last value of <paramref name="key"/> in the log at <paramref name="metricsPath"/>, or null.</summary>
    public static double? Last(string metricsPath, string key) =>
        !File.Exists(metricsPath) ? null
        : File.ReadLines(metricsPath).Select(line => JsonDocument.Parse(line).RootElement)
            .Where(r => r.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number)
            .Select(r => (double?)r.GetProperty(key).GetDouble()).LastOrDefault();

    /// <summary>
    /// The values of <paramref name="metric"/> in the log at <paramref name="metricsPath"/>, in order, against
    /// <paramref name="axis"/>, each with its standard error when the row has one (<c>METRIC_se</c>). Training CPU
    /// minutes are <c>train_cpu_s</c>, or for rows written before it was logged, <c>cpu_s</c> less the evaluations'
    /// <c>eval_cpu_s</c> up to that row.
    /// </summary>
    internal static IReadOnlyList<(double X, double Y, double? Error)> Series(string metricsPath, string metric, MetricAxis axis)
    {
        var points = new List<(double, double, double?)>();
        double evaluations = 0;
        foreach (var line in File.ReadLines(metricsPath))
        {
            using var row = JsonDocument.Parse(line);
            var r = row.RootElement;
            if (r.TryGetProperty("eval_cpu_s", out var e) && e.ValueKind == JsonValueKind.Number) evaluations += e.GetDouble();
            if (!r.TryGetProperty(metric, out var v) || v.ValueKind != JsonValueKind.Number) continue;
            double x = axis switch
            {
                MetricAxis.Epoch => r.GetProperty("epoch").GetDouble(),
                MetricAxis.Step => r.GetProperty("step").GetDouble(),
                MetricAxis.CpuMinutes => (r.TryGetProperty("train_cpu_s", out var t) ? t.GetDouble()
                                          : r.TryGetProperty("cpu_s", out var c) ? c.GetDouble() - evaluations : double.NaN) / 60,
                _ => throw new ArgumentOutOfRangeException(nameof(axis), axis, null),
            };
            double? error = r.TryGetProperty(metric + "_se", out var se) && se.ValueKind == JsonValueKind.Number ? se.GetDouble() : null;
            points.Add((x, v.GetDouble(), error));
        }
        return points;
    }

    /// <summary>The sum of <paramref name="key"/> over the rows of the log at <paramref name="metricsPath"/> (0 when none has it).</summary>
    public static double Sum(string metricsPath, string key) =>
        !File.Exists(metricsPath) ? 0
        : File.ReadLines(metricsPath).Select(line => JsonDocument.Parse(line).RootElement)
            .Where(r => r.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number)
            .Sum(r => r.GetProperty(key).GetDouble());

    /// <summary>
    /// Drops the rows of <paramref name="metricsPath"/> logged after <paramref name="step"/> (a crash after the last
    /// checkpoint leaves some), atomically.
    /// </summary>
    public static void Truncate(string metricsPath, long step)
    {
        if (!File.Exists(metricsPath)) return;
        var kept = File.ReadLines(metricsPath).Where(line =>
        {
            try { return JsonDocument.Parse(line).RootElement.GetProperty("step").GetInt64() <= step; }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException) { return false; }
        }).ToList();
        AtomicFile.WriteText(metricsPath, kept.Count == 0 ? "" : string.Join("\n", kept) + "\n");
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        writer.Dispose();
        tensorBoard?.Dispose();
    }
}

/// <summary>What a metric is plotted against.</summary>
internal enum MetricAxis
{
    /// <summary>Passes over the training images.</summary>
    Epoch,
    /// <summary>Training iterations.</summary>
    Step,
    /// <summary>Training CPU minutes (all threads, evaluations excluded).</summary>
    CpuMinutes,
}
