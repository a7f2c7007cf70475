using GanSharp.Data;
using GanSharp.Games;
using TorchSharp;
using static TorchSharp.torch;

namespace GanSharp.Experiments;

/// <summary>
/// The translation figure of a run between two domains, on held-out images: each row an image x of X, G(x), F(G(x)), then
/// an image y of Y, F(y), G(F(y)). Where the domains are paired (the emoji), x and y of a row are the same thing in the two
/// domains — each the true counterpart of the other's translation (y of G(x), x of F(y)). What a reader checks: does the
/// translation take the target's style, keep the input's content (the true counterpart says what keeping it looks
/// like), and does the cycle come back?
/// </summary>
public static class TranslationFigure
{
    /// <summary>
    /// <paramref name="rows"/> rows (at most the held-out images) from <paramref name="data"/>'s test images (its validation
    /// images where a domain has no test set), chosen by <paramref name="rng"/>, translated by <paramref name="product"/>:
    /// the images <c>[rows · 6, C, H, W]</c> row by row, and the columns (6).
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
        Tensor[] columns = [xs, gx, f.Translate(gx), ys, fy, g.Translate(fy)];
        return (stack(columns, 1).flatten(0, 1).MoveToOuterDisposeScope(), columns.Length);
    }

    static ImageDataset HeldOut(DatasetSplits splits) => splits.Test ?? splits.Validation;
}
