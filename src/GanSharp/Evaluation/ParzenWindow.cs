using System.Diagnostics;
using static TorchSharp.torch;

namespace GanSharp.Evaluation;

/// <summary>How the Parzen-window log-likelihood is measured; the defaults are the paper's (its <c>parzen_ll.py</c>).</summary>
public sealed record ParzenProtocol
{
    /// <summary>Generated samples the kernels are centred on.</summary>
    public int Samples { get; init; } = 10_000;
    /// <summary>Validation images (the first ones of the validation split) that choose σ.</summary>
    public int ValidationImages { get; init; } = 1_000;
    /// <summary>Smallest σ tried.</summary>
    public double SigmaMin { get; init; } = 0.1;
    /// <summary>Largest σ tried.</summary>
    public double SigmaMax { get; init; } = 1.0;
    /// <summary>Number of σ values tried, log-spaced from SigmaMin to SigmaMax.</summary>
    public int SigmaCount { get; init; } = 10;
    /// <summary>A fixed σ: no search.</summary>
    public double? Sigma { get; init; }

    /// <summary>The σ values tried: <c>numpy.logspace(log10 SigmaMin, log10 SigmaMax, SigmaCount)</c>, or the fixed σ.</summary>
    public double[] Candidates()
    {
        if (Sigma is { } s) return [s];
        if (SigmaCount == 1) return [SigmaMin];
        double a = Math.Log10(SigmaMin), b = Math.Log10(SigmaMax);
        return Enumerable.Range(0, SigmaCount).Select(i => Math.Pow(10, a + (b - a) * i / (SigmaCount - 1))).ToArray();
    }
}

/// <summary>One σ of the search, and the mean log-likelihood of the validation images under it.</summary>
public readonly record struct SigmaTrial(double Sigma, double ValidationLogLikelihood);

/// <summary>A Parzen-window log-likelihood: the mean over the test images and its standard error, at the chosen σ.</summary>
/// <param name="LogLikelihood">Mean log p(x) over the test images, in nats.</param>
/// <param name="StandardError">std(log p(x)) / √N (population std, as numpy's default).</param>
/// <param name="Sigma">The kernel width used.</param>
/// <param name="SigmaSearch">Each σ tried, with the mean log-likelihood of the validation images under it.</param>
/// <param name="Samples">Kernel centres (generated samples).</param>
/// <param name="ValidationImages">Validation images that chose σ (0 when σ was fixed).</param>
/// <param name="TestImages">Images scored.</param>
/// <param name="Seconds">Wall time of the evaluation.</param>
public sealed record ParzenResult(double LogLikelihood, double StandardError, double Sigma,
                                  IReadOnlyList<SigmaTrial> SigmaSearch,
                                  long Samples, long ValidationImages, long TestImages, double Seconds)
{
    /// <summary>The paper's way of writing it: <c>225.4 ± 2.1 (σ = 0.17)</c>.</summary>
    public override string ToString() => $"{LogLikelihood:F1} ± {StandardError:F1} (σ = {Sigma:G3})";
}

