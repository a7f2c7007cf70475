using System.Net;
using System.Text;
using System.Text.Json;
using GanSharp.Cli.Hype;
using GanSharp.Evaluation;
using GanSharp.Training;
using PuppeteerSharp;
using static TorchSharp.torch;

namespace GanSharp.Tests;

/// <summary>
/// <c>gan hype</c>'s server: loopback only, its own origin only, images by position only; and a real browser completing
/// scripted sessions whose saved scores equal the ones computed from the clicks.
/// </summary>
public class HypeServerTests
{
    /// <summary>A deck of white (real) and black (generated) squares: a test knows each image's kind by its pixels too.</summary>
    static HypeDeck Deck(int perKind, long seed = 5)
    {
        using var real = ones(perKind, 1, 8, 8);
        using var fake = zeros(perKind, 1, 8, 8);
        return HypeDeck.Create(real, fake, seed);
    }

    static async Task<(HypeServer Server, RunDirectory Run)> Serve(HypeSession session)
    {
        var run = new RunDirectory(TestSupport.TempFolder());
        var source = new HypeSource(run.Folder, "last.ckpt", 7, "trained", "squares/test");
        var server = await HypeServer.StartAsync(session, s =>
        {
            var record = s.Record(source, seed: 3, resamples: 2000);
            return (record.Save(run), record);
        });
        return (server, run);
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("192.168.1.10")]
    [InlineData("example.com")]
    [InlineData("::")]
    public void Only_a_loopback_address_is_served(string host)
    {
        var e = Assert.Throws<InputException>(() => HypeServer.LoopbackAddress(host));
        Assert.Contains("loopback", e.Message);
        Assert.Equal(IPAddress.Loopback, HypeServer.LoopbackAddress("localhost"));
        Assert.Equal(IPAddress.IPv6Loopback, HypeServer.LoopbackAddress("::1"));
    }

    [Fact]
    public void The_command_refuses_a_network_bind_before_loading_anything()
    {
        var run = TestSupport.TempFolder();
        File.WriteAllText(Path.Combine(run, "config.json"), "{}");
        Gan.AssertOneLineError(Gan.Run("hype", run, "--host", "0.0.0.0"), 2, "loopback address only");
        Gan.AssertOneLineError(Gan.Run("hype", TestSupport.TempFolder()), 2, "not a run directory");
    }

