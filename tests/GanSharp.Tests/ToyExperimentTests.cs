using GanSharp.Data;
using GanSharp.Configuration;
using GanSharp.Experiments;
using GanSharp.Theory;

namespace GanSharp.Tests;

public class ToyExperimentTests
{
    [Theory]
    [InlineData("N(2, 0.5)", NoiseKind.Uniform)]
    [InlineData("0.3*N(-1, 0.4) + 0.7*N(2, 0.5)", NoiseKind.Gaussian)]
    public void Figure_1_snapshots_carry_consistent_theory_numbers(string data, NoiseKind noise)
    {
        var density = Distribution1D.Parse(data);
        var grid = Distribution1D.GridFor(density);
        var (snapshots, saturation) = ToyExperiments.Figure1(new ToyOptions { Steps = 100, Batch = 64, Noise = noise }, density);
        Assert.Equal(["(a)", "(b)", "(c)", "(d)"], snapshots.Select(s => s.Label));
        Assert.Equal([5, 5, 50, 100], snapshots.Select(s => s.Step));
        foreach (var s in snapshots)
        {
            // Theorem 1 on the measured densities: two independent quadratures agree.
            Assert.Equal(s.CriterionDirect, s.CriterionFromJsd, 6);
            Assert.InRange(s.JensenShannon, 0, Math.Log(2));
            Assert.InRange(s.MeanD, 0, 1);
            Assert.True(double.IsFinite(s.ValueEstimate) && s.ValueEstimate < 0);
            Assert.Equal(grid.Points(), s.X);
            Assert.Equal(1 - s.GeneratorMassOutsideGrid, grid.Integrate(s.GeneratorDensity), 2);
            Assert.Equal(1, grid.Integrate(s.DataDensity), 3);
            // The arrows start at evenly spaced z across the prior's support (±√3 uniform, ±2.5 normal).
            Assert.Equal(noise == NoiseKind.Uniform ? Math.Sqrt(3) : 2.5, s.Mapping[^1].Z, 6);
        }
        // (b) trains D alone: it gets closer to D* than it was in (a).
        Assert.True(snapshots[1].DistanceToOptimalD < snapshots[0].DistanceToOptimalD);
        // Saturation: as D learns to reject the untrained G, D(G(z)) falls and the minimax gradient shrinks below the
        // non-saturating one.
        Assert.Equal([0, 5, 10, 20, 40, 80, 160, 320], saturation.Select(p => p.DiscriminatorUpdates));
        Assert.True(saturation[^1].MeanDOfGz < saturation[0].MeanDOfGz);
        Assert.True(saturation[^1].MinimaxGradientNorm < saturation[^1].NonSaturatingGradientNorm);
        // Per sample, autograd's gradient w.r.t. the logit is the closed form: D(G(z)) for log(1 − D), 1 − D(G(z)) for −log D.
        foreach (var p in saturation)
        {
            Assert.Equal(64, p.DOfGz.Length);
            for (int i = 0; i < p.DOfGz.Length; i++)
            {
                Assert.Equal(p.DOfGz[i], p.MinimaxLogitGradient[i], 1e-5);
                Assert.Equal(1 - p.DOfGz[i], p.NonSaturatingLogitGradient[i], 1e-5);
            }
            Assert.Equal(p.DOfGz.Average(), p.MeanDOfGz, 12);
        }
    }

    [Fact]
    public void The_mode_collapse_benchmark_reports_coverage_at_each_snapshot()
    {
        var snapshots = ToyExperiments.ModeCollapse(GaussianMixture2D.Ring(), new ToyOptions { Steps = 40, Batch = 64 }, snapshots: 2);
        Assert.Equal([20, 40], snapshots.Select(s => s.Step));
        Assert.All(snapshots, s => Assert.Equal(5000, s.Points.Length));
        Assert.All(snapshots, s => Assert.Equal(8, s.Coverage.Modes));
    }
}
