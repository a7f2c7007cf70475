using System.Globalization;
using System.Text;
using GanSharp.Configuration;

namespace GanSharp.Reports;

/// <summary>
/// A run's report: one self-contained <c>report.html</c> (images inlined, charts as inline SVG, no network access) with
/// the configuration, the game's scalars against iterations, the fixed-noise sample grids across training, every
/// evaluation against iterations beside the real images' own score, the last evaluation as a table, the run's figures,
/// its HYPE sessions, and its speed. Readable at a phone's width.
/// </summary>
public static class RunReport
{
    /// <summary>At most this many sample grids go into a report (evenly spread, the first and last always).</summary>
    public const int MaxGrids = 24;

    /// <summary>Writes the report of the run in <paramref name="folder"/> to <paramref name="path"/> (default: its report.html), atomically; returns the path.</summary>
    /// <exception cref="InputException">Not a run, or a file of it that cannot be read.</exception>
    public static string Write(string folder, string? path = null)
    {
        var run = RunContents.Read(folder);
        path ??= run.Run.ReportPath;
        AtomicFile.WriteText(path, Render(run));
        return path;
    }

    /// <summary>The report's HTML.</summary>
    public static string Render(RunContents run)
    {
        var body = new StringBuilder();
        var c = run.Config;
        body.Append($"<h1>{Html.Encode(run.Name)}</h1>");
        body.Append($"<p class=\"muted\">GanSharp run report · preset <b>{Html.Encode(c.Preset)}</b> · {Html.Encode(Describe(c))}</p>");
        body.Append("<nav>").AppendJoin("", Sections(run).Select(s => $"<a href=\"#{s.Id}\">{s.Title}</a>")).Append("</nav>");
        foreach (var (id, title, html) in Sections(run))
            body.Append($"<section id=\"{id}\"><h2>{title}</h2>{html}</section>");
        body.Append($"<p class=\"muted\">Written {DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC from {Html.Encode(run.Run.Folder)}.</p>");
        return Html.Page($"{run.Name} — GanSharp report", body.ToString(), SliderScript);
    }

    /// <summary>One line about the run's nets, game, loss, data and seed.</summary>
    public static string Describe(GanConfig c) =>
        $"{Kinds.NameOf(c.Model)} nets, {c.Game.Summary}, {Kinds.NameOf(c.Loss)} loss, {c.Optimizer.Kind.ToString().ToLowerInvariant()} optimizer, " +
        $"{c.Data.Summary}, batch {c.Train.Batch}, seed {c.Train.Seed}";

    /// <summary>The report's sections that have something to show: id, title, HTML.</summary>
    static IEnumerable<(string Id, string Title, string Html)> Sections(RunContents run)
    {
        yield return ("summary", "Summary", Summary(run));
        if (run.TrainingRows.Count > 0) yield return ("training", "Training", Training(run));
        if (run.SampleGrids.Count > 0) yield return ("samples", "Samples across training", Samples(run));
        if (run.EvaluationRows.Count > 0) yield return ("evaluation", "Evaluation", Evaluation(run));
        if (run.Figures.Count > 0) yield return ("figures", "Figures", Figures(run));
        if (run.HypeSessions.Count > 0) yield return ("hype", "HYPE: people's judgements", Hype(run));
        if (run.TrainingRows.Count > 0) yield return ("speed", "Speed", Speed(run));
        yield return ("configuration", "Configuration", $"<details><summary>config.json</summary><pre>{Html.Encode(run.ConfigText)}</pre></details>");
    }

