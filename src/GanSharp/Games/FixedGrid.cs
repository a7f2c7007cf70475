using TorchSharp;
using static TorchSharp.torch;
using Generator = GanSharp.Models.Generator;

namespace GanSharp.Games;

/// <summary>
/// The fixed inputs of a run's sample grids (<c>samples/</c>), chosen once from the run's seed, apart from every random
/// stream training draws from, and drawn through the players at every grid — so that the grids of a run differ by
/// training alone. Each game supplies its own (<see cref="Game.CreateGrid"/>): noise for a generator of noise, test
/// images for a translator, captions for a text-to-image game.
/// </summary>
public interface IFixedGrid : IDisposable
{
    /// <summary>The grid's images <c>[N, C, H, W]</c> in [0, 1] from <paramref name="product"/>, and its columns (null: square).</summary>
    (Tensor Images, int? Columns) Draw(GameProduct product);
}

/// <summary>
/// The grid of a generator of noise: the same z for every grid; a conditional G's grid has a row per class (the row's
/// label, the same noise down each column). A G that samples with its own randomness (dropout masks) draws them from a
/// generator of a fixed seed, the same for every column.
/// </summary>
public sealed class NoiseGrid : IFixedGrid
{
    private readonly Tensor noise;     // [count, NoiseDim]: the same z for every grid
    private readonly Tensor? labels;   // [count] for a conditional G: a row of the grid per class
    private readonly int? columns;     // a conditional G's grid: the samples of a class per row
    private readonly ulong drawsSeed;

    /// <summary>About <paramref name="count"/> inputs of <paramref name="g"/> (a multiple of its classes), from <paramref name="seed"/>.</summary>
    public NoiseGrid(Generator g, int count, long seed)
    {
        using var rng = new torch.Generator(unchecked((ulong)(seed * 104_729 + 3)));
        int classes = g.Classes, perClass = Math.Max(1, count / Math.Max(classes, 1));
        columns = classes > 0 ? perClass : null;
        noise = classes > 0
            ? g.Prior.Sample(perClass, g.NoiseDim, rng).repeat(classes, 1)     // [K·per, NoiseDim]
            : g.Prior.Sample(count, g.NoiseDim, rng);
        labels = classes > 0 ? arange(classes, dtype: ScalarType.Int64).repeat_interleave(perClass) : null;  // [K·per]
        drawsSeed = unchecked((ulong)(seed * 104_729 + 5));
    }

    /// <inheritdoc/>
    public (Tensor Images, int? Columns) Draw(GameProduct product)
    {
        var g = product.Samples("the sample grid");
        using var draws = new torch.Generator(drawsSeed);
        return (g.GenerateBlocks(noise, labels, Math.Max(g.Classes, 1), draws), columns);  // a column's draws alike
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        noise.Dispose();
        labels?.Dispose();
    }
}
