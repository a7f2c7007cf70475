using System.Text.RegularExpressions;
using GanSharp.Configuration;
using GanSharp.Reports;
using GanSharp.Training;
using PuppeteerSharp;
using SkiaSharp;
using static GanSharp.Tests.TestSupport;

namespace GanSharp.Tests;

/// <summary>Three short runs trained once from the command line, for the report and compare tests.</summary>
public sealed class ReportRunsFixture
{
    public string[] Runs { get; }
    /// <summary>Each training's exit code, output and errors.</summary>
    public (int Code, string Out, string Err)[] Training { get; }

    public ReportRunsFixture()
    {
        var root = TempFolder();
        Runs = [.. new[] { "dcgan-a", "dcgan-b", "paper" }.Select(n => Path.Combine(root, n))];
        Training =
        [
            .. Runs.Select((run, i) => Gan.Run("train", "--preset", i < 2 ? "dcgan-mnist" : "paper-mnist", "--dataset", MnistFixture,
                "--batch", "8", "--steps", "4", "--threads", "1", "--seed", (i + 1).ToString(), "--log-every", "1", "--sample-every", "2",
                "--eval-every", "2", "--eval", "parzen", "--no-tensorboard", "--out", run)).Select(r => (r.Code, r.Out, r.Err)),
        ];
    }
}

/// <summary>
/// <c>report.html</c> and <c>gan compare</c>: written at the end of training, self-contained (every image inlined and
/// decodable, nothing fetched), every section present; opened in Chromium with no network and no console error.
/// </summary>
public class ReportTests(ReportRunsFixture runs) : IClassFixture<ReportRunsFixture>
{
    static readonly Regex ImageSources = new("<img[^>]*? src=\"([^\"]*)\"");

