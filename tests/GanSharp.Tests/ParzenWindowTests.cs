using GanSharp.Evaluation;
using static TorchSharp.torch;

namespace GanSharp.Tests;

public class ParzenWindowTests
{
    static ParzenWindowTests() => _ = TestSupport.MnistFixture;

    /// <summary>log p(x) from the definition, in double precision, one kernel at a time.</summary>
    static double Direct(double[,] mu, double[] x, double sigma)
    {
        int n = mu.GetLength(0), d = x.Length;
        var terms = new double[n];
        for (int i = 0; i < n; i++)
        {
            double sq = 0;
            for (int j = 0; j < d; j++) sq += (x[j] - mu[i, j]) * (x[j] - mu[i, j]);
            terms[i] = -sq / (2 * sigma * sigma) - d / 2.0 * Math.Log(2 * Math.PI * sigma * sigma);
        }
        double max = terms.Max();
        return max + Math.Log(terms.Sum(t => Math.Exp(t - max))) - Math.Log(n);
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(0.35)]
    [InlineData(1.0)]
    public void The_blocked_matrix_form_equals_the_direct_sum(double sigma)
    {
        using var rng = new TorchSharp.torch.Generator(3);
        using var mu = rand([37, 20], generator: rng);
        using var x = rand([23, 20], generator: rng);
        using var ll = ParzenWindow.LogLikelihood(mu, x, sigma, blockRows: 5);  // blocks of 5 rows, the last one partial
        var m = new double[37, 20];
        for (int i = 0; i < 37; i++) for (int j = 0; j < 20; j++) m[i, j] = mu[i, j].item<float>();
        for (int r = 0; r < 23; r++)
        {
            var point = Enumerable.Range(0, 20).Select(j => (double)x[r, j].item<float>()).ToArray();
            Assert.Equal(Direct(m, point, sigma), ll[r].item<double>(), 3);
        }
    }

    [Fact]
    public void One_kernel_on_the_point_gives_the_gaussian_normaliser()
    {
        using var mu = zeros(1, 784);
        using var ll = ParzenWindow.LogLikelihood(mu, zeros(1, 784), 0.2);
        Assert.Equal(-392 * Math.Log(2 * Math.PI * 0.04), ll[0].item<double>(), 6);
    }

    [Fact]
    public void The_sigma_grid_is_numpys_logspace_from_minus_1_to_0()
    {
        // numpy.logspace(-1, 0, num=10), printed by numpy 1.24 with repr.
        double[] numpy = [0.1, 0.12915496650148839, 0.16681005372000587, 0.21544346900318834, 0.2782559402207124,
                          0.35938136638046275, 0.46415888336127786, 0.5994842503189409, 0.7742636826811272, 1.0];
        var grid = new ParzenProtocol().Candidates();
        Assert.Equal(numpy.Length, grid.Length);
        for (int i = 0; i < numpy.Length; i++) Assert.Equal(numpy[i], grid[i], 12);
        Assert.Equal([0.3], new ParzenProtocol { Sigma = 0.3 }.Candidates());
    }

    static double[,] ToArray(Tensor t)
    {
        var flat = t.flatten(1).to_type(ScalarType.Float64).contiguous();
        var values = flat.data<double>().ToArray();
        var a = new double[flat.shape[0], flat.shape[1]];
        Buffer.BlockCopy(values, 0, a, 0, values.Length * sizeof(double));
        return a;
    }

    static double[] Row(double[,] a, int r) => Enumerable.Range(0, a.GetLength(1)).Select(j => a[r, j]).ToArray();

    [Fact]
    public void Several_widths_from_one_distance_matrix_equal_the_direct_sums()
    {
        using var rng = new TorchSharp.torch.Generator(5);
        using var mu = rand([41, 12], generator: rng);
        using var x = rand([17, 12], generator: rng);
        double[] sigmas = [0.08, 0.3, 2.5];
        using var lls = ParzenWindow.LogLikelihoods(mu, x, sigmas, blockRows: 4);
        Assert.Equal([3L, 17], lls.shape);
        var m = ToArray(mu);
        var points = ToArray(x);
        for (int s = 0; s < sigmas.Length; s++)
            for (int r = 0; r < 17; r++)
                Assert.Equal(Direct(m, Row(points, r), sigmas[s]), lls[s, r].item<double>(), 3);
    }

    [Fact]
    public void The_protocol_chooses_sigma_on_the_first_validation_images_and_reports_the_test_mean_and_its_standard_error()
    {
        using var rng = new TorchSharp.torch.Generator(9);
        using var samples = rand([60, 1, 3, 3], generator: rng);                 // kernel centres, d = 9
        // Validation: 10 images near the samples (a small σ wins), then 30 far ones that would favour a wide σ if used.
        using var near = samples.narrow(0, 0, 10).add(randn([10, 1, 3, 3], generator: rng).mul(0.05));
        using var far = rand([30, 1, 3, 3], generator: rng).add(3);
        using var validation = cat([near, far]);
        using var test = rand([25, 1, 3, 3], generator: rng);
        var protocol = new ParzenProtocol { ValidationImages = 10, SigmaMin = 0.02, SigmaMax = 2, SigmaCount = 7 };
        var result = ParzenWindow.Evaluate(samples, validation, test, protocol);

        var mu = ToArray(samples);
        var v = ToArray(validation);
        var t = ToArray(test);
        var sigmas = protocol.Candidates();
        var validMeans = sigmas.Select(s => Enumerable.Range(0, 10).Average(r => Direct(mu, Row(v, r), s))).ToArray();
        double best = sigmas[Array.IndexOf(validMeans, validMeans.Max())];
        Assert.Equal(best, result.Sigma);
        Assert.True(best < 0.5, $"σ {best}: the far validation images must not have been used");
        for (int i = 0; i < sigmas.Length; i++) Assert.Equal(validMeans[i], result.SigmaSearch[i].ValidationLogLikelihood, 3);

        var testLls = Enumerable.Range(0, 25).Select(r => Direct(mu, Row(t, r), best)).ToArray();
        double mean = testLls.Average();
        double sd = Math.Sqrt(testLls.Average(l => (l - mean) * (l - mean)));  // population std, as numpy's default
        Assert.Equal(mean, result.LogLikelihood, 3);
        Assert.Equal(sd / Math.Sqrt(25), result.StandardError, 3);
        Assert.Equal((60L, 10L, 25L), (result.Samples, result.ValidationImages, result.TestImages));
    }
}
