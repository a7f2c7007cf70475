using GanSharp.Data;
using GanSharp.Evaluation;
using static TorchSharp.torch;

namespace GanSharp.Tests;

public class ModeCoverageTests
{
    [Fact]
    public void Benchmarks_have_the_standard_modes()
    {
        var ring = GaussianMixture2D.Ring();
        Assert.Equal(8, ring.Modes.Length);
        Assert.All(ring.Modes, m => Assert.Equal(2, Math.Sqrt(m.X * m.X + m.Y * m.Y), 12));
        var grid = GaussianMixture2D.Grid();
        Assert.Equal(25, grid.Modes.Length);
        Assert.Contains((-4.0, 4.0), grid.Modes);
        Assert.Equal(0.05, grid.Std);
        using var points = grid.Sample(5000, new Random(1));
        var r = ModeCoverage.Measure(points.flatten(1), grid.Centres(), grid.Std);
        Assert.Equal(25, r.ModesCovered);
        Assert.Equal(1 - Math.Exp(-4.5), r.HighQualityShare, tolerance: 0.006);   // P(|x − μ| ≤ 3σ) for a 2-D Gaussian; se 0.0015
        Assert.True(r.KlToUniform < 0.01);
    }

    [Fact]
    public void Coverage_quality_and_kl_on_constructed_samples()
    {
        var ring = GaussianMixture2D.Ring();
        double s = ring.Std;
        var points = new List<(double, double)>();
        (double X, double Y) At(int mode, double dx) => (ring.Modes[mode].X + dx, ring.Modes[mode].Y);
        points.AddRange(Enumerable.Repeat(At(0, 0), 30));        // mode 0: 30 on the centre
        points.AddRange(Enumerable.Repeat(At(1, 2.9 * s), 25));  // mode 1: 25 just inside 3σ
        points.AddRange(Enumerable.Repeat(At(2, 0), 10));        // mode 2: 10, below the threshold of 20
        points.AddRange(Enumerable.Repeat(At(3, 3.1 * s), 15));  // just outside 3σ: not high quality
        points.AddRange(Enumerable.Repeat((0.0, 0.0), 20));      // the ring's centre: far from every mode
        using var samples = tensor(points.SelectMany(p => new[] { (float)p.Item1, (float)p.Item2 }).ToArray()).view(-1, 2);
        var r = ModeCoverage.Measure(samples, ring.Centres(), s);
        Assert.Equal(2, r.ModesCovered);
        Assert.Equal(65 / 100.0, r.HighQualityShare, 12);
        Assert.Equal([30L, 25, 10, 0, 0, 0, 0, 0], r.Counts);
        double[] p = [30 / 65.0, 25 / 65.0, 10 / 65.0];
        Assert.Equal(p.Sum(q => q * Math.Log(q / (1 / 8.0))), r.KlToUniform, 9);
    }
}
