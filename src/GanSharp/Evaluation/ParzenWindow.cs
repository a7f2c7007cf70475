using static TorchSharp.torch;

namespace GanSharp.Evaluation;

/// <summary>
/// Parzen-window density estimate with isotropic Gaussian kernels, the likelihood proxy of the paper's Table 1:
/// p(x) = (1/N) Σᵢ 𝒩(x; μᵢ, σ²I) over N kernel centres μᵢ (generated samples).
/// </summary>
public static class ParzenWindow
{
    /// <summary>
    /// log p(x) for every row of <paramref name="x"/> <c>[M, d]</c> under kernels centred on <paramref name="centres"/>
    /// <c>[N, d]</c> of width <paramref name="sigma"/>: logsumexp_i(−|x − μᵢ|² / 2σ²) − log N − (d/2)·log(2πσ²).
    /// Squared distances come from one matrix product per block of <paramref name="blockRows"/> rows
    /// (|x|² + |μ|² − 2xμᵀ), so memory stays at blockRows × N floats. Returns <c>[M]</c> (float64).
    /// </summary>
    public static Tensor LogLikelihood(Tensor centres, Tensor x, double sigma, int blockRows = 1000)
    {
        if (centres.dim() != 2 || x.dim() != 2 || centres.shape[1] != x.shape[1])
            throw new ArgumentException($"expected [N, d] centres and [M, d] points, got [{string.Join(", ", centres.shape)}] and [{string.Join(", ", x.shape)}]");
        if (sigma <= 0) throw new ArgumentOutOfRangeException(nameof(sigma), "sigma must be positive");
        using var _ = inference_mode();
        long n = centres.shape[0], d = centres.shape[1], m = x.shape[0];
        double constant = -Math.Log(n) - d / 2.0 * Math.Log(2 * Math.PI * sigma * sigma);
        using var mu = centres.to_type(ScalarType.Float32).contiguous();
        using var muNorms = mu.square().sum(1);                            // [N]
        var result = empty(m, dtype: ScalarType.Float64);
        for (long start = 0; start < m; start += blockRows)
        {
            using var scope = NewDisposeScope();
            long rows = Math.Min(blockRows, m - start);
            var block = x.narrow(0, start, rows).to_type(ScalarType.Float32);  // [b, d]
            var squared = block.mm(mu.t()).mul_(-2)                             // −2xμᵀ: [b, N]
                               .add_(muNorms.unsqueeze(0))
                               .add_(block.square().sum(1, keepdim: true))
                               .clamp_min_(0);                                 // rounding can dip below 0
            var logKernel = squared.mul_(-1 / (2 * sigma * sigma));            // [b, N]
            result.narrow(0, start, rows).copy_(logKernel.logsumexp(1).to_type(ScalarType.Float64).add_(constant));
        }
        return result;
    }
}
