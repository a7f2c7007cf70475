using static TorchSharp.torch;

namespace GanSharp.Data;

/// <summary>
/// An equal-weight mixture of isotropic 2-D Gaussians, the mode-collapse benchmarks of the unrolled-GAN, VEEGAN and
/// PacGAN papers: <see cref="Ring"/> and <see cref="Grid"/>.
/// </summary>
public sealed record GaussianMixture2D(string Name, (double X, double Y)[] Modes, double Std)
{
    /// <summary>8 Gaussians evenly on a circle of radius 2, σ = 0.02.</summary>
    public static GaussianMixture2D Ring(int modes = 8, double radius = 2, double std = 0.02) =>
        new("ring", Enumerable.Range(0, modes).Select(i => (radius * Math.Cos(2 * Math.PI * i / modes), radius * Math.Sin(2 * Math.PI * i / modes))).ToArray(), std);

    /// <summary>25 Gaussians on the 5×5 grid {−4, −2, 0, 2, 4}², σ = 0.05.</summary>
    public static GaussianMixture2D Grid(int side = 5, double spacing = 2, double std = 0.05) =>
        new("grid", (from i in Enumerable.Range(0, side) from j in Enumerable.Range(0, side)
                     select ((i - (side - 1) / 2.0) * spacing, (j - (side - 1) / 2.0) * spacing)).ToArray(), std);

    /// <summary>The mode centres, <c>[M, 2]</c> float32.</summary>
    public Tensor Centres() => tensor(Modes.SelectMany(m => new[] { (float)m.X, (float)m.Y }).ToArray()).view(-1, 2);

    /// <summary><paramref name="count"/> draws as points <c>[count, 1, 1, 2]</c> (a mode uniformly, then its Gaussian).</summary>
    public Tensor Sample(int count, Random random)
    {
        var values = new float[2 * count];
        for (int i = 0; i < count; i++)
        {
            var (x, y) = Modes[random.Next(Modes.Length)];
            values[2 * i] = (float)(x + Std * StandardNormal.Sample(random));
            values[2 * i + 1] = (float)(y + Std * StandardNormal.Sample(random));
        }
        return tensor(values).view(count, 1, 1, 2);
    }

    static readonly Theory.Gaussian1D StandardNormal = new(0, 1);
}
