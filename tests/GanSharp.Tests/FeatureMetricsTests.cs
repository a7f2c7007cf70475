using GanSharp.Evaluation;
using static TorchSharp.torch;

namespace GanSharp.Tests;

public class FeatureMetricsTests
{
    static Tensor RandomSpd(int d, TorchSharp.torch.Generator rng)
    {
        var a = randn([d, d], dtype: ScalarType.Float64, generator: rng);
        return a.mm(a.t()).add_(eye(d, dtype: ScalarType.Float64).mul_(0.1));
    }

    [Fact]
    public void The_matrix_square_root_squares_back()
    {
        using var rng = new TorchSharp.torch.Generator(1);
        using var a = RandomSpd(6, rng);
        using var root = FeatureMetrics.SqrtPsd(a);
        Assert.True(root.mm(root).allclose(a, rtol: 1e-9, atol: 1e-9));
        Assert.True(root.allclose(root.t()));
    }

    [Fact]
    public void Frechet_distance_of_diagonal_gaussians_is_the_closed_form()
    {
        // Diagonal covariances commute: (Σ₁Σ₂)^½ = diag(σ₁σ₂), so FD = |μ₁ − μ₂|² + Σᵢ (σ₁ᵢ − σ₂ᵢ)².
        double[] m1 = [0, 1, 2], m2 = [1, 1, 0], s1 = [1, 2, 0.5], s2 = [3, 2, 1.5];
        double expected = m1.Zip(m2, (a, b) => (a - b) * (a - b)).Sum() + s1.Zip(s2, (a, b) => (a - b) * (a - b)).Sum();
        using var c1 = diag(tensor(s1.Select(s => s * s).ToArray()));
        using var c2 = diag(tensor(s2.Select(s => s * s).ToArray()));
        Assert.Equal(expected, FeatureMetrics.FrechetDistance(tensor(m1), c1, tensor(m2), c2), 9);
    }

    [Fact]
    public void Frechet_distance_of_non_commuting_2x2_covariances_matches_the_2x2_square_root_formula()
    {
        // For a 2×2 matrix M with real non-negative eigenvalues, Tr √M = √(Tr M + 2√det M).
        using var rng = new TorchSharp.torch.Generator(2);
        for (int trial = 0; trial < 5; trial++)
        {
            using var c1 = RandomSpd(2, rng);
            using var c2 = RandomSpd(2, rng);
            using var m1 = randn([2], dtype: ScalarType.Float64, generator: rng);
            using var m2 = randn([2], dtype: ScalarType.Float64, generator: rng);
            using var product = c1.mm(c2);
            double trSqrt = Math.Sqrt(product.trace().item<double>() + 2 * Math.Sqrt(linalg.det(product).item<double>()));
            double expected = m1.sub(m2).square().sum().item<double>() + c1.trace().item<double>() + c2.trace().item<double>() - 2 * trSqrt;
            Assert.Equal(expected, FeatureMetrics.FrechetDistance(m1, c1, m2, c2), 8);
        }
    }

    [Fact]
    public void Frechet_distance_from_samples_uses_their_unbiased_moments()
    {
        using var rng = new TorchSharp.torch.Generator(3);
        using var a = randn([500, 4], generator: rng);
        using var b = randn([400, 4], generator: rng).mul(2).add(1);
        var (ma, ca) = FeatureMetrics.Moments(a);
        var (mb, cb) = FeatureMetrics.Moments(b);
        using var cov = a.t().cov();                                                  // libtorch's own estimator, N − 1
        Assert.True(ca.allclose(cov.to_type(ScalarType.Float64), rtol: 1e-4, atol: 1e-5));
        Assert.Equal(FeatureMetrics.FrechetDistance(ma, ca, mb, cb), FeatureMetrics.FrechetDistance(a, b), 9);
        Assert.Equal(0, FeatureMetrics.FrechetDistance(a, a), 6);
    }

