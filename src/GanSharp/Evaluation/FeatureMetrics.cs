using TorchSharp;
using static TorchSharp.torch;

namespace GanSharp.Evaluation;

/// <summary>A statistic estimated over several subsets: their mean and standard deviation.</summary>
public readonly record struct Estimate(double Mean, double Std)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Mean:G4} ± {Std:G2}";
}

/// <summary>
/// Sample-quality metrics computed in a feature space (rows of <c>[N, d]</c> feature tensors): the Fréchet distance
/// (FID's formula), the kernel distance (KID's unbiased MMD² with a cubic polynomial kernel), the classifier score
/// (the Inception score's formula), improved precision and recall, and density and coverage. With GanSharp's own
/// classifier as the feature extractor these are <b>not</b> comparable with Inception-based numbers in papers.
/// </summary>
public static class FeatureMetrics
{
    /// <summary>
    /// Fréchet distance between Gaussians fitted to two feature sets:
    /// |μ₁ − μ₂|² + Tr(Σ₁ + Σ₂ − 2(Σ₁Σ₂)^½), in float64.
    /// </summary>
    public static double FrechetDistance(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        var (mu1, s1) = Moments(a);
        var (mu2, s2) = Moments(b);
        return FrechetDistance(mu1, s1, mu2, s2);
    }

    /// <summary>Fréchet distance between 𝒩(μ₁, Σ₁) and 𝒩(μ₂, Σ₂) given their moments.</summary>
    public static double FrechetDistance(Tensor mu1, Tensor sigma1, Tensor mu2, Tensor sigma2)
    {
        using var scope = NewDisposeScope();
        mu1 = mu1.to_type(ScalarType.Float64); mu2 = mu2.to_type(ScalarType.Float64);
        sigma1 = sigma1.to_type(ScalarType.Float64); sigma2 = sigma2.to_type(ScalarType.Float64);
        // Tr (Σ₁Σ₂)^½ = Tr (Σ₁^½ Σ₂ Σ₁^½)^½: the eigenvalues of Σ₁Σ₂ are those of the symmetric Σ₁^½ Σ₂ Σ₁^½.
        var root1 = SqrtPsd(sigma1);
        var middle = root1.mm(sigma2).mm(root1);
        middle = middle.add(middle.t()).mul_(0.5);                                   // symmetric up to rounding
        double traceRoot = linalg.eigvalsh(middle).clamp_min(0).sqrt().sum().item<double>();
        double meanTerm = mu1.sub(mu2).square().sum().item<double>();
        return meanTerm + sigma1.trace().item<double>() + sigma2.trace().item<double>() - 2 * traceRoot;
    }

    /// <summary>Mean <c>[d]</c> and covariance <c>[d, d]</c> (unbiased, N − 1) of feature rows, float64.</summary>
    public static (Tensor Mean, Tensor Covariance) Moments(Tensor features)
    {
        using var scope = NewDisposeScope();
        var x = features.to_type(ScalarType.Float64);
        var mean = x.mean([0]);
        var centred = x.sub(mean);
        var covariance = centred.t().mm(centred).div_(x.shape[0] - 1);
        return (mean.MoveToOuterDisposeScope(), covariance.MoveToOuterDisposeScope());
    }

    /// <summary>The symmetric square root of a symmetric positive semi-definite matrix (negative eigenvalues from rounding clamp to 0).</summary>
    public static Tensor SqrtPsd(Tensor a)
    {
        using var scope = NewDisposeScope();
        var (values, vectors) = linalg.eigh(a.to_type(ScalarType.Float64));
        var root = vectors.mul(values.clamp_min(0).sqrt().unsqueeze(0)).mm(vectors.t());  // V diag(√λ) Vᵀ
        return root.MoveToOuterDisposeScope();
    }

