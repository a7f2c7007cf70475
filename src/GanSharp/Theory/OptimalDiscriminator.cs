namespace GanSharp.Theory;

/// <summary>
/// The paper's Proposition 1 and Theorem 1 on a grid: for a fixed G the optimal discriminator is
/// D*_G(x) = p_data(x) / (p_data(x) + p_g(x)), and the game's value at D*_G is
/// C(G) = E_{p_data}[log D*_G] + E_{p_g}[log(1 − D*_G)] = −log 4 + 2·JSD(p_data ‖ p_g), whose minimum −log 4 is reached
/// only at p_g = p_data, where D*_G = ½.
/// </summary>
public static class OptimalDiscriminator
{
    /// <summary>−log 4, the value of the game at its global optimum.</summary>
    public static readonly double OptimalValue = -Math.Log(4);

    /// <summary>D*_G(x) at each grid point; NaN where neither density has mass (D* is undefined there).</summary>
    public static double[] Values(IReadOnlyList<double> pData, IReadOnlyList<double> pG) =>
        pData.Zip(pG, (d, g) => d + g > 0 ? d / (d + g) : double.NaN).ToArray();

    /// <summary>C(G) = ∫ p_data log D* + p_g log(1 − D*) dx, by quadrature (the direct form, not via the JSD).</summary>
    public static double VirtualTrainingCriterion(Grid1D grid, IReadOnlyList<double> pData, IReadOnlyList<double> pG)
    {
        var f = new double[grid.Count];
        for (int i = 0; i < f.Length; i++)
        {
            double d = pData[i], g = pG[i], sum = d + g;
            f[i] = (d > 0 ? d * Math.Log(d / sum) : 0) + (g > 0 ? g * Math.Log(g / sum) : 0);
        }
        return grid.Integrate(f);
    }

    /// <summary>C(G) through Theorem 1: −log 4 + 2·JSD(p_data ‖ p_g).</summary>
    public static double CriterionFromJensenShannon(Grid1D grid, IReadOnlyList<double> pData, IReadOnlyList<double> pG) =>
        OptimalValue + 2 * Divergences.JensenShannon(grid, pData, pG);
}