/// <summary>
/// Parzen-window density estimate with isotropic Gaussian kernels, the likelihood proxy of the paper's Table 1:
/// p(x) = (1/N) Σᵢ 𝒩(x; μᵢ, σ²I) over N kernel centres μᵢ (generated samples).
/// </summary>
public static class ParzenWindow
{
    /// <summary>
    /// The paper's protocol: kernels on <paramref name="samples"/>; σ chosen among <see cref="ParzenProtocol.Candidates"/>
    /// by the mean log-likelihood of the first <see cref="ParzenProtocol.ValidationImages"/> of
    /// <paramref name="validation"/>; then the mean log-likelihood of every image of <paramref name="test"/> and its
    /// standard error. Images are <c>[N, C, H, W]</c> (or <c>[N, d]</c>) with pixels in [0, 1]; all of
    /// <paramref name="samples"/> are used.
    /// </summary>
    public static ParzenResult Evaluate(Tensor samples, Tensor validation, Tensor test, ParzenProtocol? protocol = null)
    {
        protocol ??= new ParzenProtocol();
        var clock = Stopwatch.StartNew();
        using var scope = NewDisposeScope();
        var mu = samples.flatten(1);                                       // [N, d]
        var sigmas = protocol.Candidates();
        var search = new List<SigmaTrial>();
        double sigma = sigmas[0];
        long validationCount = 0;
        if (protocol.Sigma is null)
        {
            validationCount = Math.Min(protocol.ValidationImages, validation.shape[0]);
            var valid = validation.narrow(0, 0, validationCount).flatten(1);
            var lls = LogLikelihoods(mu, valid, sigmas);                  // [S, V]
            var means = lls.mean([1]).data<double>().ToArray();
            search.AddRange(sigmas.Zip(means, (s, m) => new SigmaTrial(s, m)));
            sigma = sigmas[Array.IndexOf(means, means.Max())];
        }
        var ll = LogLikelihood(mu, test.flatten(1), sigma);               // [M]
        double mean = ll.mean().item<double>();
        double se = ll.std(unbiased: false).item<double>() / Math.Sqrt(ll.shape[0]);
        return new ParzenResult(mean, se, sigma, search, mu.shape[0], validationCount, ll.shape[0], clock.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// log p(x) for every row of <paramref name="x"/> <c>[M, d]</c> under kernels centred on <paramref name="centres"/>
    /// <c>[N, d]</c> of width <paramref name="sigma"/>: logsumexp_i(−|x − μᵢ|² / 2σ²) − log N − (d/2)·log(2πσ²).
    /// Returns <c>[M]</c> (float64).
    /// </summary>
    public static Tensor LogLikelihood(Tensor centres, Tensor x, double sigma, int blockRows = 1000)
    {
        using var all = LogLikelihoods(centres, x, [sigma], blockRows);
        return all[0].clone();
    }

    /// <summary>
    /// log p(x) under each width in <paramref name="sigmas"/>, <c>[S, M]</c> (float64). Squared distances come from one
    /// matrix product per block of <paramref name="blockRows"/> rows (|x|² + |μ|² − 2xμᵀ) and serve every σ, so
    /// memory stays at a few blockRows × N floats whatever M is.
    /// </summary>
    public static Tensor LogLikelihoods(Tensor centres, Tensor x, IReadOnlyList<double> sigmas, int blockRows = 1000)
    {
        if (centres.dim() != 2 || x.dim() != 2 || centres.shape[1] != x.shape[1])
            throw new ArgumentException($"expected [N, d] centres and [M, d] points, got [{string.Join(", ", centres.shape)}] and [{string.Join(", ", x.shape)}]");
        if (sigmas.Count == 0 || sigmas.Any(s => !(s > 0))) throw new ArgumentOutOfRangeException(nameof(sigmas), "every sigma must be positive");
        if (blockRows < 1) throw new ArgumentOutOfRangeException(nameof(blockRows));
        using var _ = inference_mode();
        long n = centres.shape[0], d = centres.shape[1], m = x.shape[0];
        using var mu = centres.to_type(ScalarType.Float32).contiguous();
        using var muNorms = mu.square().sum(1);                              // [N]
        var result = empty(sigmas.Count, m, dtype: ScalarType.Float64, device: centres.device);
        for (long start = 0; start < m; start += blockRows)
        {
            using var scope = NewDisposeScope();
            long rows = Math.Min(blockRows, m - start);
            var block = x.narrow(0, start, rows).to_type(ScalarType.Float32);   // [b, d]
            var squared = block.mm(mu.t()).mul_(-2)                               // −2xμᵀ: [b, N]
                               .add_(muNorms.unsqueeze(0))
                               .add_(block.square().sum(1, keepdim: true))
                               .clamp_min_(0);                                   // rounding can dip below 0
            for (int s = 0; s < sigmas.Count; s++)
            {
                double sigma = sigmas[s];
                double constant = -Math.Log(n) - d / 2.0 * Math.Log(2 * Math.PI * sigma * sigma);
                var logKernel = squared.mul(-1 / (2 * sigma * sigma));          // [b, N]
                result[s].narrow(0, start, rows).copy_(logKernel.logsumexp(1).to_type(ScalarType.Float64).add_(constant));
            }
        }
        return result;
    }
}