    static string Summary(RunContents run)
    {
        var last = run.LastTraining;
        var rows = new List<IReadOnlyList<string>>
        {
            new[] { "iterations", last is null ? "none yet" : Html.Count(last["step"]) },
            new[] { "epochs", Html.Number(last?.GetValueOrDefault("epoch")) },
            new[] { "training CPU minutes", Html.Number(run.Last("train_cpu_s") / 60) },
            new[] { "wall-clock minutes", Html.Number(run.Last("wall_s") / 60) },
            new[] { "sample grids", run.SampleGrids.Count.ToString(CultureInfo.InvariantCulture) },
            new[] { "evaluations", run.EvaluationRows.Count.ToString(CultureInfo.InvariantCulture) },
        };
        var html = new StringBuilder(Html.Table(["", ""], rows));
        html.Append("<div class=\"side\">");
        if (run.SampleGrids.Count > 0)
            html.Append(Image(run.SampleGrids[^1].Path, $"Samples at iteration {run.SampleGrids[^1].Step:N0} (the fixed noise batch)", "grid large"));
        if (File.Exists(run.Run.RealSamplesPath))
            html.Append(Image(run.Run.RealSamplesPath, "Training images as the nets see them (the first ones, cropped, resized and coloured as the run prepares them)", "grid large"));
        return html.Append("</div>").ToString();
    }

    /// <summary>The game's scalars: losses on one chart, D's outputs on another, then each other scalar, then the schedules.</summary>
    static string Training(RunContents run)
    {
        var all = RunContents.MeasuredKeys(run.TrainingRows).Where(k => k != "images_per_s").ToList();
        // A scalar that never changed (a constant learning rate) is a number, not a chart.
        var constant = all.Where(k => run.TrainingRows.Where(r => r.ContainsKey(k)).Select(r => r[k]).Distinct().Count() == 1).ToList();
        var keys = all.Except(constant).ToList();
        var losses = keys.Where(k => k.Contains("loss", StringComparison.Ordinal)).ToList();
        var outputs = keys.Where(k => k is "d_real" or "d_fake").ToList();
        var schedules = keys.Where(k => k is "lr" or "momentum").ToList();
        var charts = new List<string?>();
        if (losses.Count > 0) charts.Add(Chart(run.TrainingRows, "Losses", losses));
        if (outputs.Count > 0) charts.Add(Chart(run.TrainingRows, "D's mean output on real and generated images", outputs));
        foreach (var k in keys.Except(losses).Except(outputs).Except(schedules)) charts.Add(Chart(run.TrainingRows, k, [k]));
        foreach (var k in schedules) charts.Add(Chart(run.TrainingRows, k == "lr" ? "Learning rate" : "Momentum", [k]));
        var constants = constant.Count == 0 ? "" :
            "<p class=\"muted\">Constant through training: " + string.Join(", ", constant.Select(k => $"{Html.Encode(k)} = {Html.Number(run.TrainingRows.First(r => r.ContainsKey(k))[k])}")) + ".</p>";
        return Charts(charts) + constants + "<p class=\"muted\">Each point is the mean over the iterations since the previous row.</p>";
    }

    static string Samples(RunContents run)
    {
        var grids = Spread(run.SampleGrids, MaxGrids);
        var html = new StringBuilder();
        if (grids.Count < run.SampleGrids.Count) html.Append($"<p class=\"muted\">{grids.Count} of the run's {run.SampleGrids.Count} grids, evenly spread.</p>");
        html.Append("<p class=\"muted\">The same noise batch at every step: the generator's progress, not new draws.</p>");
        html.Append($"<input type=\"range\" id=\"grid-slider\" min=\"0\" max=\"{grids.Count - 1}\" value=\"{grids.Count - 1}\" aria-label=\"iteration\">");
        html.Append($"<figure><img id=\"grid-view\" class=\"grid large\" alt=\"sample grid\" src=\"{Html.PngDataUri(File.ReadAllBytes(grids[^1].Path))}\">")
            .Append($"<figcaption id=\"grid-caption\">iteration {grids[^1].Step:N0}</figcaption></figure>");
        html.Append("<div class=\"strip\">");
        for (int i = 0; i < grids.Count; i++)
            html.Append($"<figure><img class=\"thumb{(i == grids.Count - 1 ? " current" : "")}\" data-index=\"{i}\" data-step=\"{grids[i].Step:N0}\" alt=\"iteration {grids[i].Step:N0}\" src=\"{Html.PngDataUri(File.ReadAllBytes(grids[i].Path))}\">")
                .Append($"<figcaption>{grids[i].Step:N0}</figcaption></figure>");
        return html.Append("</div>").ToString();
    }

