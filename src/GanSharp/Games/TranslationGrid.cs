using GanSharp.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace GanSharp.Games;

/// <summary>
/// The sample grid of a game that translates between two domains: a row per fixed input, six columns — an image x of X,
/// G(x), F(G(x)), then an image y of Y, F(y), G(F(y)) — so that a grid shows both translations and both cycles at once.
/// The inputs are training images of each domain, chosen once from the run's seed by a generator of their own.
/// </summary>
public sealed class TranslationGrid : IFixedGrid
{
    /// <summary>Columns of the grid: x, G(x), F(G(x)), y, F(y), G(F(y)).</summary>
    public const int Columns = 6;
    private readonly Tensor x, y;   // [rows, C, H, W] in [0, 1], on the CPU

    /// <summary>About <paramref name="count"/> images (rows of six) from <paramref name="domainX"/> and <paramref name="domainY"/>, chosen by <paramref name="seed"/>.</summary>
    public TranslationGrid(ImageDataset domainX, ImageDataset domainY, int count, long seed)
    {
        int rows = (int)Math.Max(1, Math.Min(count / Columns, Math.Min(domainX.Count, domainY.Count)));
        using var rng = new torch.Generator(unchecked((ulong)(seed * 104_729 + 7)));
        x = Chosen(domainX, rows, rng);
        y = Chosen(domainY, rows, rng);
    }

    static Tensor Chosen(ImageDataset data, int rows, torch.Generator rng)
    {
        using var scope = NewDisposeScope();
        var ids = randperm(data.Count, generator: rng).narrow(0, 0, rows);
        return ImageDataset.ToUnitRange(data.Storage.cpu().index_select(0, ids)).MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    public (Tensor Images, int? Columns) Draw(GameProduct product)
    {
        var g = product.Translation(TranslationDirection.XToY, "the sample grid");
        var f = product.Translation(TranslationDirection.YToX, "the sample grid");
        using var scope = NewDisposeScope();
        var gx = g.Translate(x);
        var fy = f.Translate(y);
        var columns = new[] { x, gx, f.Translate(gx), y, fy, g.Translate(fy) };       // 6 × [rows, C, H, W]
        return (stack(columns, 1).flatten(0, 1).MoveToOuterDisposeScope(), Columns);  // [rows·6, C, H, W], row by row
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        x.Dispose();
        y.Dispose();
    }
}
