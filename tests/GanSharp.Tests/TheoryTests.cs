using GanSharp.Theory;

namespace GanSharp.Tests;

public class TheoryTests
{
    static readonly Grid1D Grid = new(-12, 12, 24_001);

    static double[] On(IDensity1D p) => Grid.Points().Select(p.Density).ToArray();

    [Fact]
    public void Discrete_divergences_match_their_closed_forms()
    {
        Assert.Equal(0, Divergences.JensenShannon([0.2, 0.3, 0.5], [0.2, 0.3, 0.5]), 12);
        Assert.Equal(Math.Log(2), Divergences.JensenShannon([1, 1, 0, 0], [0, 0, 3, 1]), 12);  // disjoint supports
        Assert.Equal(0.5 * Math.Log(0.5 / 0.9) + 0.5 * Math.Log(0.5 / 0.1), Divergences.KullbackLeibler([0.5, 0.5], [0.9, 0.1]), 12);
        Assert.Equal(double.PositiveInfinity, Divergences.KullbackLeibler([0.5, 0.5], [1, 0]));
        Assert.Equal(0, Divergences.KullbackLeibler([0, 1], [0.5, 0.5]) - Math.Log(2), 12);  // 0·log 0 counts as 0
    }

    [Fact]
    public void Quadrature_reproduces_the_gaussian_kl_and_the_jsd_limits()
    {
        var p = new Gaussian1D(0, 1);
        var q = new Gaussian1D(1, 2);
        Assert.Equal(1, Grid.Integrate(On(p)), 9);
        Assert.Equal(Gaussian1D.KullbackLeibler(p, q), Divergences.KullbackLeibler(Grid, On(p), On(q)), 7);
        Assert.Equal(Math.Log(1 / 2.0) + (4 + 1) / 2.0 - 0.5, Gaussian1D.KullbackLeibler(new(1, 2), new(0, 1)), 12);  // by hand
        Assert.Equal(0, Divergences.JensenShannon(Grid, On(p), On(p)), 12);
        Assert.Equal(Math.Log(2), Divergences.JensenShannon(Grid, On(new Gaussian1D(-8, 0.3)), On(new Gaussian1D(8, 0.3))), 6);
    }

    [Fact]
    public void At_the_optimum_D_star_is_one_half_and_C_is_minus_log_4()
    {
        var data = On(new Mixture1D([new Gaussian1D(-2, 0.5), new Gaussian1D(1.5, 1)], [1, 2]));
        Assert.All(OptimalDiscriminator.Values(data, data).Where(double.IsFinite), d => Assert.Equal(0.5, d, 12));
        Assert.Equal(-Math.Log(4), OptimalDiscriminator.VirtualTrainingCriterion(Grid, data, data), 7);
        Assert.Equal(-1.3862943611198906, OptimalDiscriminator.OptimalValue, 15);
    }

    [Fact]
    public void C_of_G_computed_directly_equals_minus_log_4_plus_twice_the_jsd()
    {
        // Theorem 1, checked numerically: the direct integral and the JSD form are independent computations.
        var data = On(new Gaussian1D(0, 1));
        foreach (var g in new IDensity1D[] { new Gaussian1D(0.5, 1), new Gaussian1D(-3, 0.4), new Mixture1D([new Gaussian1D(-1, 0.3), new Gaussian1D(2, 0.7)]) })
        {
            var pg = On(g);
            double direct = OptimalDiscriminator.VirtualTrainingCriterion(Grid, data, pg);
            Assert.Equal(OptimalDiscriminator.CriterionFromJensenShannon(Grid, data, pg), direct, 7);
            Assert.True(direct > -Math.Log(4));
        }
        // D* at a point, by hand: p_data = 0.3, p_g = 0.1 → 0.75; no mass at all → undefined.
        var dStar = OptimalDiscriminator.Values([0.3, 0], [0.1, 0]);
        Assert.Equal(0.75, dStar[0], 12);
        Assert.True(double.IsNaN(dStar[1]));
    }

