namespace GanSharp.Theory;

/// <summary>Evenly spaced points x₀ … x_{n−1} on [Min, Max], for densities evaluated on a grid and integrated by quadrature.</summary>
public sealed record Grid1D(double Min, double Max, int Count)
{
    /// <summary>Spacing between neighbouring points.</summary>
    public double Step => (Max - Min) / (Count - 1);

    /// <summary>The points.</summary>
    public double[] Points() => Enumerable.Range(0, Count).Select(i => Min + i * Step).ToArray();

    /// <summary>∫ f dx by the trapezoidal rule over the grid, for values <paramref name="f"/> at <see cref="Points"/>.</summary>
    public double Integrate(IReadOnlyList<double> f)
    {
        if (f.Count != Count) throw new ArgumentException($"{f.Count} values for {Count} grid points");
        double sum = 0;
        for (int i = 0; i < Count; i++) sum += (i == 0 || i == Count - 1 ? 0.5 : 1) * f[i];
        return sum * Step;
    }
}

/// <summary>A one-dimensional distribution with a density and a sampler.</summary>
public interface IDensity1D
{
    /// <summary>p(x).</summary>
    double Density(double x);
    /// <summary>Draws from the distribution.</summary>
    double Sample(Random random);
}

/// <summary>The normal distribution 𝒩(μ, σ²).</summary>
public sealed record Gaussian1D(double Mean, double Std) : IDensity1D
{
    /// <inheritdoc/>
    public double Density(double x)
    {
        double u = (x - Mean) / Std;
        return Math.Exp(-0.5 * u * u) / (Std * Math.Sqrt(2 * Math.PI));
    }

    /// <inheritdoc/>
    public double Sample(Random random)
    {
        // Box–Muller: two uniforms give a standard normal.
        double u1 = 1 - random.NextDouble(), u2 = random.NextDouble();
        return Mean + Std * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>KL(𝒩(μ₁, σ₁²) ‖ 𝒩(μ₂, σ₂²)) = log(σ₂/σ₁) + (σ₁² + (μ₁ − μ₂)²)/(2σ₂²) − ½, in nats.</summary>
    public static double KullbackLeibler(Gaussian1D p, Gaussian1D q) =>
        Math.Log(q.Std / p.Std) + (p.Std * p.Std + (p.Mean - q.Mean) * (p.Mean - q.Mean)) / (2 * q.Std * q.Std) - 0.5;
}

/// <summary>A mixture Σ wᵢ pᵢ of one-dimensional distributions (weights normalised to sum to 1).</summary>
public sealed class Mixture1D : IDensity1D
{
    private readonly IDensity1D[] parts;
    private readonly double[] weights;

    /// <summary>A mixture of <paramref name="parts"/> with <paramref name="weights"/> (default: equal).</summary>
    public Mixture1D(IReadOnlyList<IDensity1D> parts, IReadOnlyList<double>? weights = null)
    {
        if (parts.Count == 0) throw new ArgumentException("a mixture needs at least one part");
        weights ??= Enumerable.Repeat(1.0, parts.Count).ToArray();
        if (weights.Count != parts.Count || weights.Any(w => !(w > 0))) throw new ArgumentException("one positive weight per part");
        double total = weights.Sum();
        this.parts = [.. parts];
        this.weights = weights.Select(w => w / total).ToArray();
    }

    /// <inheritdoc/>
    public double Density(double x)
    {
        double p = 0;
        for (int i = 0; i < parts.Length; i++) p += weights[i] * parts[i].Density(x);
        return p;
    }

    /// <inheritdoc/>
    public double Sample(Random random)
    {
        double u = random.NextDouble();
        for (int i = 0; i < parts.Length - 1; i++)
        {
            if (u < weights[i]) return parts[i].Sample(random);
            u -= weights[i];
        }
        return parts[^1].Sample(random);
    }
}