    [Fact]
    public void Training_writes_a_self_contained_report_with_every_section()
    {
        foreach (var t in runs.Training) Assert.True(t.Code == 0, t.Err);
        var run = new RunDirectory(runs.Runs[0]);
        Assert.Contains($"report {run.ReportPath}", runs.Training[0].Out);
        var html = File.ReadAllText(run.ReportPath);
        foreach (var id in new[] { "summary", "training", "samples", "evaluation", "speed", "configuration" })
            Assert.Contains($"<section id=\"{id}\">", html);
        Assert.Contains("parzen_test", html);
        Assert.Contains("<svg class=\"chart\"", html);
        // Nothing from elsewhere: no script, style sheet or image by address; every image a PNG inside the page that decodes.
        Assert.DoesNotMatch("(src|href)=\"(https?:|//|file:)", html);
        var sources = ImageSources.Matches(html).Select(m => m.Groups[1].Value).ToList();
        Assert.True(sources.Count >= 4, $"{sources.Count} images");   // the last grid, the slider's view, the strip's 3 grids (steps 0, 2, 4)
        foreach (var src in sources)
        {
            Assert.StartsWith("data:image/png;base64,", src);
            using var bitmap = SKBitmap.Decode(Convert.FromBase64String(src["data:image/png;base64,".Length..]));
            Assert.True(bitmap is { Width: > 0, Height: > 0 }, "an inlined image does not decode");
        }
        // The grids are the run's own files, in step order.
        var grids = Directory.GetFiles(run.SamplesFolder, "step-*.png").Order().Select(f => Convert.ToBase64String(File.ReadAllBytes(f))).ToList();
        var strip = Regex.Matches(html, "class=\"thumb[^\"]*\"[^>]*src=\"data:image/png;base64,([^\"]*)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(grids, strip);
    }

    [Fact]
    public void Report_command_rewrites_the_report_and_names_a_bad_metrics_line()
    {
        var root = TempFolder();
        var copy = Path.Combine(root, "copy");
        CopyFolder(runs.Runs[0], copy);
        var figure = Gan.Run("figure", "samples", "--run", copy, "--rows", "2", "--columns", "3", "--dataset", MnistFixture);
        Assert.True(figure.Code == 0, figure.Err);
        var r = Gan.Run("report", copy, "--out", Path.Combine(root, "elsewhere.html"));
        Assert.True(r.Code == 0, r.Err);
        var html = File.ReadAllText(Path.Combine(root, "elsewhere.html"));
        Assert.Contains("<section id=\"evaluation\">", html);
        // The run's figures are in it, each the file's own bytes.
        var png = Directory.GetFiles(new RunDirectory(copy).EvalFolder, "figure2-samples-*.png").Single();
        Assert.Contains("<section id=\"figures\">", html);
        Assert.Contains(Convert.ToBase64String(File.ReadAllBytes(png)), html);
        File.AppendAllText(Path.Combine(copy, "metrics.jsonl"), "{\"step\": 5, \"d_loss\": \n");
        var lines = File.ReadAllLines(Path.Combine(copy, "metrics.jsonl")).Length;
        var bad = Gan.Run("report", copy);
        Gan.AssertOneLineError(bad, 2, $"metrics.jsonl:{lines}");
        Gan.AssertOneLineError(Gan.Run("report", root), 2, "not a run directory");
    }

    [Fact]
    public void Compare_tabulates_three_runs_on_the_same_metrics()
    {
        var page = Path.Combine(TempFolder(), "compare.html");
        var r = Gan.Run(["compare", .. runs.Runs, "--out", page]);
        Assert.True(r.Code == 0, r.Err);
        foreach (var name in new[] { "dcgan-a", "dcgan-b", "paper", "parzen_test", "training CPU min" }) Assert.Contains(name, r.Out);
        var comparison = RunComparison.Read(runs.Runs);
        Assert.Equal(["run", "preset", "data", "iterations", "training CPU min", "parzen_test", "parzen_sigma", "parzen_valid"], comparison.Header);
        Assert.Empty(comparison.Warnings);                                // one dataset
        // Each cell is the run's own last evaluation.
        for (int i = 0; i < 3; i++)
            Assert.Equal(Html.Number(MetricsFile.Read(new RunDirectory(runs.Runs[i]).MetricsPath).Last("parzen_test")), comparison.Rows[i][5]);
        var markdown = comparison.ToMarkdown().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(5, markdown.Length);                              // header, rule, three runs
        Assert.All(markdown, line => Assert.StartsWith("|", line));
        var html = File.ReadAllText(page);
        Assert.Equal(3, Regex.Matches(html, "<img class=\"grid\"").Count);
        Assert.Equal(comparison.ToMarkdown(), File.ReadAllText(Path.ChangeExtension(page, ".md")));   // the table beside the page
        Gan.AssertOneLineError(Gan.Run("compare", runs.Runs[0]), 2, "at least two runs");
        Gan.AssertOneLineError(Gan.Run("compare", runs.Runs[0], runs.Runs[0]), 2, "named twice");
    }

    [Fact]
    public void Compare_warns_of_different_data_charts_losses_without_evaluations_and_writes_beside_the_runs()
    {
        var root = TempFolder();
        using var images = TinySet();
        foreach (var (name, dataset) in new[] { ("on-a", "set-a"), ("on-b", "set-b") })
            using (var run = TrainingRun.Start(Tiny() with { Data = new DataConfig { Dataset = dataset } }, Path.Combine(root, name), images)) run.Run();
        string[] folders = [Path.Combine(root, "on-a"), Path.Combine(root, "on-b")];
        var comparison = RunComparison.Read(folders);
        Assert.Contains("the runs trained on different data (on-a: set-a; on-b: set-b)", Assert.Single(comparison.Warnings));
        Assert.StartsWith("Warning: the runs trained on different data", comparison.ToMarkdown());
        var html = comparison.RenderHtml();
        Assert.Contains("<h2>Training losses</h2>", html);              // no evaluations: the losses are charted
        Assert.Equal(2, Regex.Matches(html, "<svg").Count);             // d_loss and g_loss
        var r = Gan.Run(["compare", .. folders]);
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("gan: warning: the runs trained on different data", r.Err);
        Assert.Single(Directory.GetFiles(root, "compare-*.html"));       // beside the runs, not in the current folder
        // Each run shows its training images as the nets see them: the first ones, as a grid of their own.
        var real = new RunDirectory(folders[0]).RealSamplesPath;
        var expected = Path.Combine(root, "expected.png");
        using (var first = images.Images.narrow(0, 0, Math.Min(Tiny().Output.SampleCount, images.Count)))
            GanSharp.Imaging.ImageGrid.SavePng(first, expected);
        Assert.Equal(File.ReadAllBytes(expected), File.ReadAllBytes(real));
        Assert.Contains(Convert.ToBase64String(File.ReadAllBytes(real)), File.ReadAllText(RunReport.Write(folders[0])));
        Assert.False(File.Exists(Path.Combine(folders[0], "run.lock")));   // a run that ended removes its lock file
    }

    [ChromiumFact]
    public async Task Report_opens_in_Chromium_offline_with_every_image_decoded()
    {
        var report = new RunDirectory(runs.Runs[0]).ReportPath;
        var errors = new List<string>();
        var requests = new List<string>();
        await using var browser = await Browser.LaunchAsync();
        foreach (var width in new[] { 1100, 390 })                        // a desktop and a phone
        {
            var page = await Browser.PageAsync(browser, errors, width);
            await page.SetOfflineModeAsync(true);
            await page.SetRequestInterceptionAsync(true);
            page.Request += async (_, e) =>
            {
                lock (requests) requests.Add(e.Request.Url);
                if (e.Request.Url.StartsWith("file:", StringComparison.Ordinal) || e.Request.Url.StartsWith("data:", StringComparison.Ordinal))
                    await e.Request.ContinueAsync();
                else await e.Request.AbortAsync();
            };
            await page.GoToAsync(new Uri(report).AbsoluteUri, WaitUntilNavigation.Load);
            var undecoded = await page.EvaluateExpressionAsync<int>(
                "Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).length");
            Assert.Equal(0, undecoded);
            Assert.True(await page.EvaluateExpressionAsync<int>("document.images.length") >= 4);
            Assert.Equal(6, await page.EvaluateExpressionAsync<int>("document.querySelectorAll('section h2').length"));
            // The page fits the screen: nothing wider than the window but what scrolls inside its own box.
            var overflowing = await page.EvaluateExpressionAsync<string>(
                $"Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > {width} + 1 && !e.closest('.scroll, .strip')).map(e => e.tagName + '.' + e.className).slice(0, 5).join(', ')");
            Assert.True(overflowing.Length == 0, $"wider than {width} px: {overflowing}");
            Assert.True(await page.EvaluateExpressionAsync<int>("document.documentElement.scrollWidth") <= width);
            // The slider shows another grid.
            var last = await page.EvaluateExpressionAsync<string>("document.getElementById('grid-caption').textContent");
            await page.EvaluateExpressionAsync("(() => { const s = document.getElementById('grid-slider'); s.value = 0; s.dispatchEvent(new Event('input')); })()");
            Assert.NotEqual(last, await page.EvaluateExpressionAsync<string>("document.getElementById('grid-caption').textContent"));
            Assert.Equal("iteration 0", await page.EvaluateExpressionAsync<string>("document.getElementById('grid-caption').textContent"));
            await page.CloseAsync();
        }
        Assert.Empty(errors);
        Assert.All(requests, url => Assert.True(url.StartsWith("file:", StringComparison.Ordinal) || url.StartsWith("data:", StringComparison.Ordinal), url));
    }

    [Fact]
    public void Chart_ticks_are_round_numbers_around_the_data()
    {
        Assert.Equal((0, 1, 0.2), SvgChart.NiceRange(0, 1));
        Assert.Equal((0, 100, 20), SvgChart.NiceRange(3, 97));
        Assert.Equal((-600, 200, 200), SvgChart.NiceRange(-541.3, 149.9));
        var (min, max, step) = SvgChart.NiceRange(5, 5);                 // one value: a range around it
        Assert.True(min < 5 && max > 5 && step > 0);
        Assert.Null(SvgChart.Line("nothing", "x", [new ChartSeries("a", [1, 2], [double.NaN, double.PositiveInfinity])]));
        Assert.Equal([0, 2, 5, 7, 9], RunReport.Spread(Enumerable.Range(0, 10).ToList(), 5));
    }

    /// <summary>An evaluation whose real-image reference is known: 4.5 under its own metric's name.</summary>
    sealed class WithReference : IPeriodicEvaluation
    {
        public int ReferenceCalls { get; private set; }
        public string SelectBy => "fid_valid";
        public bool HigherIsBetter => false;
        public IReadOnlyDictionary<string, double> Evaluate(GameProduct product) => new Dictionary<string, double> { ["fid_valid"] = 40 };
        public IReadOnlyDictionary<string, double> References()
        {
            ReferenceCalls++;
            return new Dictionary<string, double> { ["fid_valid"] = 4.5 };
        }
        public void Dispose() { }
    }

    [Fact]
    public void The_real_images_reference_is_measured_once_and_drawn_beside_the_curve()
    {
        var folder = Path.Combine(TempFolder(), "run");
        var config = Tiny() with { Train = Tiny().Train with { Steps = 6 }, Output = Tiny().Output with { EvalEvery = 2 } };
        var evaluation = new WithReference();
        using (var run = TrainingRun.Start(config, folder, TinySet()))
        {
            run.Evaluation = evaluation;
            Assert.Equal(RunOutcome.Completed, run.Run());
        }
        Assert.Equal(1, evaluation.ReferenceCalls);
        var contents = RunContents.Read(folder);
        Assert.Equal(new Dictionary<string, double> { ["fid_valid"] = 4.5 }, contents.References);
        Assert.True(contents.EvaluationRows.Count >= 3);
        var html = RunReport.Render(contents);
        Assert.Contains("class=\"reference\"", html);                 // the dashed line
        Assert.Contains("<td>4.500</td>", html);                       // and its column in the last evaluation's table
    }

    static void CopyFolder(string from, string to)
    {
        foreach (var dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories)) Directory.CreateDirectory(dir.Replace(from, to));
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories)) File.Copy(file, file.Replace(from, to));
        File.Delete(Path.Combine(to, "run.lock"));
    }
}
