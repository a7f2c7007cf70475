using GanSharp.Data;
using GanSharp.Models;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace GanSharp.Experiments;

/// <summary>
/// The text figure of a text-to-image run (the paper's Figures 3–4 in kind): a row per caption of a held-out emoji — the
/// real emoji, then Stage-I's images for its caption (shown at the full side, nearest-neighbour), then Stage-II's, a
/// column per fixed noise (the same z down each column, so the rows differ by their text alone). What a reader checks:
/// does each stage draw something of the caption, and does Stage-II refine Stage-I's image rather than ignore it?
/// </summary>
public static class TextFigure
{
    /// <summary>
    /// <paramref name="rows"/> captions of <paramref name="data"/>'s test emoji (one caption of each emoji, chosen by
    /// <paramref name="rng"/>), each drawn with <paramref name="columns"/> noises: the images
    /// <c>[rows · (1 + stages · columns), C, H, W]</c> row by row, the columns of a row, and each row's caption.
    /// </summary>
    public static (Tensor Images, int Columns, IReadOnlyList<string> Captions) Rows(TextToImage t2i, CaptionedData data, int rows, int columns, torch.Generator rng)
    {
        var test = data.Images.Test ?? throw new InputException("the text figure needs test emoji");
        using var scope = NewDisposeScope();
        long n = Math.Min(rows, test.Count);
        var pick = randperm(test.Count, generator: rng).narrow(0, 0, n).data<long>().ToArray();
        var counts = data.Test.Counts.data<long>().ToArray();
        var chosen = pick.Select(i => (Image: i, Caption: (long)Math.Floor(rand(1, generator: rng).item<float>() * counts[i]))).ToList();
        long k = data.Test.Embeddings.shape[1];
        var text = data.Test.Embeddings.view(-1, data.Test.Embeddings.shape[2]).index_select(0, tensor(chosen.Select(c => c.Image * k + c.Caption).ToArray()));
        var z = t2i.Prior.Sample(columns, t2i.Config.NoiseDim, rng).repeat(n, 1);          // [n·columns, NoiseDim]: a column's noise alike
        var (low, high) = t2i.Draw(text.repeat_interleave(columns, 0), z, rng);
        var real = ImageDataset.ToUnitRange(test.Storage.index_select(0, tensor(pick)));      // [n, C, H, W]
        long side = real.shape[2];
        var lowShown = F.interpolate(low, [side, side], mode: InterpolationMode.Nearest).view(n, columns, real.shape[1], side, side);
        var parts = new List<Tensor> { real.unsqueeze(1), lowShown };
        if (high is not null) parts.Add(high.view(n, columns, real.shape[1], side, side));
        var grid = cat(parts, 1);                                                              // [n, 1 + stages·columns, C, H, W]
        var captions = chosen.Select(c => data.Test.Texts[(int)c.Image][(int)c.Caption]).ToList();
        return (grid.flatten(0, 1).MoveToOuterDisposeScope(), (int)grid.shape[1], captions);
    }
}
