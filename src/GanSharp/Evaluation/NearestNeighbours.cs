using static TorchSharp.torch;

namespace GanSharp.Evaluation;

/// <summary>Nearest neighbours in Euclidean distance, by matrix products (|q|² + |r|² − 2qrᵀ), in blocks of queries.</summary>
internal static class NearestNeighbours
{
    /// <summary>
    /// Squared Euclidean distances between every row of <paramref name="queries"/> <c>[Q, d]</c> and every row of
    /// <paramref name="reference"/> <c>[N, d]</c>: <c>[Q, N]</c>, float32, clamped at 0 (rounding can dip below).
    /// </summary>
    public static Tensor SquaredDistances(Tensor queries, Tensor reference)
    {
        CheckShapes(queries, reference);
        using var scope = NewDisposeScope();
        var q = queries.to_type(ScalarType.Float32);
        var r = reference.to_type(ScalarType.Float32);
        return q.mm(r.t()).mul_(-2)                              // −2qrᵀ: [Q, N]
                .add_(r.square().sum(1).unsqueeze(0))
                .add_(q.square().sum(1, keepdim: true))
                .clamp_min_(0)
                .MoveToOuterDisposeScope();
    }

    /// <summary>
    /// For each row of <paramref name="queries"/> <c>[Q, d]</c>, the index of its nearest row of
    /// <paramref name="reference"/> <c>[N, d]</c> and the squared distance to it (<c>[Q]</c> int64 and <c>[Q]</c>
    /// float32). Memory stays at <paramref name="blockRows"/> × N floats.
    /// </summary>
    public static (Tensor Indices, Tensor SquaredDistances) Nearest(Tensor queries, Tensor reference, int blockRows = 1024)
    {
        CheckShapes(queries, reference);
        using var _ = inference_mode();
        long count = queries.shape[0];
        var indices = empty(count, dtype: ScalarType.Int64, device: queries.device);
        var distances = empty(count, dtype: ScalarType.Float32, device: queries.device);
        for (long start = 0; start < count; start += blockRows)
        {
            using var scope = NewDisposeScope();
            long rows = Math.Min(blockRows, count - start);
            var (values, at) = SquaredDistances(queries.narrow(0, start, rows), reference).min(1);
            indices.narrow(0, start, rows).copy_(at);
            distances.narrow(0, start, rows).copy_(values);
        }
        return (indices, distances);
    }

    /// <summary>
    /// The squared distance from each row of <paramref name="points"/> <c>[N, d]</c> to its k-th nearest other row of
    /// the same set (k = 1: the nearest other point): <c>[N]</c> float32. The radii of the k-NN balls of improved
    /// precision and recall.
    /// </summary>
    public static Tensor KthNeighbourSquaredDistances(Tensor points, int k, int blockRows = 1024)
    {
        if (k < 1 || k >= points.shape[0]) throw new ArgumentOutOfRangeException(nameof(k), $"k must lie in [1, {points.shape[0] - 1}]");
        using var _ = inference_mode();
        long count = points.shape[0];
        var radii = empty(count, dtype: ScalarType.Float32, device: points.device);
        for (long start = 0; start < count; start += blockRows)
        {
            using var scope = NewDisposeScope();
            long rows = Math.Min(blockRows, count - start);
            var d = SquaredDistances(points.narrow(0, start, rows), points);     // [b, N]
            d.narrow(1, start, rows).diagonal().fill_(float.PositiveInfinity);   // a point is not its own neighbour
            var (values, _) = d.topk(k, dim: 1, largest: false, sorted: true);
            radii.narrow(0, start, rows).copy_(values.select(1, k - 1));
        }
        return radii;
    }

    static void CheckShapes(Tensor queries, Tensor reference)
    {
        if (queries.dim() != 2 || reference.dim() != 2 || queries.shape[1] != reference.shape[1])
            throw new ArgumentException($"expected [Q, d] and [N, d], got [{string.Join(", ", queries.shape)}] and [{string.Join(", ", reference.shape)}]");
    }
}
