namespace GanSharp.Training;

/// <summary>Why a matrix product runs: the three products of a linear layer y = x·Wᵀ + b in training.</summary>
public enum ProductRole
{
    /// <summary>y = x·Wᵀ: [rows, in] × [in, out].</summary>
    Forward,
    /// <summary>∂W = gᵀ·x: [out, rows] × [rows, in].</summary>
    WeightGradient,
    /// <summary>∂x = g·W: [rows, out] × [out, in].</summary>
    InputGradient,
}

/// <summary>One matrix product of a training iteration: [Rows, Inner] × [Inner, Columns], 2·Rows·Inner·Columns FLOPs.</summary>
public readonly record struct MatrixProduct(string Layer, ProductRole Role, long Rows, long Inner, long Columns)
{
    /// <summary>Floating-point operations (a multiply and an add per term).</summary>
    public double Flops => 2.0 * Rows * Inner * Columns;
}

/// <summary>
/// The matrix products of one training iteration, listed from the layer sizes: each a→b layer over r rows costs a
/// forward product, and in the backward pass a weight-gradient product and (where its input needs a gradient) an
/// input-gradient product, each 2·r·a·b FLOPs. Element-wise work (activations, dropout, optimizer) is not counted.
/// </summary>
public static class StepFlops
{
    /// <summary>FLOPs of one iteration of <paramref name="config"/> per image of the minibatch.</summary>
    public static double PerImage(GanConfig config) => Products(config).Sum(p => p.Flops) / config.Train.Batch;

    /// <summary>Every matrix product of one iteration of <paramref name="config"/>, in the order the step runs them.</summary>
    public static IReadOnlyList<MatrixProduct> Products(GanConfig config)
    {
        var m = config.Model;
        long batch = config.Train.Batch;
        var g = new List<(string Name, long In, long Out)>();
        long width = m.NoiseDim;
        foreach (var h in m.GeneratorHidden) { g.Add(($"G{g.Count + 1}", width, h)); width = h; }
        g.Add(($"G{g.Count + 1}", width, (long)m.Channels * m.Height * m.Width));
        var d = new List<(string Name, long In, long Out)>();
        width = (long)m.Channels * m.Height * m.Width;
        for (int i = 0; i < m.DiscriminatorLayers; i++) { d.Add(($"D{i + 1}", width, (long)m.DiscriminatorUnits * m.DiscriminatorPieces)); width = m.DiscriminatorUnits; }
        d.Add(($"D{d.Count + 1}", width, 1));

        var products = new List<MatrixProduct>();
        void Forward(List<(string Name, long In, long Out)> net, long rows) =>
            products.AddRange(net.Select(l => new MatrixProduct(l.Name, ProductRole.Forward, rows, l.In, l.Out)));
        // Backward runs from the last layer to the first; the first layer's input gradient only when asked for.
        void Backward(List<(string Name, long In, long Out)> net, long rows, bool weights, bool firstInput)
        {
            for (int i = net.Count - 1; i >= 0; i--)
            {
                var l = net[i];
                if (weights) products.Add(new MatrixProduct(l.Name, ProductRole.WeightGradient, l.Out, rows, l.In));
                if (i > 0 || firstInput) products.Add(new MatrixProduct(l.Name, ProductRole.InputGradient, rows, l.Out, l.In));
            }
        }

        if (config.Train.Update == UpdateOrder.Simultaneous)
        {
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
        for (int i = 0; i < config.Train.K; i++)
        {
            // A discriminator update: G forward (no gradient); one D pass over real and generated images (2m rows);
            // D's weight gradients and its inner layers' input gradients (the images need none).
            Forward(g, batch);
            Forward(d, 2 * batch);
            Backward(d, 2 * batch, weights: true, firstInput: false);
        }
        // A generator update: G and D forward; D's input gradients (D is frozen: no weight gradients); G's gradients
        // (z needs none).
        Forward(g, batch);
        Forward(d, batch);
        Backward(d, batch, weights: false, firstInput: true);
        Backward(g, batch, weights: true, firstInput: false);
        return products;
    }
}
