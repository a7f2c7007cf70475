namespace GanSharp.Theory;

/// <summary>
/// Kullback–Leibler and Jensen–Shannon divergences, in nats, for discrete distributions (probability vectors) and for
/// one-dimensional densities on a grid (by quadrature). 0·log(0/q) counts as 0.
/// </summary>
public static class Divergences
{
    /// <summary>KL(p ‖ q) = Σ pᵢ log(pᵢ/qᵢ) for probability vectors (each normalised here); +∞ if q misses mass of p.</summary>
    public static double KullbackLeibler(IReadOnlyList<double> p, IReadOnlyList<double> q)
    {
        var (a, b) = (Normalised(p), Normalised(q));
        double kl = 0;
        for (int i = 0; i < a.Length; i++)
        {
            if (a[i] == 0) continue;
            if (b[i] == 0) return double.PositiveInfinity;
            kl += a[i] * Math.Log(a[i] / b[i]);
        }
        return kl;
    }

    /// <summary>JSD(p ‖ q) = ½ KL(p ‖ m) + ½ KL(q ‖ m), m = (p + q)/2: 0 for identical distributions, log 2 for disjoint ones.</summary>
    public static double JensenShannon(IReadOnlyList<double> p, IReadOnlyList<double> q)
    {
        var (a, b) = (Normalised(p), Normalised(q));
        var m = a.Zip(b, (x, y) => (x + y) / 2).ToArray();
        return 0.5 * KullbackLeibler(a, m) + 0.5 * KullbackLeibler(b, m);
    }

    /// <summary>KL(p ‖ q) = ∫ p log(p/q) dx for densities given on <paramref name="grid"/>.</summary>
    public static double KullbackLeibler(Grid1D grid, IReadOnlyList<double> p, IReadOnlyList<double> q) =>
        grid.Integrate(p.Select((pi, i) => pi == 0 ? 0 : q[i] == 0 ? double.PositiveInfinity : pi * Math.Log(pi / q[i])).ToArray());

    /// <summary>JSD(p ‖ q) for densities given on <paramref name="grid"/>, by quadrature.</summary>
    public static double JensenShannon(Grid1D grid, IReadOnlyList<double> p, IReadOnlyList<double> q)
    {
        var m = p.Zip(q, (x, y) => (x + y) / 2).ToArray();
        return 0.5 * KullbackLeibler(grid, p, m) + 0.5 * KullbackLeibler(grid, q, m);
    }

    static double[] Normalised(IReadOnlyList<double> p)
    {
        if (p.Any(v => v < 0 || double.IsNaN(v))) throw new ArgumentException("probabilities must be non-negative");
        double total = p.Sum();
        if (!(total > 0)) throw new ArgumentException("a distribution needs positive mass");
        return p.Select(v => v / total).ToArray();
    }
}
