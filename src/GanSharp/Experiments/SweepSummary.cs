using System.Text.Json.Serialization;
using GanSharp.Configuration;

namespace GanSharp.Experiments;

/// <summary>One evaluation of a sweep's run: at an iteration and a training CPU time, its metric values.</summary>
public sealed record SweepPoint(long Step, double CpuMinutes, IReadOnlyDictionary<string, double> Values);

/// <summary>One run of a sweep: where it got to, and its evaluations in order (the last at the end of its budget).</summary>
public sealed record SweepRunResult(string Name, string Preset, long Seed, bool Finished, long Steps, double CpuMinutes,
                                    IReadOnlyList<SweepPoint> Evaluations);

/// <summary>A metric of a sweep's table: mean and sample standard deviation over the seeds of a preset.</summary>
public sealed record SweepStatistic(double Mean, double StandardDeviation, int Count);

/// <summary>A row of a sweep's table: a preset's finished runs, their mean length, and each metric's statistics over them.</summary>
public sealed record SweepRow(string Preset, int Runs, double Steps, double CpuMinutes, IReadOnlyDictionary<string, SweepStatistic> Metrics);

/// <summary>
/// What a sweep measured: each run, and per preset the mean ± standard deviation over its finished seeds of every metric
/// at the end of the budget.
/// </summary>
public sealed record SweepSummary(SweepPlan Plan, IReadOnlyList<SweepRunResult> Runs)
{
    /// <summary>
    /// The metrics a sweep tabulates, in table order, with their labels (↑/↓: which way is better): every tabulated
    /// metric of the registry (<see cref="MetricRegistry"/>), feature metrics first; a table shows those its runs measured.
    /// </summary>
    public static readonly IReadOnlyList<KeyValuePair<string, string>> Metrics =
    [
        .. MetricRegistry.Features.Metrics.Concat(MetricRegistry.Metrics.Except(MetricRegistry.Features.Metrics))
            .Where(m => m.Tabulated).Select(m => KeyValuePair.Create(m.Name, m.Label)),
    ];

    /// <summary>The label of <paramref name="metric"/> in tables and plots.</summary>
    public static string Label(string metric) => MetricRegistry.Label(metric);

    /// <summary>The metric plotted when none is named: Parzen if measured, else the Fréchet distance.</summary>
    [JsonIgnore]
    public string? DefaultPlotMetric => new[] { "parzen_test", "fid_valid" }.FirstOrDefault(m => Runs.Any(r => r.Evaluations.Any(e => e.Values.ContainsKey(m))));

    /// <summary>Per preset (in the plan's order): the finished runs' statistics of each metric at the end of the budget.</summary>
    public IReadOnlyList<SweepRow> Table => [.. Plan.Presets.Select(SweepPlan.EntryName).Select(Row).OfType<SweepRow>()];

    SweepRow? Row(string preset)
    {
        var finished = Runs.Where(r => r.Preset == preset && r.Finished).ToList();
        if (finished.Count == 0) return null;
        var stats = new Dictionary<string, SweepStatistic>();
        foreach (var (key, _) in Metrics)
        {
            var values = finished.Select(r => r.Evaluations[^1].Values.TryGetValue(key, out var v) ? v : double.NaN)
                                 .Where(double.IsFinite).ToArray();
            if (values.Length == finished.Count) stats[key] = Statistic(values);
        }
        return new SweepRow(preset, finished.Count, finished.Average(r => r.Steps), finished.Average(r => r.CpuMinutes), stats);
    }

    /// <summary>Mean and sample standard deviation (n − 1; 0 for one value).</summary>
    public static SweepStatistic Statistic(IReadOnlyList<double> values)
    {
        double mean = values.Average();
        double sd = values.Count < 2 ? 0 : Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
        return new SweepStatistic(mean, sd, values.Count);
    }

    /// <summary>"mean ± sd", with decimals for the larger of the two: 1 from 100, 2 from 10, else 3.</summary>
    public static string Format(SweepStatistic s)
    {
        double scale = Math.Max(Math.Abs(s.Mean), s.StandardDeviation);
        int decimals = scale >= 100 ? 1 : scale >= 10 ? 2 : 3;
        return s.Count < 2 ? s.Mean.ToString($"F{decimals}") : $"{s.Mean.ToString($"F{decimals}")} ± {s.StandardDeviation.ToString($"F{decimals}")}";
    }

    /// <summary>The table as Markdown, headed by the budget and seeds.</summary>
    public string Markdown()
    {
        var table = Table;
        var keys = Metrics.Where(m => table.Any(r => r.Metrics.ContainsKey(m.Key))).ToList();
        var budget = Plan.CpuMinutes is { } m ? $"{m:G4} training CPU minutes per run" : $"{Plan.Steps:N0} iterations per run";
        var w = new System.Text.StringBuilder();
        w.AppendLine($"Budget: {budget}, {Plan.Threads} thread{(Plan.Threads == 1 ? "" : "s")}; seeds {string.Join(", ", Plan.Seeds)}; " +
                     $"mean ± standard deviation over seeds{(Plan.Ema ? "; moving average of G" : "")}.");
        w.AppendLine();
        w.AppendLine("| preset | runs | iterations | training CPU min | " + string.Join(" | ", keys.Select(k => k.Value)) + " |");
        w.AppendLine("|---|---:|---:|---:|" + string.Concat(keys.Select(_ => "---:|")));
        foreach (var r in table)
            w.AppendLine($"| `{r.Preset}` | {r.Runs} | {r.Steps:N0} | {r.CpuMinutes:F1} | " +
                         string.Join(" | ", keys.Select(k => r.Metrics.TryGetValue(k.Key, out var s) ? Format(s) : "–")) + " |");
        var unfinished = Runs.Where(r => !r.Finished).Select(r => r.Name).ToList();
        if (unfinished.Count > 0) w.AppendLine().AppendLine($"Not yet finished (left out): {string.Join(", ", unfinished)}.");
        return w.ToString();
    }
}
