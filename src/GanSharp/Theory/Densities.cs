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

    /// <summary>
    /// A density estimate from samples: a histogram with one bin of width <see cref="Step"/> centred on each point,
    /// normalised by the number of samples (so mass outside the grid is missing from it, and reported).
    /// </summary>
    public (double[] Density, int Outside) Histogram(IReadOnlyCollection<double> samples)
    {
        var density = new double[Count];
        int outside = 0;
        foreach (var x in samples)
        {
            double position = Math.Round((x - Min) / Step);
            if (!(position >= 0 && position < Count)) { outside++; continue; }   // NaN counts as outside too
            density[(int)position] += 1;
        }
        for (int i = 0; i < Count; i++) density[i] /= samples.Count * Step;
        return (density, outside);
    }
}

/// <summary>A one-dimensional distribution with a density and a sampler.</summary>
public interface IDensity1D
{
    /// <summary>p(x).</summary>
    double Density(double x);
    /// <summary>Draws from the distribution.</summary>
    double Sample(Random random);
    /// <summary>An interval holding all but a negligible share of the mass (μ ± 4σ for a Gaussian).</summary>
    (double Low, double High) Bulk { get; }
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

    /// <inheritdoc/>
    public (double Low, double High) Bulk => (Mean - 4 * Std, Mean + 4 * Std);

    /// <inheritdoc/>
    public override string ToString() => FormattableString.Invariant($"N({Mean}, {Std})");

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

    /// <inheritdoc/>
    public (double Low, double High) Bulk => (parts.Min(p => p.Bulk.Low), parts.Max(p => p.Bulk.High));

    /// <inheritdoc/>
    public override string ToString() =>
        string.Join(" + ", parts.Select((p, i) => FormattableString.Invariant($"{Math.Round(weights[i], 4)}*{p}")));
}

/// <summary>1-D data distributions written as text, for the command line: <c>N(2, 0.5)</c> or <c>0.3*N(0, 0.5) + 0.7*N(3, 0.5)</c>.</summary>
public static class Distribution1D
{
    /// <summary>
    /// Parses <c>[w*]N(μ, σ) [+ [w*]N(μ, σ)]…</c>: one Gaussian, or a mixture with the given (or equal) weights.
    /// Throws <see cref="FormatException"/> naming the part that is wrong.
    /// </summary>
    public static IDensity1D Parse(string text)
    {
        var terms = text.Split('+', StringSplitOptions.TrimEntries);
        var parts = new List<IDensity1D>();
        var weights = new List<double>();
        foreach (var term in terms)
        {
            var m = System.Text.RegularExpressions.Regex.Match(term,
                @"^(?:(?<w>[^*()]+)\*)?\s*N\s*\(\s*(?<mu>[^,()]+),(?<sd>[^,()]+)\)$", System.Text.RegularExpressions.RegexOptions.IgnoreCase);
            if (!m.Success) throw new FormatException($"'{term}' is not N(mean, std) or weight*N(mean, std)");
            double Number(string group, string what)
            {
                var s = m.Groups[group].Value.Trim();
                if (!double.TryParse(s, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
                    throw new FormatException($"'{s}' in '{term}' is not a number ({what})");
                return v;
            }
            double mean = Number("mu", "mean"), std = Number("sd", "standard deviation");
            double weight = m.Groups["w"].Success ? Number("w", "weight") : 1;
            if (!(std > 0)) throw new FormatException($"the standard deviation in '{term}' must be positive");
            if (!(weight > 0)) throw new FormatException($"the weight in '{term}' must be positive");
            parts.Add(new Gaussian1D(mean, std));
            weights.Add(weight);
        }
        return parts.Count == 1 ? parts[0] : new Mixture1D(parts, weights);
    }

    /// <summary>
    /// The plotted range for <paramref name="data"/>: its bulk widened by half its width on each side, so that D and p_g
    /// are seen away from the data too (for 𝒩(2, 0.5²): [−2, 6]), at 401 points.
    /// </summary>
    public static Grid1D GridFor(IDensity1D data, int count = 401)
    {
        var (low, high) = data.Bulk;
        double margin = (high - low) / 2;
        return new Grid1D(low - margin, high + margin, count);
    }
}
