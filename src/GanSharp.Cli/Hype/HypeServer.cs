using System.Net;
using System.Text.Json;
using GanSharp.Evaluation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GanSharp.Cli.Hype;

/// <summary>
/// The local web server of a HYPE session: one page, one image at a time, the answers posted back. Bound to a loopback
/// address only (anything else is refused before a socket opens), on a free port. Requests must name this server as
/// their host (no DNS rebinding) and, when they carry an origin, this server's origin; answers must carry it. Images are
/// addressed by their position in the deck — only the one showing is served — so no request names a file.
/// </summary>
sealed class HypeServer : IAsyncDisposable
{
    readonly WebApplication app;
    readonly HypeSession session;
    readonly Func<HypeSession, (string Path, HypeRecord Record)> save;
    readonly TaskCompletionSource<string> finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    readonly object saving = new();
    string? savedPath;
    HypeRecord? saved;

    /// <summary>The page's address, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>The saved session (null until it is saved).</summary>
    public HypeRecord? Saved { get { lock (saving) return saved; } }

    /// <summary>Completes with the saved session's path when the person has answered every image.</summary>
    public Task<string> Finished => finished.Task;

    HypeServer(WebApplication app, HypeSession session, Func<HypeSession, (string Path, HypeRecord Record)> save) => (this.app, this.session, this.save) = (app, session, save);

    /// <summary>
    /// Starts serving <paramref name="session"/> on <paramref name="host"/> (a loopback address; port 0: a free one).
    /// <paramref name="save"/> writes the finished (or abandoned) session and returns its path and record.
    /// </summary>
    /// <exception cref="InputException">A host that is not a loopback address, or a port outside 0…65535.</exception>
    public static async Task<HypeServer> StartAsync(HypeSession session, Func<HypeSession, (string Path, HypeRecord Record)> save, string host = "127.0.0.1", int port = 0)
    {
        var address = LoopbackAddress(host);
        if (port is < 0 or > 65535) throw new InputException($"--port {port} is not a TCP port (0 for a free one)");
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(address, port));
        var server = new HypeServer(builder.Build(), session, save);
        server.Map();
        try { await server.app.StartAsync(); }
        catch (IOException e) { throw new InputException($"cannot listen on {host}:{port}: {e.Message}"); }
        var bound = server.app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server.Url = new Uri(bound.EndsWith('/') ? bound : bound + "/");
        return server;
    }

    /// <summary>The address to bind for <paramref name="host"/>; refuses any that is not loopback (the page must never be reachable from another machine).</summary>
    public static IPAddress LoopbackAddress(string host)
    {
        var address = host == "localhost" ? IPAddress.Loopback : IPAddress.TryParse(host, out var parsed) ? parsed : null;
        if (address is null || !IPAddress.IsLoopback(address))
            throw new InputException($"--host {host}: the HYPE page is served on a loopback address only (127.0.0.1, ::1 or localhost), never to the network");
        return address;
    }

    void Map()
    {
        app.Use(Guard);
        app.MapGet("/", () => Results.Content(HypePage.Html, "text/html; charset=utf-8"));
        app.MapGet("/favicon.ico", () => Results.NoContent());                    // browsers ask; the page has none
        app.MapGet("/state", () => Results.Json(State(), Json));
        app.MapGet("/image/{index:int}", (int index) =>
            index == session.Next && index < session.Deck.Count ? Results.Bytes(session.Deck.Png(index), "image/png") : Results.NotFound());
        app.MapPost("/answer", async (HttpRequest request) =>
        {
            Answer? answer;
            try { answer = await JsonSerializer.DeserializeAsync<Answer>(request.Body, Json); }
            catch (JsonException) { return Results.BadRequest(new { error = "not an answer" }); }
            if (answer is null) return Results.BadRequest(new { error = "not an answer" });
            try { session.Answer(answer.Image, answer.Real, answer.ResponseMs); }
            catch (InputException e) { return Results.Conflict(new { error = e.Message }); }
            if (session.Finished) Save(complete: true);
            return Results.Json(State(), Json);
        });
    }

    /// <summary>What the page needs: the mode, progress, the next image's exposure, and at the end the scores and where they were saved.</summary>
    object State()
    {
        HypeRecord? record;
        lock (saving) record = session.Finished ? saved : null;
        return new
        {
            mode = session.Mode == HypeMode.Time ? "time" : "infinity",
            images = session.Deck.Count,
            next = session.Next,
            exposure_ms = session.Finished ? null : session.NextExposureMs,
            finished = session.Finished,
            infinity = record?.Infinity,
            time = record?.Time,
            saved = savedPath,
        };
    }

    /// <summary>Saves the session once: when the last answer arrives, or (with some answers) when the server stops before that.</summary>
    public string? Save(bool complete)
    {
        lock (saving)
        {
            if (savedPath is not null || session.Answers.Count == 0) return savedPath;
            (savedPath, saved) = save(session);
            if (complete) finished.TrySetResult(savedPath);
            return savedPath;
        }
    }

    async Task Guard(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        if (Url is null) { context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable; return; }   // not yet started
        var ours = $"{Url.Scheme}://{Url.Authority}";
        bool hostOk = request.Host.Port == Url.Port
                      && (request.Host.Host == Url.Host || request.Host.Host == "localhost" || request.Host.Host == "127.0.0.1");
        var origin = request.Headers.Origin.ToString();
        bool originOk = origin.Length == 0 ? HttpMethods.IsGet(request.Method)          // answers must say where they come from
                        : origin == ours || origin == $"http://localhost:{Url.Port}";
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        bool siteOk = site.Length == 0 || site is "same-origin" or "none";
        if (!hostOk || !originOk || !siteOk)
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await context.Response.WriteAsync("refused: this page answers its own origin on this machine only");
            return;
        }
        var headers = context.Response.Headers;
        headers.CacheControl = "no-store";
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers.ContentSecurityPolicy = "default-src 'none'; img-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; frame-ancestors 'none'";
        await next(context);
    }

    /// <summary>snake_case keys and enums by name, as the saved sessions.</summary>
    static JsonSerializerOptions Json => EvaluationFiles.Json;

    /// <summary>An answer as the page posts it.</summary>
    sealed record Answer(int Image, bool Real, double ResponseMs);

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