    /// <summary>Every evaluated value against iterations, beside the real images' own value where the run measured it; then the last evaluation.</summary>
    static string Evaluation(RunContents run)
    {
        var keys = RunContents.MeasuredKeys(run.EvaluationRows);
        var charts = keys.Select(k => Chart(run.EvaluationRows, k, [k],
            run.References.TryGetValue(k, out var reference) ? [new ChartReference("real images", reference)] : null)).ToList();
        var last = run.LastEvaluation!;
        bool withReferences = run.References.Count > 0;
        var table = Html.Table(withReferences ? ["metric", $"iteration {last["step"]:N0}", "real images"] : ["metric", $"iteration {last["step"]:N0}"],
            keys.Where(last.ContainsKey).Select(k =>
            {
                var value = Html.Number(last[k]) + (last.TryGetValue(k + "_se", out var se) ? $" ± {Html.Number(se)}" : "");
                return (IReadOnlyList<string>)(withReferences
                    ? [Html.Encode(k), value, Html.Number(run.References.TryGetValue(k, out var r) ? r : null)]
                    : [Html.Encode(k), value]);
            }),
            "The last evaluation");
        var note = run.References.Count > 0
            ? "<p class=\"muted\">Dashed: the same measurement with real test images in place of samples — what a generator that drew the data itself would score.</p>"
            : "";
        return Charts(charts) + note + table;
    }

    static string Figures(RunContents run) =>
        "<div class=\"side\">" + string.Concat(run.Figures.Select(f => Image(f, Caption(f), "grid"))) + "</div>";

    /// <summary>
    /// A figure's caption from its file name: a translation figure's says what its columns are; a text figure's (<c>gan
    /// figure text</c>, written at the end of a text run) lists its rows' held-out captions, from the file beside it.
    /// </summary>
    static string Caption(string path)
    {
        var name = Path.GetFileNameWithoutExtension(path);
        if (System.Text.RegularExpressions.Regex.Match(name, @"^translation-step-(\d+)$") is { Success: true } m)
            return $"Held-out translations at iteration {long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture):N0}: x | G(x) | F(G(x)) ‖ y | F(y) | G(F(y)) (paired domains: x and y the same thing)";
        if (System.Text.RegularExpressions.Regex.Match(name, @"^text-step-(\d+)$") is { Success: true } t && File.Exists(path + ".captions.txt"))
        {
            var captions = File.ReadAllLines(path + ".captions.txt").Where(l => l.Length > 0).Select((c, i) => $"{i + 1}. {c}");
            return $"Held-out emoji's captions at iteration {long.Parse(t.Groups[1].Value, CultureInfo.InvariantCulture):N0} (names training never read): " +
                   $"the real emoji, then Stage-I's and Stage-II's images of its caption, the same noise down each column — {string.Join("; ", captions)}";
        }
        return name;
    }

    static string Hype(RunContents run)
    {
        var rows = run.HypeSessions.Select(s =>
        {
            var r = s.Record;
            static string Share(GanSharp.Evaluation.BootstrapInterval? i) => i?.Percent() ?? "—";
            return (IReadOnlyList<string>)
            [
                Html.Encode(Path.GetFileName(s.Path)), r.Mode == GanSharp.Evaluation.HypeMode.Time ? "HYPE-time" : "HYPE∞",
                $"{r.Answers.Count} of {r.Images}", Share(r.Infinity?.Score), Share(r.Infinity?.Fakes), Share(r.Infinity?.Reals),
                r.Time is { } t ? $"{t.ThresholdMs:0} ms [{t.LowerMs:0}, {t.UpperMs:0}]" : "—", Html.Count(r.Source.Step),
            ];
        });
        return Html.Table(["session", "kind", "answered", "error rate", "fakes judged real", "reals judged fake", "threshold (HYPE-time)", "iteration"], rows)
               + "<p class=\"muted\">Error rates with bootstrap 95% intervals; 50% means people could not tell the samples from real images.</p>";
    }

