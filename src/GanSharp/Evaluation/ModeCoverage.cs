using static TorchSharp.torch;

namespace GanSharp.Evaluation;

/// <summary>How a set of 2-D samples covers a mixture's modes.</summary>
/// <param name="ModesCovered">Modes with at least the threshold number of samples within 3σ.</param>
/// <param name="Modes">Number of modes.</param>
/// <param name="HighQualityShare">Share of samples within 3σ of some mode.</param>
/// <param name="KlToUniform">KL(histogram of high-quality samples over modes ‖ uniform), in nats: 0 when every mode gets an
/// equal share, log M when one mode takes all; +∞ with no high-quality sample.</param>
/// <param name="Counts">High-quality samples per mode.</param>
public sealed record ModeCoverageResult(int ModesCovered, int Modes, double HighQualityShare, double KlToUniform, long[] Counts);

/// <summary>
/// The mode-collapse measures of the unrolled-GAN / VEEGAN / PacGAN papers: a sample is high quality when it lies within
/// 3σ of a mode centre; a mode is covered when at least <c>threshold</c> samples are (PacGAN: 20 of 2,500).
/// </summary>
public static class ModeCoverage
{
    /// <summary>Measures <paramref name="samples"/> <c>[N, 2]</c> against mode <paramref name="centres"/> <c>[M, 2]</c> of width <paramref name="std"/>.</summary>
    public static ModeCoverageResult Measure(Tensor samples, Tensor centres, double std, int threshold = 20)
    {
        using var scope = NewDisposeScope();
        var (nearest, squared) = NearestNeighbours.Nearest(samples.flatten(1), centres);
        var highQuality = squared.le(9 * std * std);                                        // within 3σ
        long m = centres.shape[0];
        var modeOfEach = nearest.masked_select(highQuality);                                  // [H]: the mode of each high-quality sample
        var counts = zeros(m, dtype: ScalarType.Int64).index_add_(0, modeOfEach, ones_like(modeOfEach), 1);
        var c = counts.data<long>().ToArray();
        long total = c.Sum();
        double kl = total == 0 ? double.PositiveInfinity
            : c.Where(v => v > 0).Sum(v => (double)v / total * Math.Log((double)v / total * m));
        return new ModeCoverageResult(c.Count(v => v >= threshold), (int)m, (double)total / samples.shape[0], kl, c);
    }
}