    [Fact]
    public void The_unbiased_mmd_matches_the_double_sum_and_is_centred_on_zero_for_one_distribution()
    {
        using var rng = new TorchSharp.torch.Generator(4);
        using var x = randn([6, 3], generator: rng);
        using var y = randn([5, 3], generator: rng);
        double K(Tensor a, int i, Tensor b, int j) => Math.Pow(a[i].dot(b[j]).item<float>() / 3.0 + 1, 3);
        double xx = 0, yy = 0, xy = 0;
        for (int i = 0; i < 6; i++) for (int j = 0; j < 6; j++) if (i != j) xx += K(x, i, x, j);
        for (int i = 0; i < 5; i++) for (int j = 0; j < 5; j++) if (i != j) yy += K(y, i, y, j);
        for (int i = 0; i < 6; i++) for (int j = 0; j < 5; j++) xy += K(x, i, y, j);
        Assert.Equal(xx / 30 + yy / 20 - 2 * xy / 30, FeatureMetrics.UnbiasedMmd2(x, y), 4);

        // Unbiased: over many pairs of small samples from one distribution the mean is 0 within its standard error;
        // the biased (V-statistic) form, which keeps the diagonal, is clearly positive.
        var unbiased = new List<double>();
        var biased = new List<double>();
        for (int trial = 0; trial < 300; trial++)
        {
            using var a = randn([8, 4], generator: rng);
            using var b = randn([8, 4], generator: rng);
            unbiased.Add(FeatureMetrics.UnbiasedMmd2(a, b));
            using var kaa = FeatureMetrics.PolynomialKernel(a, a);
            using var kbb = FeatureMetrics.PolynomialKernel(b, b);
            using var kab = FeatureMetrics.PolynomialKernel(a, b);
            biased.Add(kaa.mean().item<double>() + kbb.mean().item<double>() - 2 * kab.mean().item<double>());
        }
        double mean = unbiased.Average(), se = Math.Sqrt(unbiased.Average(v => (v - mean) * (v - mean)) / unbiased.Count);
        Assert.True(Math.Abs(mean) < 3 * se, $"unbiased mean {mean} ± {se}");
        double biasedMean = biased.Average();
        Assert.True(biasedMean > 10 * se, $"biased mean {biasedMean}, se {se}");
    }

    [Fact]
    public void The_kernel_distance_separates_shifted_distributions()
    {
        using var rng = new TorchSharp.torch.Generator(5);
        using var a = randn([600, 4], generator: rng);
        using var same = randn([600, 4], generator: rng);
        using var shifted = randn([600, 4], generator: rng).add(0.5);
        var near = FeatureMetrics.KernelDistance(a, same, rng, subsets: 20, subsetSize: 200);
        var far = FeatureMetrics.KernelDistance(a, shifted, rng, subsets: 20, subsetSize: 200);
        Assert.True(Math.Abs(near.Mean) < 3 * near.Std);
        Assert.True(far.Mean > 5 * far.Std + near.Mean);
    }

    [Fact]
    public void The_classifier_score_is_the_closed_form_on_constructed_predictions()
    {
        // Confident predictions spread evenly over K classes: exp(log K) = K.
        using var oneHot = eye(4).repeat(5, 1);                                   // 20 rows, 4 classes
        Assert.Equal(4, FeatureMetrics.ClassifierScore(oneHot, splits: 1).Mean, 6);
        // The same prediction for every image: KL = 0, score 1.
        using var same = tensor(new float[] { 0.7f, 0.2f, 0.1f }).repeat(10, 1);
        Assert.Equal(1, FeatureMetrics.ClassifierScore(same, splits: 2).Mean, 6);
        // Two images, two classes, by hand: KL = 0.9 ln 1.8 + 0.1 ln 0.2 for each.
        using var two = tensor(new float[,] { { 0.9f, 0.1f }, { 0.1f, 0.9f } });
        Assert.Equal(Math.Exp(0.9 * Math.Log(1.8) + 0.1 * Math.Log(0.2)), FeatureMetrics.ClassifierScore(two, splits: 1).Mean, 5);
    }

    static Tensor OnALine(IEnumerable<double> xs) => tensor(xs.SelectMany(x => new[] { (float)x, 0f }).ToArray()).view(-1, 2);

    [Fact]
    public void Precision_recall_density_and_coverage_on_constructed_points()
    {
        // Real: x = 0 … 19 on a line (each point's nearest other point is 1 away). Fake: 10 points between reals 0 and 10,
        // 10 far away (x = 100 … 109).
        using var real = OnALine(Enumerable.Range(0, 20).Select(i => (double)i));
        using var fake = OnALine(Enumerable.Range(0, 10).Select(i => i + 0.5).Concat(Enumerable.Range(100, 10).Select(i => (double)i)));
        var (precision, recall) = FeatureMetrics.PrecisionRecall(real, fake, k: 1);
        Assert.Equal(0.5, precision, 9);            // the 10 near fakes lie in the real manifold
        Assert.Equal(11 / 20.0, recall, 9);         // reals 0 … 10 lie within 1 of a fake
        var (density, coverage) = FeatureMetrics.DensityCoverage(real, fake, k: 1);
        Assert.Equal(20 / 20.0, density, 9);        // each near fake sits in two real balls, the far ones in none: 20 / (k·M)
        Assert.Equal(11 / 20.0, coverage, 9);
        // Identical sets: everything inside.
        Assert.Equal((1.0, 1.0), FeatureMetrics.PrecisionRecall(real, real, k: 3));
    }
}
