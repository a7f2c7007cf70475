using PuppeteerSharp;

namespace GanSharp.Tests;

/// <summary>
/// A test that drives the system's Chromium (Debian's <c>chromium</c> package). CI installs it and sets
/// GANSHARP_REQUIRE_BROWSER=1, so there it cannot skip.
/// </summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (!File.Exists(Browser.ChromiumPath) && Environment.GetEnvironmentVariable("GANSHARP_REQUIRE_BROWSER") != "1")
            Skip = $"no Chromium at {Browser.ChromiumPath}: apt-get install chromium (CI does)";
    }
}

/// <summary>Headless Chromium for the page tests: the machine's own browser, no downloads, no background network.</summary>
static class Browser
{
    public static string ChromiumPath => Environment.GetEnvironmentVariable("GANSHARP_CHROMIUM") ?? "/usr/bin/chromium";

    public static Task<IBrowser> LaunchAsync() => Puppeteer.LaunchAsync(new LaunchOptions
    {
        ExecutablePath = ChromiumPath,
        Headless = true,
        Args =
        [
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
        ],
        UserDataDir = TestSupport.TempFolder(),
    });

    /// <summary>A page that records every console error and uncaught exception into <paramref name="errors"/>.</summary>
    public static async Task<IPage> PageAsync(IBrowser browser, List<string> errors, int width = 1100, int height = 900)
    {
        var page = await browser.NewPageAsync();
        await page.SetViewportAsync(new ViewPortOptions { Width = width, Height = height });
        page.Console += (_, e) => { if (e.Message.Type == ConsoleType.Error) lock (errors) errors.Add($"console: {e.Message.Text}"); };
        page.PageError += (_, e) => { lock (errors) errors.Add($"page error: {e.Message}"); };
        return page;
    }
}