    [Fact]
    public async Task Requests_from_elsewhere_and_for_other_images_are_refused()
    {
        var session = new HypeSession(Deck(2), HypeMode.Infinity);
        var (server, _) = await Serve(session);
        await using var _ = server;
        using var http = new HttpClient { BaseAddress = server.Url };
        Assert.Equal(IPAddress.Loopback.ToString(), server.Url.Host);

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("image/0")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("image/1")).StatusCode);                 // not the one showing
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("image/..%2F..%2Fetc%2Fpasswd")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("../../../etc/passwd")).StatusCode);

        HttpRequestMessage Post(string? origin, int image = 0)
        {
            var m = new HttpRequestMessage(HttpMethod.Post, "answer")
            {
                Content = new StringContent($"{{\"image\": {image}, \"real\": true, \"response_ms\": 420}}", Encoding.UTF8, "application/json"),
            };
            if (origin is not null) m.Headers.Add("Origin", origin);
            return m;
        }
        var own = server.Url.GetLeftPart(UriPartial.Authority);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(Post("http://evil.example"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(Post(null))).StatusCode);             // an answer says where it is from
        var rebound = new HttpRequestMessage(HttpMethod.Get, "state");
        rebound.Headers.Host = $"attacker.example:{server.Url.Port}";                                        // DNS rebinding
        Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(rebound)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await http.SendAsync(Post(own, image: 1))).StatusCode);     // out of turn
        Assert.Empty(session.Answers);
        var accepted = await http.SendAsync(Post(own));
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal("nosniff", accepted.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Single(session.Answers);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.SendAsync(new HttpRequestMessage(HttpMethod.Post, "answer")
        {
            Content = new StringContent("{not json", Encoding.UTF8, "application/json"), Headers = { { "Origin", own } },
        })).StatusCode);
    }

    /// <summary>
    /// HYPE∞ in Chromium: a person who calls every image real except every third: the saved session's answers are those
    /// clicks, and its score is HypeScoring's of them.
    /// </summary>
    [ChromiumFact]
    public async Task A_scripted_browser_session_saves_the_score_of_its_clicks()
    {
        var deck = Deck(6);
        var session = new HypeSession(deck, HypeMode.Infinity);
        var (server, run) = await Serve(session);
        await using var _ = server;
        var errors = new List<string>();
        await using var browser = await Browser.LaunchAsync();
        var page = await Browser.PageAsync(browser, errors, 390, 844);
        await page.GoToAsync(server.Url.AbsoluteUri, WaitUntilNavigation.Load);
        await page.ClickAsync("#start");
        var clicks = new List<bool>();
        for (int i = 0; i < deck.Count; i++)
        {
            await page.WaitForSelectorAsync("#real:not([disabled])");
            // The image shown is the deck's i-th: white squares are real.
            var shown = await page.EvaluateExpressionAsync<string>("document.getElementById('image').getAttribute('src')");
            Assert.EndsWith($"/image/{i}", shown);
            bool real = i % 3 != 0;
            clicks.Add(real);
            if (i % 2 == 0) await page.ClickAsync(real ? "#real" : "#fake");
            else await page.Keyboard.PressAsync(real ? "r" : "f");          // the keys work too
        }
        await page.WaitForSelectorAsync("#result:not([hidden])");
        var shownScore = await page.EvaluateExpressionAsync<string>("document.getElementById('result').dataset.score");
        var savedPath = await server.Finished.WaitAsync(TimeSpan.FromSeconds(20));
        if (Environment.GetEnvironmentVariable("GANSHARP_SCREENSHOTS") is { } folder)
            await page.ScreenshotAsync(Path.Combine(folder, "hype-result.png"), new ScreenshotOptions { FullPage = true });

        var expected = HypeScoring.Infinity(
            clicks.Select((c, i) => new HypeJudgement(i, deck.IsReal(i), c, 0)).ToList(), resamples: 2000, seed: 3);
        var saved = HypeRecord.InRun(run).Single();
        Assert.Equal(savedPath, saved.Path);
        Assert.True(saved.Record.Complete);
        Assert.Equal(clicks, saved.Record.Answers.Select(a => a.JudgedReal));
        Assert.All(saved.Record.Answers, a => Assert.True(a.ResponseMs > 0, $"response time {a.ResponseMs}"));
        Assert.Equal(expected, saved.Record.Infinity);
        Assert.Equal(expected.Score.Value, double.Parse(shownScore, System.Globalization.CultureInfo.InvariantCulture), 12);
        Assert.Empty(errors);
    }

    /// <summary>HYPE-time in Chromium: each image is shown for the staircase's exposure of the answers before it, and masked after.</summary>
    [ChromiumFact]
    public async Task A_timed_session_follows_the_staircase()
    {
        var deck = Deck(3);
        var staircase = new HypeStaircase([100, 200, 300, 400], correctToShorten: 1);
        var session = new HypeSession(deck, HypeMode.Time, staircase);
        var (server, run) = await Serve(session);
        await using var _ = server;
        var errors = new List<string>();
        await using var browser = await Browser.LaunchAsync();
        var page = await Browser.PageAsync(browser, errors);
        await page.GoToAsync(server.Url.AbsoluteUri, WaitUntilNavigation.Load);
        await page.WaitForFunctionAsync("() => !document.getElementById('timed-note').hidden");     // the page asked for its mode
        await page.ClickAsync("#start");
        var correct = new List<bool>();
        for (int i = 0; i < deck.Count; i++)
        {
            await page.WaitForSelectorAsync("#real:not([disabled])");
            Assert.True(await page.EvaluateExpressionAsync<bool>("document.getElementById('image').hidden && !document.getElementById('mask').hidden"));
            bool right = i is 1 or 2 or 4;
            correct.Add(right);
            await page.ClickAsync(deck.IsReal(i) == right ? "#real" : "#fake");
        }
        await page.WaitForSelectorAsync("#result:not([hidden])");
        await server.Finished.WaitAsync(TimeSpan.FromSeconds(20));
        var saved = HypeRecord.InRun(run).Single().Record;
        Assert.Equal(staircase.Exposures(correct)[..^1], saved.Answers.Select(a => a.ExposureMs!.Value));
        Assert.Equal(HypeScoring.Time(saved.Answers, 2000, 3), saved.Time);
        Assert.Contains("ms", await page.EvaluateExpressionAsync<string>("document.getElementById('threshold').textContent"));
        Assert.Empty(errors);
    }
}
