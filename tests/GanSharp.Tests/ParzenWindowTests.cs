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
}
