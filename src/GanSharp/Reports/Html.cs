using System.Globalization;
using System.Net;
using System.Text;

namespace GanSharp.Reports;

/// <summary>
/// The pieces of GanSharp's self-contained pages: escaping, inlined images, numbers, and the one page frame (its style
/// sheet sized for a desktop and a phone alike). Nothing here refers to a file or an address outside the page.
/// </summary>
public static class Html
{
    /// <summary>Text made safe for HTML content and attribute values.</summary>
    public static string Encode(string text) => WebUtility.HtmlEncode(text);

    /// <summary>A PNG file's bytes as a <c>data:</c> URI, for an <c>img</c> that needs no file beside the page.</summary>
    public static string PngDataUri(byte[] png) => "data:image/png;base64," + Convert.ToBase64String(png);

    /// <summary>A number for a table: up to 4 significant decimals, thousands separated; "—" for none.</summary>
    public static string Number(double? value)
    {
        if (value is not { } v) return "—";
        if (!double.IsFinite(v)) return v.ToString(CultureInfo.InvariantCulture);
        double magnitude = Math.Abs(v);
        string format = magnitude >= 1000 ? "N1" : magnitude >= 100 ? "N2" : magnitude >= 1 ? "N3" : magnitude == 0 ? "0" : magnitude >= 1e-3 ? "0.0000" : "G4";
        return v.ToString(format, CultureInfo.InvariantCulture);
    }

    /// <summary>A count for a table (iterations, images): a whole number, thousands separated; "—" for none.</summary>
    public static string Count(double? value) => value is { } v ? v.ToString("N0", CultureInfo.InvariantCulture) : "—";

    /// <summary>A table of <paramref name="rows"/> under <paramref name="header"/> (cells already HTML), scrolling sideways on a narrow screen.</summary>
    public static string Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows, string? caption = null)
    {
        var html = new StringBuilder("<div class=\"scroll\"><table>");
        if (caption is not null) html.Append($"<caption>{Encode(caption)}</caption>");
        if (header.Any(h => h.Length > 0))   // a table of name–value pairs has no header row
            html.Append("<thead><tr>").AppendJoin("", header.Select(h => $"<th>{h}</th>")).Append("</tr></thead>");
        html.Append("<tbody>");
        foreach (var row in rows) html.Append("<tr>").AppendJoin("", row.Select(c => $"<td>{c}</td>")).Append("</tr>");
        return html.Append("</tbody></table></div>").ToString();
    }

    /// <summary>
    /// A whole page: <paramref name="title"/>, GanSharp's style sheet, <paramref name="body"/>, and an optional inline
    /// <paramref name="script"/>. No external style sheet, font, script or image.
    /// </summary>
    public static string Page(string title, string body, string? script = null) =>
        $$"""
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
        <title>{{Encode(title)}}</title>
        <style>{{Style}}</style>
        </head>
        <body>
        {{body}}
        {{(script is null ? "" : $"<script>{script}</script>")}}
        </body>
        </html>

        """;

    const string Style = """
        :root { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d1d1f; background: #fafafa; }
        body { margin: 0 auto; max-width: 1100px; padding: 0 14px 40px; line-height: 1.45; overflow-wrap: anywhere; }
        h1 { font-size: 1.5rem; margin: 18px 0 4px; word-break: break-word; }
        h2 { font-size: 1.2rem; margin-top: 30px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
        h3 { font-size: 1rem; margin: 16px 0 6px; }
        nav { display: flex; flex-wrap: wrap; gap: 6px 14px; font-size: 0.92rem; margin: 8px 0; }
        nav a { color: #0060a8; text-decoration: none; }
        .muted { color: #666; font-size: 0.9rem; }
        .warning { background: #fff4e0; border-left: 4px solid #e08a00; padding: 0.4rem 0.8rem; }
        .charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 480px), 1fr)); gap: 12px; }
        svg.chart { width: 100%; height: auto; background: #fff; border: 1px solid #e2e2e2; border-radius: 4px; font-size: 11px; }
        svg.chart text { fill: #333; }
        svg.chart .title { font-size: 13px; font-weight: 600; }
        svg.chart .grid { stroke: #eee; }
        svg.chart .frame { fill: none; stroke: #bbb; }
        svg.chart .series { stroke-width: 1.6; stroke-linejoin: round; }
        svg.chart .reference { stroke-width: 1.4; stroke-dasharray: 6 4; }
        @media (max-width: 600px) { svg.chart { font-size: 17px; } svg.chart .title { font-size: 19px; } }
        .scroll { overflow-x: auto; }
        table { border-collapse: collapse; font-size: 0.9rem; margin: 6px 0; background: #fff; }
        caption { text-align: left; font-weight: 600; padding: 4px 0; }
        th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: right; white-space: nowrap; }
        th:first-child, td:first-child { text-align: left; }
        img.grid { image-rendering: pixelated; max-width: 100%; height: auto; border: 1px solid #ddd; background: #fff; }
        img.grid.large { width: min(100%, 520px); }
        figure { margin: 10px 0; }
        figcaption { font-size: 0.9rem; color: #444; }
        .strip { display: flex; gap: 6px; overflow-x: auto; padding-bottom: 6px; }
        .strip figure { flex: 0 0 auto; margin: 0; text-align: center; }
        .strip img { width: 96px; height: auto; image-rendering: pixelated; border: 1px solid #ddd; cursor: pointer; }
        .strip img.current { outline: 2px solid #0072B2; }
        .side { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 300px), 1fr)); gap: 12px; }
        input[type=range] { width: 100%; }
        pre { background: #fff; border: 1px solid #ddd; padding: 8px; overflow-x: auto; font-size: 0.82rem; }
        """;
}
