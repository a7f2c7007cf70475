using GanSharp.Data;
using GanSharp.Games;
using TorchSharp;
using static TorchSharp.torch;

namespace GanSharp.Experiments;

/// <summary>
/// The translation figure of a run between two domains, on held-out images: each row an image x of X, G(x), F(G(x)) and
/// — where the domains are paired (the emoji) — the true y of the same thing, then the same the other way: y, F(y),
/// G(F(y)) and the true x. What a reader checks: does the translation take the target's style, keep the input's content
/// (the true counterpart says what keeping it looks like), and does the cycle come back?
/// </summary>
public static class TranslationFigure
{
    /// <summary>
    /// <paramref name="rows"/> rows (at most the held-out images) from <paramref name="data"/>'s test images (its validation
    /// images where a domain has no test set), chosen by <paramref name="rng"/>, translated by <paramref name="product"/>:
    /// the images <c>[rows · columns, C, H, W]</c> row by row, and the columns (8 with true counterparts, else 6).
    /// </summary>
    /// <exception cref="InputException">A product that does not translate both ways.</exception>
    public static (Tensor Images, int Columns) Rows(GameProduct product, TwoDomainData data, int rows, torch.Generator rng)
    {
        var g = product.Translation(TranslationDirection.XToY, "the translation figure");
        var f = product.Translation(TranslationDirection.YToX, "the translation figure");
        using var scope = NewDisposeScope();
        var (x, y) = (HeldOut(data.X), HeldOut(data.Y));
        long n = Math.Min(rows, Math.Min(x.Count, y.Count));
        var pick = randperm(Math.Min(x.Count, y.Count), generator: rng).narrow(0, 0, n);   // paired: the same emoji in both halves of a row
        var xs = ImageDataset.ToUnitRange(x.Storage.index_select(0, pick));
        var ys = ImageDataset.ToUnitRange(y.Storage.index_select(0, pick));
        var gx = g.Translate(xs);
        var fy = f.Translate(ys);
        Tensor[] columns = data.Paired
            ? [xs, gx, f.Translate(gx), ys, ys, fy, g.Translate(fy), xs]
            : [xs, gx, f.Translate(gx), ys, fy, g.Translate(fy)];
        return (stack(columns, 1).flatten(0, 1).MoveToOuterDisposeScope(), columns.Length);
    }

    static ImageDataset HeldOut(DatasetSplits splits) => splits.Test ?? splits.Validation;
}
