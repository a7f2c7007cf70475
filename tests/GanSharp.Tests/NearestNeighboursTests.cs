using GanSharp.Evaluation;
using static TorchSharp.torch;

namespace GanSharp.Tests;

public class NearestNeighboursTests
{
    static double[][] Rows(Tensor t) =>
        Enumerable.Range(0, (int)t.shape[0]).Select(i => t[i].to_type(ScalarType.Float64).data<double>().ToArray()).ToArray();

    static double Squared(double[] a, double[] b) => a.Zip(b, (x, y) => (x - y) * (x - y)).Sum();

    [Fact]
    public void Nearest_matches_a_brute_force_search_block_by_block()
    {
        using var rng = new TorchSharp.torch.Generator(11);
        using var reference = rand([53, 7], generator: rng);
        using var queries = cat([rand([20, 7], generator: rng), reference.narrow(0, 30, 1)]);  // the last one is reference row 30
        var (indices, distances) = NearestNeighbours.Nearest(queries, reference, blockRows: 6);
        using var _ = indices; using var __ = distances;
        var r = Rows(reference);
        var q = Rows(queries);
        for (int i = 0; i < q.Length; i++)
        {
            var all = r.Select(row => Squared(q[i], row)).ToArray();
            int best = Array.IndexOf(all, all.Min());
            Assert.Equal(best, indices[i].item<long>());
            Assert.Equal(all[best], distances[i].item<float>(), 4);
        }
        Assert.Equal(30, indices[20].item<long>());
        Assert.Equal(0, distances[20].item<float>(), 5);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void The_kth_neighbour_radius_skips_the_point_itself(int k)
    {
        using var rng = new TorchSharp.torch.Generator(12);
        using var points = rand([31, 5], generator: rng);
        using var radii = NearestNeighbours.KthNeighbourSquaredDistances(points, k, blockRows: 7);
        var p = Rows(points);
        for (int i = 0; i < p.Length; i++)
        {
            var others = p.Where((_, j) => j != i).Select(row => Squared(p[i], row)).Order().ToArray();
            Assert.Equal(others[k - 1], radii[i].item<float>(), 4);
        }
    }
}
