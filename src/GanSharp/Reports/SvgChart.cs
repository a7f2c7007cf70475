using System.Globalization;
using System.Text;

namespace GanSharp.Reports;

/// <summary>One named line of a chart: y against x, in order.</summary>
public sealed record ChartSeries(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y);

/// <summary>A dashed horizontal line of a chart: a reference value (the real images' own score, a paper's number).</summary>
public sealed record ChartReference(string Name, double Y);

/// <summary>
/// Line charts as inline SVG: no script, no font file, no network; they scale to the page's width (a phone's too) through
/// their view box. Non-finite points are left out (a gap in no line is drawn across them).
/// </summary>
public static class SvgChart
{
    const double Width = 640, Height = 320, Left = 62, Right = 26, Top = 30, Bottom = 56;

    /// <summary>The colours of the lines, in turn (colour-blind-safe, after Okabe and Ito).</summary>
    static readonly string[] Palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"];

    /// <summary>
    /// A chart of <paramref name="series"/> with <paramref name="references"/> as dashed lines, a title, an x-axis label
    /// and a legend below; null when no series has a finite point.
    /// </summary>
    public static string? Line(string title, string xLabel, IReadOnlyList<ChartSeries> series, IReadOnlyList<ChartReference>? references = null)
    {
        references ??= [];
        var points = series.Select(s => s.X.Zip(s.Y).Where(p => double.IsFinite(p.First) && double.IsFinite(p.Second)).ToArray()).ToArray();
        if (points.All(p => p.Length == 0)) return null;
        var xs = points.SelectMany(p => p.Select(q => q.First)).ToArray();
        var ys = points.SelectMany(p => p.Select(q => q.Second)).Concat(references.Select(r => r.Y).Where(double.IsFinite)).ToArray();
        var (xMin, xMax, xStep) = NiceRange(xs.Min(), xs.Max());
        var (yMin, yMax, yStep) = NiceRange(ys.Min(), ys.Max());
        double plotW = Width - Left - Right, plotH = Height - Top - Bottom;
        double X(double x) => Left + (x - xMin) / (xMax - xMin) * plotW;
        double Y(double y) => Top + (yMax - y) / (yMax - yMin) * plotH;

        // The legend's entries, laid out left to right under the axis label, on as many lines as they need.
        var entries = references.Where(r => double.IsFinite(r.Y)).Select(r => (r.Name, Colour: "#777777", Dashed: true))
            .Concat(series.Select((s, i) => (s.Name, Colour: Palette[i % Palette.Length], Dashed: false)).Where((_, i) => points[i].Length > 0))
            .ToList();
        var placed = new List<(string Name, string Colour, bool Dashed, double X, double Y)>();
        double lx = Left, ly = Height - 8;
        foreach (var (name, colour, dashed) in entries)
        {
            double width = 32 + 9.5 * name.Length;   // room for the phone's larger text too
            if (lx > Left && lx + width > Width) (lx, ly) = (Left, ly + 20);
            placed.Add((name, colour, dashed, lx, ly));
            lx += width;
        }
        double height = ly + 8;

        var svg = new StringBuilder();
        svg.Append($"<svg class=\"chart\" viewBox=\"0 0 {Width} {F(height)}\" role=\"img\" aria-label=\"{Html.Encode(title)}\" xmlns=\"http://www.w3.org/2000/svg\">");
        svg.Append($"<text x=\"{Width / 2}\" y=\"18\" text-anchor=\"middle\" class=\"title\">{Html.Encode(title)}</text>");
        // Grid and tick labels.
        for (double y = yMin; y <= yMax + yStep / 2; y += yStep)
            svg.Append($"<line x1=\"{F(Left)}\" x2=\"{F(Width - Right)}\" y1=\"{F(Y(y))}\" y2=\"{F(Y(y))}\" class=\"grid\"/>")
               .Append($"<text x=\"{F(Left - 6)}\" y=\"{F(Y(y) + 4)}\" text-anchor=\"end\">{Tick(y, yStep)}</text>");
        for (double x = xMin; x <= xMax + xStep / 2; x += xStep)
            svg.Append($"<line x1=\"{F(X(x))}\" x2=\"{F(X(x))}\" y1=\"{F(Top)}\" y2=\"{F(Height - Bottom)}\" class=\"grid\"/>")
               .Append($"<text x=\"{F(X(x))}\" y=\"{F(Height - Bottom + 16)}\" text-anchor=\"middle\">{Tick(x, xStep)}</text>");
        svg.Append($"<rect x=\"{F(Left)}\" y=\"{F(Top)}\" width=\"{F(plotW)}\" height=\"{F(plotH)}\" class=\"frame\"/>");
        svg.Append($"<text x=\"{F(Left + plotW / 2)}\" y=\"{F(Height - Bottom + 32)}\" text-anchor=\"middle\">{Html.Encode(xLabel)}</text>");

        foreach (var r in references.Where(r => double.IsFinite(r.Y)))
            svg.Append($"<line x1=\"{F(Left)}\" x2=\"{F(Width - Right)}\" y1=\"{F(Y(r.Y))}\" y2=\"{F(Y(r.Y))}\" stroke=\"#777777\" class=\"reference\"/>");
        for (int i = 0; i < series.Count; i++)
        {
            if (points[i].Length == 0) continue;
            var colour = Palette[i % Palette.Length];
            if (points[i].Length == 1)
                svg.Append($"<circle cx=\"{F(X(points[i][0].First))}\" cy=\"{F(Y(points[i][0].Second))}\" r=\"3\" fill=\"{colour}\"/>");
            else
                svg.Append($"<polyline fill=\"none\" stroke=\"{colour}\" class=\"series\" points=\"")
                   .AppendJoin(' ', points[i].Select(p => $"{F(X(p.First))},{F(Y(p.Second))}")).Append("\"/>");
            if (points[i].Length <= 40)   // few points (evaluations): mark each
                foreach (var p in points[i]) svg.Append($"<circle cx=\"{F(X(p.First))}\" cy=\"{F(Y(p.Second))}\" r=\"2.5\" fill=\"{colour}\"/>");
        }
        foreach (var (name, colour, dashed, x, y) in placed)
            svg.Append($"<line x1=\"{F(x)}\" x2=\"{F(x + 18)}\" y1=\"{F(y - 4)}\" y2=\"{F(y - 4)}\" stroke=\"{colour}\" stroke-width=\"2\"{(dashed ? " stroke-dasharray=\"5 3\"" : "")}/>")
               .Append($"<text x=\"{F(x + 22)}\" y=\"{F(y)}\">{Html.Encode(name)}</text>");
        return svg.Append("</svg>").ToString();
    }

    /// <summary>A range around [<paramref name="min"/>, <paramref name="max"/>] on round ticks (1, 2 or 5 × 10ⁿ), about five of them.</summary>
    internal static (double Min, double Max, double Step) NiceRange(double min, double max)
    {
        if (max - min < 1e-12 * Math.Max(1, Math.Abs(max))) { min -= Math.Max(1, Math.Abs(min)) * 0.5; max += Math.Max(1, Math.Abs(max)) * 0.5; }
        double raw = (max - min) / 5, magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw))), fraction = raw / magnitude;
        double step = (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * magnitude;
        return (Math.Floor(min / step) * step, Math.Ceiling(max / step) * step, step);
    }

    static string Tick(double value, double step)
    {
        if (Math.Abs(value) < step * 1e-9) value = 0;
        int decimals = Math.Max(0, -(int)Math.Floor(Math.Log10(step) + 1e-9));
        return Math.Abs(value) >= 1e5 || (value != 0 && Math.Abs(value) < 1e-3)
            ? value.ToString("0.##E0", CultureInfo.InvariantCulture)
            : value.ToString("N" + decimals, CultureInfo.InvariantCulture);
    }

    static string F(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);
}
