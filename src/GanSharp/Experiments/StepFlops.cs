using GanSharp.Games;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GanSharp.Experiments;

/// <summary>Why a matrix product runs: the three products of a linear layer y = x·Wᵀ + b in training.</summary>
internal enum ProductRole
{
    /// <summary>y = x·Wᵀ: [rows, in] × [in, out].</summary>
    Forward,
    /// <summary>∂W = gᵀ·x: [out, rows] × [rows, in].</summary>
    WeightGradient,
    /// <summary>∂x = g·W: [rows, out] × [out, in].</summary>
    InputGradient,
}

/// <summary>One matrix product of a training iteration: [Rows, Inner] × [Inner, Columns], 2·Rows·Inner·Columns FLOPs.</summary>
internal readonly record struct MatrixProduct(string Layer, ProductRole Role, long Rows, long Inner, long Columns)
{
    /// <summary>Floating-point operations (a multiply and an add per term).</summary>
    public double Flops => 2.0 * Rows * Inner * Columns;
}

/// <summary>
/// The matrix products of one training iteration, listed from the layers of the game's built nets (their
/// <see cref="Linear"/> layers, in order): each a→b layer over r rows costs a forward product, and in the backward pass a
/// weight-gradient product and (where its input needs a gradient) an input-gradient product, each 2·r·a·b FLOPs.
/// Element-wise work (activations, dropout, optimizer) is not counted. Nets of fully connected layers only.
/// </summary>
internal static class StepFlops
{
    /// <summary>FLOPs of one iteration of <paramref name="game"/> per image of a minibatch of <paramref name="batch"/>.</summary>
    public static double PerImage(Game game, long batch) => Products(game, batch).Sum(p => p.Flops) / batch;

    /// <summary>Every matrix product of one iteration of <paramref name="game"/>, in the order the step runs them.</summary>
    /// <exception cref="NotSupportedException">A game or a layer whose products are not counted here.</exception>
    public static IReadOnlyList<MatrixProduct> Products(Game game, long batch)
    {
        var products = new List<MatrixProduct>();
        void Forward(List<Layer> net, long rows) =>
            products.AddRange(net.Select(l => new MatrixProduct(l.Name, ProductRole.Forward, rows, l.In, l.Out)));
        // Backward runs from the last layer to the first; the first layer's input gradient only when asked for.
        void Backward(List<Layer> net, long rows, bool weights, bool firstInput)
        {
            for (int i = net.Count - 1; i >= 0; i--)
            {
                var l = net[i];
                if (weights) products.Add(new MatrixProduct(l.Name, ProductRole.WeightGradient, l.Out, rows, l.In));
                if (i > 0 || firstInput) products.Add(new MatrixProduct(l.Name, ProductRole.InputGradient, rows, l.Out, l.In));
            }
        }

        switch (game)
        {
            case SimultaneousUpdates s:
            {
                var (g, d) = (Layers(s.G, "G"), Layers(s.D, "D"));
                // G forward; D forward on real and on fake. G's loss goes back through D's fake half (input gradients
                // only) into G; D's loss goes back through both halves (weights, and the inner input gradients).
                Forward(g, batch);
                Forward(d, batch);
                Forward(d, batch);
                Backward(d, batch, weights: false, firstInput: true);
                Backward(g, batch, weights: true, firstInput: false);
                Backward(d, batch, weights: true, firstInput: false);
                Backward(d, batch, weights: true, firstInput: false);
                return products;
            }
            case Algorithm1 a:
            {
                var (g, d) = (Layers(a.G, "G"), Layers(a.D, "D"));
                long dRows = a.D.ImagesIndependent ? 2 * batch : batch;
                for (int i = 0; i < a.K; i++)
                {
                    // A discriminator update: G forward (no gradient); D over real and generated images (one pass of
                    // 2m rows where D allows it, else two of m); D's weight gradients and its inner layers' input
                    // gradients (the images need none).
                    Forward(g, batch);
                    for (long done = 0; done < 2 * batch; done += dRows)
                    {
                        Forward(d, dRows);
                        Backward(d, dRows, weights: true, firstInput: false);
                    }
                }
                // A generator update: G and D forward; D's input gradients (D is frozen: no weight gradients); G's
                // gradients (z needs none).
                Forward(g, batch);
                Forward(d, batch);
                Backward(d, batch, weights: false, firstInput: true);
                Backward(g, batch, weights: true, firstInput: false);
                return products;
            }
            default:
                throw new NotSupportedException($"the matrix products of a {game.GetType().Name} step are not counted");
        }
    }

    sealed record Layer(string Name, long In, long Out);

    /// <summary>
    /// The fully connected layers of <paramref name="net"/>, named <paramref name="prefix"/>1, 2, …, in the order of their
    /// qualified names with numbers compared as numbers (hidden.0, hidden.1, …, output; layers.0.linear, …): the built-in
    /// nets name their layers in the order they run. (TorchSharp registers a module's fields in no documented order.)
    /// </summary>
    static List<Layer> Layers(nn.Module net, string prefix)
    {
        var modules = net.named_modules().ToList();
        if (modules.FirstOrDefault(m => m.module is Conv2d or ConvTranspose2d) is { module: not null } conv)
            throw new NotSupportedException($"{net.GetType().Name}.{conv.name}: convolutions are not counted here");
        return modules.Where(m => m.module is Linear).OrderBy(m => m.name, NaturalOrder.Instance)
            .Select((m, i) => { var w = ((Linear)m.module).weight!; return new Layer($"{prefix}{i + 1}", w.shape[1], w.shape[0]); })
            .ToList();
    }

    /// <summary>Compares dotted names part by part, numbers as numbers ("layers.2" before "layers.10").</summary>
    sealed class NaturalOrder : IComparer<string>
    {
        public static readonly NaturalOrder Instance = new();

        public int Compare(string? a, string? b)
        {
            var (x, y) = ((a ?? "").Split('.'), (b ?? "").Split('.'));
            for (int i = 0; i < Math.Min(x.Length, y.Length); i++)
            {
                int c = long.TryParse(x[i], out var m) && long.TryParse(y[i], out var n) ? m.CompareTo(n) : string.CompareOrdinal(x[i], y[i]);
                if (c != 0) return c;
            }
            return x.Length.CompareTo(y.Length);
        }
    }
}
