using GanSharp.Imaging;
using GanSharp.Theory;
using ScottPlot;
using SkiaSharp;

namespace GanSharp.Experiments;

/// <summary>The theory lab's pictures: Figure 1's four panels, the saturation plot, and 2-D sample scatters.</summary>
internal static class TheoryPlots
{
    /// <summary>
    /// The paper's Figure 1 style, one panel per snapshot: p_data dotted black, p_g solid green, D dashed blue, D*_G thin
    /// grey, and below them the mapping x = G(z) as arrows from evenly spaced z (the lower line) to x.
    /// </summary>
    public static void Figure1(string path, IReadOnlyList<Snapshot1D> snapshots, int panelWidth = 480, int panelHeight = 400)
    {
        var panels = snapshots.Select(s =>
        {
            var plot = new Plot();
            var data = plot.Add.ScatterLine(s.X, s.DataDensity);
            data.Color = Colors.Black; data.LinePattern = LinePattern.Dotted; data.LineWidth = 2; data.LegendText = "p_data";
            var g = plot.Add.ScatterLine(s.X, s.GeneratorDensity);
            g.Color = Colors.Green; g.LineWidth = 2; g.LegendText = "p_g";
            var d = plot.Add.ScatterLine(s.X, s.D);
            d.Color = Colors.Blue; d.LinePattern = LinePattern.Dashed; d.LineWidth = 2; d.LegendText = "D";
            var finite = s.OptimalD.Select((v, i) => (v, i)).Where(p => double.IsFinite(p.v)).ToArray();
            var star = plot.Add.ScatterLine(finite.Select(p => s.X[p.i]).ToArray(), finite.Select(p => p.v).ToArray());
            star.Color = Colors.Gray; star.LineWidth = 1; star.LegendText = "D*";
            // z (the range of the mapped points) is drawn as a line under the x axis, spread over the plotted x range.
            double lo = s.X[0], hi = s.X[^1], zLine = -0.45, xLine = -0.08;
            plot.Add.Line(lo, zLine, hi, zLine).Color = Colors.Black;
            plot.Add.Line(lo, xLine, hi, xLine).Color = Colors.Black;
            double zMin = s.Mapping[0].Z, zMax = s.Mapping[^1].Z;
            foreach (var (z, x) in s.Mapping)
            {
                double zx = lo + (z - zMin) / (zMax - zMin) * (hi - lo);
                var arrow = plot.Add.Arrow(zx, zLine, Math.Clamp(x, lo, hi), xLine);
                arrow.ArrowLineColor = Colors.DarkGray;
                arrow.ArrowFillColor = Colors.DarkGray;
                arrow.ArrowheadWidth = 4; arrow.ArrowheadLength = 5; arrow.ArrowWidth = 0.5f;
            }
            plot.Add.Text("z", lo, zLine - 0.02).LabelFontSize = 12;
            plot.Add.Text("x", lo, xLine - 0.02).LabelFontSize = 12;
            plot.Title($"{s.Label} step {s.Step:N0}: E|D − D*| {s.DistanceToOptimalD:F3}, E D {s.MeanD:F3}");
            plot.Axes.Title.Label.FontSize = 13;
            plot.Axes.SetLimits(lo, hi, -0.55, Math.Max(1.05, Math.Max(s.DataDensity.Max(), Math.Min(3, s.GeneratorDensity.Max())) * 1.05));
            plot.XLabel("x");
            plot.ShowLegend(Alignment.UpperRight);
            return plot.GetImageBytes(panelWidth, panelHeight, ScottPlot.ImageFormat.Png);
        }).ToList();
        WriteSideBySide(path, panels, panelWidth, panelHeight);
    }