    static string Speed(RunContents run)
    {
        var speeds = run.TrainingRows.Where(r => r.ContainsKey("images_per_s")).Select(r => r["images_per_s"]).ToList();
        double evalCpu = run.EvaluationRows.Sum(r => r.GetValueOrDefault("eval_cpu_s"));
        var table = Html.Table(["", ""], new List<IReadOnlyList<string>>
        {
            new[] { "images per second (median of rows)", Html.Number(speeds.Count > 0 ? Median(speeds) : null) },
            new[] { "training CPU minutes", Html.Number(run.Last("train_cpu_s") / 60) },
            new[] { "evaluation CPU minutes", Html.Number(evalCpu / 60) },
            new[] { "wall-clock minutes", Html.Number(run.Last("wall_s") / 60) },
            new[] { "threads", run.Config.Train.Threads == 0 ? "one per core" : run.Config.Train.Threads.ToString(CultureInfo.InvariantCulture) },
        });
        return Charts([Chart(run.TrainingRows, "Training images per second", ["images_per_s"])]) + table;
    }

    static string? Chart(IReadOnlyList<IReadOnlyDictionary<string, double>> rows, string title, IReadOnlyList<string> keys,
                         IReadOnlyList<ChartReference>? references = null) =>
        SvgChart.Line(title, "iteration",
            keys.Select(k => new ChartSeries(k, rows.Where(r => r.ContainsKey(k)).Select(r => r["step"]).ToList(),
                                             rows.Where(r => r.ContainsKey(k)).Select(r => r[k]).ToList())).ToList(), references);

    static string Charts(IEnumerable<string?> charts) => "<div class=\"charts\">" + string.Concat(charts.Where(c => c is not null)) + "</div>";

    static string Image(string path, string caption, string cssClass) =>
        $"<figure><img class=\"{cssClass}\" alt=\"{Html.Encode(caption)}\" src=\"{Html.PngDataUri(File.ReadAllBytes(path))}\"><figcaption>{Html.Encode(caption)}</figcaption></figure>";

    /// <summary>At most <paramref name="count"/> of <paramref name="items"/>, evenly spread, the first and last included.</summary>
    internal static IReadOnlyList<T> Spread<T>(IReadOnlyList<T> items, int count)
    {
        if (items.Count <= count) return items;
        return Enumerable.Range(0, count).Select(i => (int)Math.Round((double)i * (items.Count - 1) / (count - 1), MidpointRounding.AwayFromZero)).Distinct().Select(i => items[i]).ToList();
    }

    static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>The slider and the strip choose which grid is shown large (the strip's images are the only copies).</summary>
    const string SliderScript = """
        (function () {
          var slider = document.getElementById('grid-slider');
          if (!slider) return;
          var thumbs = Array.prototype.slice.call(document.querySelectorAll('img.thumb'));
          var view = document.getElementById('grid-view'), caption = document.getElementById('grid-caption');
          function show(i) {
            thumbs.forEach(function (t, j) { t.classList.toggle('current', j === i); });
            view.src = thumbs[i].src;
            caption.textContent = 'iteration ' + thumbs[i].dataset.step;
            slider.value = i;
          }
          slider.addEventListener('input', function () { show(+slider.value); });
          thumbs.forEach(function (t, i) { t.addEventListener('click', function () { show(i); }); });
        })();
        """;
}