    /// <summary>The cubic polynomial kernel of KID: k(x, y) = (xᵀy / d + 1)³, <c>[N, M]</c> float64.</summary>
    public static Tensor PolynomialKernel(Tensor x, Tensor y)
    {
        using var scope = NewDisposeScope();
        long d = x.shape[1];
        return x.to_type(ScalarType.Float64).mm(y.to_type(ScalarType.Float64).t()).div_(d).add_(1).pow_(3).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The unbiased estimate of MMD² between the distributions of <paramref name="x"/> <c>[m, d]</c> and
    /// <paramref name="y"/> <c>[n, d]</c> under the cubic polynomial kernel: the within-set means exclude the diagonal
    /// (k(xᵢ, xᵢ)), so its expectation is exactly MMD² — 0 when both sets come from one distribution.
    /// </summary>
    public static double UnbiasedMmd2(Tensor x, Tensor y)
    {
        long m = x.shape[0], n = y.shape[0];
        if (m < 2 || n < 2) throw new ArgumentException("the unbiased MMD needs at least two points in each set");
        using var scope = NewDisposeScope();
        var kxx = PolynomialKernel(x, x);
        var kyy = PolynomialKernel(y, y);
        var kxy = PolynomialKernel(x, y);
        double xx = (kxx.sum().item<double>() - kxx.trace().item<double>()) / (m * (m - 1));
        double yy = (kyy.sum().item<double>() - kyy.trace().item<double>()) / (n * (n - 1));
        double xy = kxy.mean().item<double>();
        return xx + yy - 2 * xy;
    }

    /// <summary>
    /// KID: the unbiased MMD² averaged over <paramref name="subsets"/> random subsets of <paramref name="subsetSize"/>
    /// rows of each set (drawn without replacement within a subset), with the standard deviation over subsets.
    /// </summary>
    public static Estimate KernelDistance(Tensor a, Tensor b, torch.Generator rng, int subsets = 100, int subsetSize = 1000)
    {
        int size = (int)Math.Min(subsetSize, Math.Min(a.shape[0], b.shape[0]));
        var values = new double[subsets];
        for (int s = 0; s < subsets; s++)
        {
            using var scope = NewDisposeScope();
            var ia = randperm(a.shape[0], generator: rng).narrow(0, 0, size).to(a.device);
            var ib = randperm(b.shape[0], generator: rng).narrow(0, 0, size).to(b.device);
            values[s] = UnbiasedMmd2(a.index_select(0, ia), b.index_select(0, ib));
        }
        return MeanAndStd(values);
    }

    /// <summary>
    /// The classifier score, the Inception score's formula with any classifier: exp(E_x KL(p(y|x) ‖ p(y))), p(y) the
    /// mean of p(y|x) over the split; mean and standard deviation over <paramref name="splits"/> consecutive splits
    /// of <paramref name="probabilities"/> <c>[N, K]</c>. It ranges from 1 (every image gets the same prediction) to K
    /// (confident predictions spread evenly over the K classes).
    /// </summary>
    public static Estimate ClassifierScore(Tensor probabilities, int splits = 10)
    {
        long n = probabilities.shape[0];
        if (splits < 1 || splits > n) throw new ArgumentOutOfRangeException(nameof(splits));
        var values = new double[splits];
        for (int s = 0; s < splits; s++)
        {
            using var scope = NewDisposeScope();
            long start = s * n / splits, end = (s + 1) * n / splits;
            var p = probabilities.narrow(0, start, end - start).to_type(ScalarType.Float64).clamp_min(1e-12);  // [n_s, K]
            var marginal = p.mean([0], keepdim: true);                                                          // [1, K]
            var kl = p.mul(p.log().sub(marginal.log())).sum(1);                                                 // [n_s]
            values[s] = Math.Exp(kl.mean().item<double>());
        }
        return MeanAndStd(values);
    }

    /// <summary>
    /// Improved precision and recall (Kynkäänniemi et al., 2019). Each set's manifold is the union of balls around its
    /// points whose radius is the distance to the point's k-th nearest neighbour in its own set. Precision: the share
    /// of <paramref name="fake"/> points inside the real manifold; recall: the share of <paramref name="real"/> points
    /// inside the fake manifold.
    /// </summary>
    public static (double Precision, double Recall) PrecisionRecall(Tensor real, Tensor fake, int k = 3)
    {
        using var scope = NewDisposeScope();
        var realRadii = NearestNeighbours.KthNeighbourSquaredDistances(real, k);   // [N]
        var fakeRadii = NearestNeighbours.KthNeighbourSquaredDistances(fake, k);   // [M]
        return (ShareInside(fake, real, realRadii), ShareInside(real, fake, fakeRadii));
    }

    /// <summary>
    /// Density and coverage (Naeem et al., 2020), with balls around the real points only (radius: the distance to the
    /// k-th nearest real neighbour). Density: the mean number of real balls holding a fake point, divided by k (about
    /// 1 when the fakes are distributed like the reals; it can exceed 1). Coverage: the share of real balls holding at
    /// least one fake point.
    /// </summary>
    public static (double Density, double Coverage) DensityCoverage(Tensor real, Tensor fake, int k = 5)
    {
        using var scope = NewDisposeScope();
        var radii = NearestNeighbours.KthNeighbourSquaredDistances(real, k);        // [N]
        double insideCount = 0;
        var covered = zeros(real.shape[0], dtype: ScalarType.Bool, device: real.device);
        const int block = 1024;
        for (long start = 0; start < fake.shape[0]; start += block)
        {
            using var inner = NewDisposeScope();
            long rows = Math.Min(block, fake.shape[0] - start);
            var inside = NearestNeighbours.SquaredDistances(fake.narrow(0, start, rows), real).le(radii.unsqueeze(0));  // [b, N]
            insideCount += inside.sum().item<long>();
            covered.logical_or_(inside.any(0));
        }
        double density = insideCount / ((double)k * fake.shape[0]);
        double coverage = covered.to_type(ScalarType.Float64).mean().item<double>();
        return (density, coverage);
    }

    /// <summary>The share of <paramref name="points"/> within the ball of radius √radii[i] of some centre i.</summary>
    static double ShareInside(Tensor points, Tensor centres, Tensor squaredRadii)
    {
        long inside = 0;
        const int block = 1024;
        for (long start = 0; start < points.shape[0]; start += block)
        {
            using var scope = NewDisposeScope();
            long rows = Math.Min(block, points.shape[0] - start);
            var d = NearestNeighbours.SquaredDistances(points.narrow(0, start, rows), centres);  // [b, N]
            inside += d.le(squaredRadii.unsqueeze(0)).any(1).sum().item<long>();
        }
        return (double)inside / points.shape[0];
    }

    static Estimate MeanAndStd(double[] values)
    {
        double mean = values.Average();
        double std = Math.Sqrt(values.Average(v => (v - mean) * (v - mean)));
        return new Estimate(mean, std);
    }
}
