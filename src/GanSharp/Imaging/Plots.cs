using ScottPlot;

namespace GanSharp.Imaging;

/// <summary>Line and scatter plots as PNG (ScottPlot), written atomically.</summary>
internal static class Plots
{
    /// <summary>One labelled point of a curve.</summary>
    public readonly record struct LabelledPoint(double X, double Y, string Label);

    /// <summary>A named horizontal line (a reference value) on a plot.</summary>
    public readonly record struct ReferenceLine(double Y, string Label);

    /// <summary>
    /// A line of <paramref name="ys"/> against <paramref name="xs"/> with optional horizontal reference lines (and
    /// error bars when <paramref name="errors"/> is given), written to <paramref name="path"/>.
    /// </summary>
    public static void Line(string path, double[] xs, double[] ys, string title, string xLabel, string yLabel, string legend,
                            IReadOnlyList<ReferenceLine>? references = null, double[]? errors = null, int width = 720, int height = 480,
                            (double Min, double Max)? yRange = null)
    {
        var plot = new Plot();
        var line = plot.Add.Scatter(xs, ys);
        line.LegendText = legend;
        line.MarkerSize = 5;
        if (errors is not null) plot.Add.ErrorBar(xs, ys, errors).Color = line.Color;
        Finish(plot, path, title, xLabel, yLabel, references, [Colors.OrangeRed, Colors.Green, Colors.Purple, Colors.Gray], yRange, width, height);
    }

    /// <summary>
    /// Dashed reference lines (coloured from <paramref name="palette"/> in turn), title, axis labels, the legend at the
    /// lower right (or beside the plot) and the y range; then the PNG, written atomically.
    /// </summary>
    static void Finish(Plot plot, string path, string title, string xLabel, string yLabel, IReadOnlyList<ReferenceLine>? references,
                       Color[] palette, (double Min, double Max)? yRange, int width, int height, bool legendBeside = false)
    {
        for (int i = 0; i < (references?.Count ?? 0); i++)
        {
            var h = plot.Add.HorizontalLine(references![i].Y);
            h.LegendText = references[i].Label;
            h.LinePattern = LinePattern.Dashed;
            h.Color = palette[i % palette.Length];
        }
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        if (legendBeside) plot.ShowLegend(Edge.Right);  // many lines: outside the data, hiding none of their ends
        else plot.ShowLegend(Alignment.LowerRight);
        if (yRange is { } yr) plot.Axes.SetLimitsY(yr.Min, yr.Max);
        var bytes = plot.GetImageBytes(width, height, ImageFormat.Png);
        AtomicFile.Write(path, s => s.Write(bytes));
    }

    /// <summary>
    /// A curve through <paramref name="points"/> (in order, each labelled), with an optional reference point drawn as a
    /// star, written to <paramref name="path"/>.
    /// </summary>
    public static void Curve(string path, IReadOnlyList<LabelledPoint> points, string title, string xLabel, string yLabel,
                             LabelledPoint? reference = null, (double Min, double Max)? xRange = null, (double Min, double Max)? yRange = null,
                             int width = 720, int height = 540)
    {
        var plot = new Plot();
        var curve = plot.Add.Scatter(points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray());
        curve.LegendText = "model";
        curve.MarkerSize = 7;
        foreach (var p in points)
        {
            var text = plot.Add.Text(p.Label, p.X, p.Y);
            text.LabelFontSize = 11;
            text.OffsetX = 6;
            text.OffsetY = -4;
        }
        if (reference is { } r)
        {
            var star = plot.Add.Marker(r.X, r.Y, MarkerShape.FilledDiamond, 12);
            star.LegendText = r.Label;
            star.Color = Colors.OrangeRed;
        }
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.ShowLegend(Alignment.LowerLeft);
        if (xRange is { } xr) plot.Axes.SetLimitsX(xr.Min, xr.Max);
        if (yRange is { } yr) plot.Axes.SetLimitsY(yr.Min, yr.Max);
        var bytes = plot.GetImageBytes(width, height, ImageFormat.Png);
        AtomicFile.Write(path, s => s.Write(bytes));
    }

    /// <summary>
    /// Several lines on one plot, one per series; series of the same group share a colour and one legend entry (a
    /// sweep's seeds of one preset), written to <paramref name="path"/>.
    /// </summary>
    public static void Series(string path, IReadOnlyList<(string Group, (double X, double Y)[] Points)> series, string title,
                              string xLabel, string yLabel, IReadOnlyList<ReferenceLine>? references = null,
                              (double Min, double Max)? yRange = null, int width = 860, int height = 540)
    {
        var plot = new Plot();
        var groups = series.Select(s => s.Group).Distinct().ToList();
        var palette = new ScottPlot.Palettes.Category10();
        var labelled = new HashSet<string>();
        foreach (var (group, points) in series)
        {
            if (points.Length == 0) continue;
            var line = plot.Add.Scatter(points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray());
            line.Color = palette.GetColor(groups.IndexOf(group));
            line.MarkerSize = 5;
            if (labelled.Add(group)) line.LegendText = group;
        }
        Finish(plot, path, title, xLabel, yLabel, references, [Colors.Black, Colors.Gray, Colors.Brown], yRange, width, height, legendBeside: true);
    }
}
