namespace GanSharp.Training;

/// <summary>
/// Floating-point operations of one training iteration, counted from the layer sizes: 2·a·b per image for each
/// a→b matrix product, forward, and backward for the weight gradient and (where an input needs one) the input
/// gradient. Element-wise work (activations, dropout, optimizer) is not counted; it is small beside the products.
/// </summary>
public static class StepFlops
{
    /// <summary>FLOPs of one iteration of <paramref name="config"/> per image of the minibatch.</summary>
    public static double PerImage(GanConfig config)
    {
        var m = config.Model;
        // Matrix products (inputs × outputs) of each net, first layer first.
        var g = new List<(double In, double Out)>();
        double width = m.NoiseDim;
        foreach (var h in m.GeneratorHidden) { g.Add((width, h)); width = h; }
        g.Add((width, (double)m.Channels * m.Height * m.Width));
        var d = new List<(double In, double Out)>();
        width = (double)m.Channels * m.Height * m.Width;
        for (int i = 0; i < m.DiscriminatorLayers; i++) { d.Add((width, (double)m.DiscriminatorUnits * m.DiscriminatorPieces)); width = m.DiscriminatorUnits; }
        d.Add((width, 1));

        double Pass(List<(double In, double Out)> layers, bool skipFirst = false) =>
            layers.Skip(skipFirst ? 1 : 0).Sum(l => 2 * l.In * l.Out);
        double gForward = Pass(g), dForward = Pass(d);
        double gWeights = gForward, gInputs = Pass(g, skipFirst: true);      // z needs no gradient
        double dWeights = dForward, dInputs = Pass(d), dInputsButFirst = Pass(d, skipFirst: true);

        if (config.Train.Update == UpdateOrder.Simultaneous)
            // G forward; D forward on real and fake; D's weight gradient on both halves and input gradients to pass
            // the loss back; G's weight and input gradients.
            return gForward + 2 * dForward + 2 * dWeights + dInputs + 2 * dInputsButFirst + gWeights + gInputs;

        // A discriminator update: G forward (no gradient), D forward on real and fake, D's weight gradients and its
        // inner layers' input gradients (the images themselves need none).
        double discriminatorStep = gForward + 2 * dForward + 2 * dWeights + 2 * dInputsButFirst;
        // A generator update: G and D forward, D's input gradients (D is frozen: no weight gradients), G's gradients.
        double generatorStep = gForward + dForward + dInputs + gWeights + gInputs;
        return config.Train.K * discriminatorStep + generatorStep;
    }
}
