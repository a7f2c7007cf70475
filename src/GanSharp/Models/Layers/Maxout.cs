using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanSharp.Models;

/// <summary>
/// Maxout layer (Goodfellow et al., 2013): <c>units</c> outputs, each the maximum of <c>pieces</c> affine functions of
/// the input. The paper's discriminator uses two of them (240 units × 5 pieces).
/// </summary>
public sealed class Maxout : Module<Tensor, Tensor>
{
    private readonly Linear linear;
    private readonly int units, pieces;

    /// <summary>A maxout layer from <paramref name="inFeatures"/> inputs to <paramref name="units"/> outputs.</summary>
    public Maxout(long inFeatures, int units, int pieces, string name = "maxout") : base(name)
    {
        this.units = units;
        this.pieces = pieces;
        linear = Linear(inFeatures, (long)units * pieces);
        RegisterComponents();
    }

    /// <summary>The affine map to units × pieces values (its weight rows are unit-major: unit u owns rows u·pieces …).</summary>
    public Linear Affine => linear;

    /// <summary>x [B, in] → [B, units].</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var z = linear.forward(x).view(-1, units, pieces);  // [B, units, pieces]
        return z.max(2).values.MoveToOuterDisposeScope();    // [B, units]
    }
}
