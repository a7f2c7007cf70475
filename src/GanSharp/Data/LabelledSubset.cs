using static TorchSharp.torch;

namespace GanSharp.Data;

/// <summary>
/// The labelled part of a semi-supervised run: the same number of images of each class, chosen by a seed as Salimans et
/// al.'s released code chooses them — the training set in one random order, then the first n of each class in it.
/// </summary>
public static class LabelledSubset
{
    /// <summary>
    /// Rows of <paramref name="labels"/> (<c>[N]</c>, classes 0 … K − 1): <paramref name="perClass"/> of each of the
    /// <paramref name="classes"/> classes, class by class, chosen by <paramref name="seed"/> alone.
    /// </summary>
    /// <exception cref="InputException">A class with fewer than <paramref name="perClass"/> images.</exception>
    public static long[] Indices(Tensor labels, int classes, int perClass, long seed)
    {
        if (perClass < 1) throw new InputException($"the labelled images per class must be at least 1 (got {perClass})");
        using var rng = new TorchSharp.torch.Generator(unchecked((ulong)(seed * 7_919 + 11)));
        using var order = randperm(labels.shape[0], generator: rng);                      // [N]
        using var cpuLabels = labels.cpu();
        var y = cpuLabels.data<long>().ToArray();
        var taken = new List<long>[classes];
        for (int k = 0; k < classes; k++) taken[k] = new List<long>(perClass);
        foreach (var row in order.data<long>())
            if (y[row] >= 0 && y[row] < classes && taken[y[row]].Count < perClass) taken[y[row]].Add(row);
        var short_ = Enumerable.Range(0, classes).FirstOrDefault(k => taken[k].Count < perClass, -1);
        if (short_ >= 0)
            throw new InputException($"class {short_} has {taken[short_].Count} training images, fewer than the {perClass} labelled ones asked for");
        return taken.SelectMany(t => t).ToArray();
    }
}
