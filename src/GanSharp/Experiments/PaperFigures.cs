using GanSharp.Evaluation;
using TorchSharp;
using static TorchSharp.torch;
using Generator = GanSharp.Models.Generator;

namespace GanSharp.Experiments;

/// <summary>The paper's sample figures, as image batches ready for <see cref="Imaging.ImageGrid"/>.</summary>
internal static class PaperFigures
{
    /// <summary>
    /// Figure 2: <paramref name="rows"/> × <paramref name="columns"/> fair random samples of <paramref name="generator"/>
    /// (no selection), followed in each row by the training image nearest (L2 in pixel space) to the row's last
    /// sample — evidence that the model has not memorised the training set. Returns <c>[rows·(columns + 1), C, H, W]</c>
    /// in row order (the nearest neighbour is column <paramref name="columns"/>), and for each row the index of that
    /// training image and its distance.
    /// </summary>
    public static (Tensor Images, long[] NeighbourIndices, double[] NeighbourDistances) SamplesWithNearestTrainingImages(
        Generator generator, Tensor trainImages, int rows, int columns, torch.Generator rng)
    {
        if (rows < 1 || columns < 1) throw new ArgumentOutOfRangeException(nameof(rows), "rows and columns must be positive");
        using var scope = NewDisposeScope();
        var samples = generator.Sample((long)rows * columns, rng).cpu();                            // [r·c, C, H, W]
        var grid = samples.view(rows, columns, samples.shape[1], samples.shape[2], samples.shape[3]);
        var last = grid.select(1, columns - 1);                                                     // [r, C, H, W]
        var (indices, distances) = NearestNeighbours.Nearest(last.flatten(1), trainImages.flatten(1));
        var neighbours = trainImages.index_select(0, indices.to(trainImages.device)).cpu().unsqueeze(1);  // [r, 1, C, H, W]
        var images = cat([grid, neighbours], 1).flatten(0, 1);                                      // [r·(c+1), C, H, W]
        var ids = indices.data<long>().ToArray();
        var d = distances.sqrt().to_type(ScalarType.Float64).data<double>().ToArray();
        return (images.MoveToOuterDisposeScope(), ids, d);
    }

    /// <summary>
    /// Figure 3: <paramref name="rows"/> linear interpolations in z between random pairs of noise vectors, each
    /// rendered at <paramref name="steps"/> evenly spaced points (both ends included). Returns
    /// <c>[rows·steps, C, H, W]</c> in row order. The prior's support is convex, so every point is a valid z. A conditional
    /// generator draws each row of one class (drawn as in the data).
    /// </summary>
    public static Tensor Interpolations(Generator generator, int rows, int steps, torch.Generator rng)
    {
        if (rows < 1 || steps < 2) throw new ArgumentOutOfRangeException(nameof(steps), "rows must be positive and steps at least 2");
        using var scope = NewDisposeScope();
        var ends = generator.Prior.Sample(2L * rows, generator.NoiseDim, rng).view(rows, 2, generator.NoiseDim);
        var z0 = ends.select(1, 0).unsqueeze(1);                                   // [r, 1, nz]
        var z1 = ends.select(1, 1).unsqueeze(1);                                   // [r, 1, nz]
        var t = linspace(0, 1, steps).view(1, steps, 1);                           // [1, s, 1]
        var z = z0.mul(t.neg().add(1)).add(z1.mul(t)).view(-1, generator.NoiseDim);  // [r·s, nz]: (1 − t)·z0 + t·z1
        var labels = generator.SampleLabels(rows, rng)?.repeat_interleave(steps);  // [r·s]: a conditional G keeps one class per row
        if (!generator.RandomWhenSampling) return generator.Generate(z, labels).cpu().MoveToOuterDisposeScope();
        // G's own draws (dropout masks) fixed along each row: generate step-major, a block per t, and put rows back in order.
        var byStep = generator.GenerateBlocks(z.view(rows, steps, -1).transpose(0, 1).reshape(-1, generator.NoiseDim),
            labels?.view(rows, steps).t().reshape(-1), steps, rng);                 // [s·r, C, H, W]
        return byStep.view(steps, rows, generator.Config.Channels, generator.Config.Height, generator.Config.Width)
            .transpose(0, 1).reshape(-1, generator.Config.Channels, generator.Config.Height, generator.Config.Width)
            .cpu().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// A conditional generator's classes: a row of <paramref name="columns"/> samples per class, in label order, the same
    /// noise down each column (so a column shows one z across the classes). Returns <c>[K·columns, C, H, W]</c>.
    /// </summary>
    /// <exception cref="InputException">An unconditional generator.</exception>
    public static Tensor ClassRows(Generator generator, int columns, torch.Generator rng)
    {
        if (columns < 1) throw new ArgumentOutOfRangeException(nameof(columns), "columns must be positive");
        int k = generator.Classes;
        if (k == 0) throw new InputException("the generator is not conditional (no classes to show)");
        using var scope = NewDisposeScope();
        var z = generator.Prior.Sample(columns, generator.NoiseDim, rng).repeat(k, 1);           // [K·c, nz]
        var labels = arange(k, dtype: ScalarType.Int64).repeat_interleave(columns);              // [K·c]: row r is class r
        return generator.GenerateBlocks(z, labels, k, rng).cpu().MoveToOuterDisposeScope();     // a column's draws alike
    }
}