    /// <summary>
    /// The saturation argument, two panels. Left: the norm of the generator's gradient under both losses while D learns
    /// to reject an untrained G, against the mean D(G(z)) at each moment. Right: each sample's gradient with respect to
    /// its logit against its D(G(z)), with the closed forms D (minimax) and 1 − D (non-saturating): the minimax
    /// gradient vanishes as D(G(z)) → 0, exactly where G is worst.
    /// </summary>
    public static void Saturation(string path, IReadOnlyList<SaturationPoint> points, int panelWidth = 600, int panelHeight = 480)
    {
        var norms = new Plot();
        var xs = points.Select(p => p.MeanDOfGz).ToArray();
        var minimax = norms.Add.Scatter(xs, points.Select(p => p.MinimaxGradientNorm).ToArray());
        minimax.LegendText = "minimax: log(1 − D(G(z)))";
        var ns = norms.Add.Scatter(xs, points.Select(p => p.NonSaturatingGradientNorm).ToArray());
        ns.LegendText = "non-saturating: −log D(G(z))";
        foreach (var p in points) norms.Add.Text($"{p.DiscriminatorUpdates}", p.MeanDOfGz, p.NonSaturatingGradientNorm).LabelFontSize = 10;
        norms.Title("‖∇θg loss‖ as D learns (labels: D updates)");
        norms.XLabel("mean D(G(z))");
        norms.YLabel("‖∇θg loss‖");
        norms.Axes.SetLimitsX(0, Math.Max(0.6, xs.Max() * 1.1));
        norms.ShowLegend(Alignment.UpperRight);

        var perSample = new Plot();
        var d = points.SelectMany(p => p.DOfGz).ToArray();
        var mm = perSample.Add.ScatterPoints(d, points.SelectMany(p => p.MinimaxLogitGradient).ToArray());
        mm.LegendText = "minimax, per sample"; mm.MarkerSize = 4;
        var nsPoints = perSample.Add.ScatterPoints(d, points.SelectMany(p => p.NonSaturatingLogitGradient).ToArray());
        nsPoints.LegendText = "non-saturating, per sample"; nsPoints.MarkerSize = 4;
        var closedMinimax = perSample.Add.Line(0, 0, 1, 1);
        closedMinimax.LineColor = Colors.Black; closedMinimax.LinePattern = LinePattern.Dotted; closedMinimax.LegendText = "D (closed form)";
        var closedNs = perSample.Add.Line(0, 1, 1, 0);
        closedNs.LineColor = Colors.Black; closedNs.LinePattern = LinePattern.Dashed; closedNs.LegendText = "1 − D (closed form)";
        perSample.Title("|∂ loss / ∂ logit| of each sample");
        perSample.XLabel("D(G(z))");
        perSample.YLabel("|∂ loss / ∂ logit|");
        perSample.Axes.SetLimits(0, 1, 0, 1.05);
        perSample.ShowLegend(Alignment.UpperCenter);

        WriteSideBySide(path, [norms.GetImageBytes(panelWidth, panelHeight, ScottPlot.ImageFormat.Png),
                               perSample.GetImageBytes(panelWidth, panelHeight, ScottPlot.ImageFormat.Png)], panelWidth, panelHeight);
    }

    /// <summary>Scatter plots of 2-D samples (one panel per snapshot) over the mixture's mode centres.</summary>
    public static void Samples2D(string path, IReadOnlyList<Snapshot2D> snapshots, Data.GaussianMixture2D mixture, int panel = 400)
    {
        double extent = mixture.Modes.Max(m => Math.Max(Math.Abs(m.X), Math.Abs(m.Y))) + 1;
        var panels = snapshots.Select(s =>
        {
            var plot = new Plot();
            var xs = Enumerable.Range(0, s.Points.Length / 2).Select(i => (double)s.Points[2 * i]).ToArray();
            var ys = Enumerable.Range(0, s.Points.Length / 2).Select(i => (double)s.Points[2 * i + 1]).ToArray();
            var samples = plot.Add.ScatterPoints(xs, ys);
            samples.MarkerSize = 2; samples.Color = Colors.Green.WithAlpha(0.5);
            plot.Add.Markers(mixture.Modes.Select(m => m.X).ToArray(), mixture.Modes.Select(m => m.Y).ToArray(), MarkerShape.OpenCircle, 9, Colors.Black);
            var c = s.Coverage;
            plot.Title($"step {s.Step:N0}: {c.ModesCovered}/{c.Modes} modes, {c.HighQualityShare:P0} high quality");
            plot.Axes.Title.Label.FontSize = 13;
            plot.Axes.SetLimits(-extent, extent, -extent, extent);
            return plot.GetImageBytes(panel, panel, ScottPlot.ImageFormat.Png);
        }).ToList();
        WriteSideBySide(path, panels, panel, panel);
    }

    /// <summary>Decodes PNG panels and writes them side by side as one PNG.</summary>
    static void WriteSideBySide(string path, IReadOnlyList<byte[]> panels, int width, int height)
    {
        using var surface = SKSurface.Create(new SKImageInfo(width * panels.Count, height));
        surface.Canvas.Clear(SKColors.White);
        for (int i = 0; i < panels.Count; i++)
        {
            using var bitmap = SKBitmap.Decode(panels[i]);
            surface.Canvas.DrawBitmap(bitmap, i * width, 0);
        }
        using var image = surface.Snapshot();
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        AtomicFile.Write(path, s => png.SaveTo(s));
    }
}
