using System.Globalization;
using System.Text;

namespace GanSharp.Reports;

/// <summary>
/// Runs side by side: one table of their last evaluations (the same metrics in the same columns), one chart per metric
/// with a line per run (the training losses where no run has evaluations), and their newest sample grids next to each
/// other — as a self-contained page and as a text table. Runs trained on different data are compared with a warning:
/// their evaluations measure different test sets.
/// </summary>
public sealed class RunComparison
{
    /// <summary>The runs, in the order given.</summary>
    public IReadOnlyList<RunContents> Runs { get; }

    /// <summary>The evaluated metrics of any run, in first-seen order (the table's metric columns).</summary>
    public IReadOnlyList<string> Metrics { get; }

    RunComparison(IReadOnlyList<RunContents> runs)
    {
        Runs = runs;
        Metrics = RunContents.MeasuredKeys(runs.SelectMany(r => r.EvaluationRows));
    }

    /// <summary>Reads the runs in <paramref name="folders"/> (at least two; each named once).</summary>
    /// <exception cref="InputException">Fewer than two runs, a run named twice, or a folder that is not a run.</exception>
    public static RunComparison Read(IReadOnlyList<string> folders)
    {
        if (folders.Count < 2) throw new InputException($"compare needs at least two runs (got {folders.Count})");
        var twice = folders.GroupBy(Path.GetFullPath).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null) throw new InputException($"{twice.First()} is named twice");
        return new RunComparison(folders.Select(RunContents.Read).ToList());
    }

    /// <summary>The training losses charted when no run has evaluations.</summary>
    public static readonly string[] Losses = ["d_loss", "g_loss"];

    /// <summary>What the reader should know before reading the table (runs on different data), each a sentence; or none.</summary>
    public IReadOnlyList<string> Warnings =>
        Runs.Select(r => r.Config.Data).Distinct().Count() > 1
            ? [$"the runs trained on different data ({string.Join("; ", Runs.Select(r => $"{r.Name}: {r.Config.Data.Summary}"))}): " +
               "their evaluations measure different test sets, so a column does not rank them"]
            : [];

    /// <summary>The default page of a comparison: beside the first run's folder, named by the time.</summary>
    public static string DefaultPath(IReadOnlyList<string> folders) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(folders[0]).TrimEnd(Path.DirectorySeparatorChar)) ?? ".",
                     $"compare-{DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}.html");

    /// <summary>The table's header: run, preset, data, iterations, training CPU minutes, then the metrics.</summary>
    public IReadOnlyList<string> Header => ["run", "preset", "data", "iterations", "training CPU min", .. Metrics];

    /// <summary>The table's rows, one per run, formatted (values of the run's last evaluation; "—" where it has none).</summary>
    public IReadOnlyList<IReadOnlyList<string>> Rows => Runs.Select(r =>
    {
        var last = r.LastEvaluation;
        return (IReadOnlyList<string>)
        [
            r.Name, r.Config.Preset, r.Config.Data.Summary, Html.Count(r.LastTraining?["step"]), Html.Number(r.Last("train_cpu_s") / 60),
            .. Metrics.Select(m => Html.Number(last is not null && last.TryGetValue(m, out var v) ? v : null)),
        ];
    }).ToList();

    /// <summary>The table as Markdown (a text table that also pastes into docs).</summary>
    public string ToMarkdown()
    {
        var rows = Rows;
        var widths = Header.Select((h, i) => Math.Max(h.Length, rows.Max(r => r[i].Length))).ToArray();
        const int textColumns = 3;                                                  // run, preset, data: left-aligned
        string Line(IReadOnlyList<string> cells) => "| " + string.Join(" | ", cells.Select((c, i) => i < textColumns ? c.PadRight(widths[i]) : c.PadLeft(widths[i]))) + " |";
        var text = new StringBuilder();
        foreach (var w in Warnings) text.AppendLine($"Warning: {w}.").AppendLine();
        text.AppendLine(Line(Header));
        text.AppendLine("|" + string.Join("|", widths.Select((w, i) => i < textColumns ? new string('-', w + 2) : new string('-', w + 1) + ":")) + "|");
        foreach (var r in rows) text.AppendLine(Line(r));
        return text.ToString();
    }

    /// <summary>
    /// Writes the comparison page to <paramref name="path"/>, atomically; its charts against training CPU minutes when
    /// <paramref name="againstCpuMinutes"/> (runs at an equal CPU budget), else against iterations.
    /// </summary>
    public void WriteHtml(string path, bool againstCpuMinutes = false) => AtomicFile.WriteText(path, RenderHtml(againstCpuMinutes));

    /// <summary>The comparison page's HTML (see <see cref="WriteHtml"/>).</summary>
    public string RenderHtml(bool againstCpuMinutes = false)
    {
        // Rows logged before train_cpu_s existed have no CPU time: they are left out of CPU-time charts.
        string axis = againstCpuMinutes ? "training CPU minutes" : "iteration";
        double X(IReadOnlyDictionary<string, double> row) => againstCpuMinutes ? row.GetValueOrDefault("train_cpu_s", double.NaN) / 60 : row["step"];
        var body = new StringBuilder($"<h1>{Runs.Count} runs compared</h1>");
        foreach (var w in Warnings) body.Append($"<p class=\"warning\"><b>Warning:</b> {Html.Encode(w)}.</p>");
        body.Append($"<p class=\"muted\">Each run's last evaluation; the charts show every {(Metrics.Count > 0 ? "evaluation" : "logged training loss (no run has evaluations)")} against {(againstCpuMinutes ? "training CPU minutes" : "iterations")}.</p>");
        body.Append(Html.Table(Header.Select(Html.Encode).ToList(), Rows.Select(r => (IReadOnlyList<string>)r.Select(Html.Encode).ToList())));
        body.Append("<h2>Runs</h2><ul>")
            .AppendJoin("", Runs.Select(r => $"<li><b>{Html.Encode(r.Name)}</b>: {Html.Encode(RunReport.Describe(r.Config))} <span class=\"muted\">({Html.Encode(r.Run.Folder)})</span></li>"))
            .Append("</ul>");
        if (Metrics.Count > 0)
        {
            body.Append("<h2>Evaluations</h2><div class=\"charts\">");
            foreach (var metric in Metrics)
            {
                var series = Runs.Select(r => new ChartSeries(r.Name,
                    r.EvaluationRows.Where(row => row.ContainsKey(metric)).Select(X).ToList(),
                    r.EvaluationRows.Where(row => row.ContainsKey(metric)).Select(row => row[metric]).ToList())).ToList();
                // The real images' value, where the runs measured it alike (the same value in every run that has one).
                var references = Runs.Where(r => r.References.ContainsKey(metric)).Select(r => r.References[metric]).Distinct().ToList();
                body.Append(SvgChart.Line(metric, axis, series, references.Count == 1 ? [new ChartReference("real images", references[0])] : null));
            }
            body.Append("</div>");
        }
        else
        {
            body.Append("<h2>Training losses</h2><div class=\"charts\">");
            foreach (var loss in Losses.Where(l => Runs.Any(r => r.TrainingRows.Any(row => row.ContainsKey(l)))))
                body.Append(SvgChart.Line(loss, axis, Runs.Select(r => new ChartSeries(r.Name,
                    r.TrainingRows.Where(row => row.ContainsKey(loss)).Select(X).ToList(),
                    r.TrainingRows.Where(row => row.ContainsKey(loss)).Select(row => row[loss]).ToList())).ToList()));
            body.Append("</div>");
        }
        body.Append("<h2>Newest samples</h2><div class=\"side\">");
        foreach (var r in Runs)
        {
            body.Append("<figure>");
            if (r.SampleGrids.Count > 0)
                body.Append($"<img class=\"grid\" alt=\"{Html.Encode(r.Name)}\" src=\"{Html.PngDataUri(File.ReadAllBytes(r.SampleGrids[^1].Path))}\">")
                    .Append($"<figcaption>{Html.Encode(r.Name)}, iteration {r.SampleGrids[^1].Step.ToString("N0", CultureInfo.InvariantCulture)}</figcaption>");
            else body.Append($"<figcaption>{Html.Encode(r.Name)}: no sample grid yet</figcaption>");
            body.Append("</figure>");
        }
        body.Append("</div>");
        body.Append($"<p class=\"muted\">Written {DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC.</p>");
        return Html.Page($"{Runs.Count} runs compared — GanSharp", body.ToString());
    }
}
