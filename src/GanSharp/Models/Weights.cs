using static TorchSharp.torch;

namespace GanSharp.Models;

/// <summary>Checks on a net's weights as a whole.</summary>
public static class Weights
{
    /// <summary>
    /// Whether every parameter and buffer of <paramref name="modules"/> is finite (no NaN, no infinity). One pass over the
    /// weights and one synchronisation: each tensor is summed in float64 (a NaN or an infinity survives the sum, and finite
    /// float32 weights cannot overflow it), the sums are stacked and tested at once.
    /// </summary>
    public static bool AllFinite(params IEnumerable<nn.Module> modules)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var sums = modules.SelectMany(m => m.parameters().Cast<Tensor>().Concat(m.buffers()))
                          .Where(t => t.is_floating_point())
                          .Select(t => t.sum(ScalarType.Float64))
                          .ToArray();
        return sums.Length == 0 || stack(sums).isfinite().all().item<bool>();
    }

    /// <summary>Whether every value of <paramref name="values"/> is finite.</summary>
    public static bool AllFinite(Tensor values)
    {
        using var finite = values.isfinite().all();
        return finite.item<bool>();
    }
}