    [Fact]
    public void Samplers_draw_from_their_densities()
    {
        var random = new Random(5);
        var mixture = new Mixture1D([new Gaussian1D(-3, 0.5), new Gaussian1D(2, 1)], [1, 3]);
        var xs = Enumerable.Range(0, 200_000).Select(_ => mixture.Sample(random)).ToArray();
        Assert.Equal(0.25 * -3 + 0.75 * 2, xs.Average(), tolerance: 0.02);  // the mixture's mean (se 0.005)
        // P(x < −0.5) = ¼·Φ(5) + ¾·Φ(−2.5) = 0.25 + 0.75 · 0.0062097.
        Assert.Equal(0.25 * 0.9999997 + 0.75 * 0.0062097, xs.Count(x => x < -0.5) / (double)xs.Length, tolerance: 0.004);  // 4 standard errors
    }

    [Fact]
    public void Data_specs_parse_to_the_distributions_they_name()
    {
        var one = Assert.IsType<Gaussian1D>(Distribution1D.Parse("N(2, 0.5)"));
        Assert.Equal(new Gaussian1D(2, 0.5), one);
        var mixture = Distribution1D.Parse("0.3*N(-1, 0.4) + 0.7 * N(2.5,1e-1)");
        foreach (var x in new[] { -1.2, 0.0, 2.4 })
            Assert.Equal(0.3 * new Gaussian1D(-1, 0.4).Density(x) + 0.7 * new Gaussian1D(2.5, 0.1).Density(x), mixture.Density(x), 12);
        Assert.Equal((-2.6, 2.9), mixture.Bulk);
        // Without weights the parts count equally; the text round-trips.
        var equal = Distribution1D.Parse("N(0,1)+N(4,1)");
        Assert.Equal(0.5 * new Gaussian1D(0, 1).Density(1) + 0.5 * new Gaussian1D(4, 1).Density(1), equal.Density(1), 12);
        Assert.Equal(equal.Density(0.7), Distribution1D.Parse(equal.ToString()!).Density(0.7), 12);
        // The default experiment's range: the bulk μ ± 4σ = [0, 4] widened by half its width.
        Assert.Equal(new Grid1D(-2, 6, 401), Distribution1D.GridFor(new Gaussian1D(2, 0.5)));
    }

    [Theory]
    [InlineData("N(2)", "'N(2)' is not N(mean, std)")]
    [InlineData("N(2, 0)", "standard deviation in 'N(2, 0)' must be positive")]
    [InlineData("N(x, 1)", "'x' in 'N(x, 1)' is not a number")]
    [InlineData("-1*N(0, 1)", "weight in '-1*N(0, 1)' must be positive")]
    [InlineData("N(0, 1) + ", "'' is not N(mean, std)")]
    public void Bad_data_specs_are_refused_with_the_part_that_is_wrong(string text, string message)
    {
        var e = Assert.Throws<FormatException>(() => Distribution1D.Parse(text));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void A_histogram_of_the_data_itself_sits_at_the_noise_floor_of_the_JSD()
    {
        // What Figure 1's JSD reads when p_g = p_data exactly: the sampling noise of a 200,000-sample histogram.
        var data = new Gaussian1D(2, 0.5);
        var grid = Distribution1D.GridFor(data);
        var random = new Random(3);
        var (density, outside) = grid.Histogram(Enumerable.Range(0, 200_000).Select(_ => data.Sample(random)).ToArray());
        Assert.Equal(0, outside);
        Assert.Equal(1, grid.Integrate(density), 3);
        double floor = Divergences.JensenShannon(grid, grid.Points().Select(data.Density).ToArray(), density);
        Assert.InRange(floor, 1e-6, 5e-4);
        // Bins are centred on the points; what falls beyond the ends (or is NaN) is counted, not binned.
        var (h, o) = new Grid1D(0, 1, 3).Histogram([0.2, 0.26, 0.74, 1.3, -0.3, double.NaN]);
        Assert.Equal(3, o);
        // counts [1, 2, 0] of 6 samples, bin width ½
        Assert.Equal(1 / 3.0, h[0], 12);
        Assert.Equal(2 / 3.0, h[1], 12);
        Assert.Equal(0, h[2]);
    }
}
