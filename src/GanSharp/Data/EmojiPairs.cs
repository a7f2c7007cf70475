using System.Security.Cryptography;
using System.Text;
using GanSharp.Configuration;

namespace GanSharp.Data;

/// <summary>
/// The emoji both styles draw (Twitter's and Google's sets of <c>emoji-datasource</c> name every image by its code
/// points, the same name in both), and the one fixed split of CycleGAN's emoji protocol: a tenth of the emoji held out
/// for test, a tenth for validation, and the rest for training cut into two disjoint halves — domain X draws its
/// Twitter images from one half and domain Y its Google images from the other, so that no emoji is seen in both styles
/// in training, and every held-out emoji has its true counterpart in the other style.
/// <para>
/// An emoji's skin-tone variants go where the emoji goes (they are one emoji in six colours: splitting them would put
/// the emoji on both sides). Where an emoji goes is decided by the SHA-256 of its base image's name alone — its first
/// byte modulo 10 (0: test, 1: validation, else training), its second byte's parity (X or Y) — so the split is the same
/// whatever order the catalogues list the emoji in, and a later release's new emoji never move the old ones.
/// </para>
/// </summary>
internal static class EmojiPairs
{
    /// <summary>An image of a style's catalogue: its file name (code points) and the name of its emoji's base image.</summary>
    public readonly record struct Drawn(string Image, string Base);

    /// <summary>Where the paired images go: image names, each drawn in both styles, by part.</summary>
    public sealed record Split(IReadOnlyList<string> TrainX, IReadOnlyList<string> TrainY, IReadOnlyList<string> Validation, IReadOnlyList<string> Test);

    /// <summary>The images both <paramref name="first"/> and <paramref name="second"/> draw, split by their emoji.</summary>
    public static Split Of(IEnumerable<Drawn> first, IEnumerable<Drawn> second)
    {
        var other = second.Select(d => d.Image).ToHashSet(StringComparer.Ordinal);
        var paired = first.Where(d => other.Contains(d.Image)).DistinctBy(d => d.Image).OrderBy(d => d.Image, StringComparer.Ordinal).ToList();
        List<string> trainX = [], trainY = [], validation = [], test = [];
        foreach (var d in paired)
            (PartOf(d.Base) switch { Part.Test => test, Part.Validation => validation, Part.TrainX => trainX, _ => trainY }).Add(d.Image);
        return new Split(trainX, trainY, validation, test);
    }

    /// <summary>Where an emoji goes.</summary>
    public enum Part { TrainX, TrainY, Validation, Test }

    /// <summary>Where the emoji whose base image is <paramref name="baseImage"/> goes (see the class: its name's SHA-256).</summary>
    public static Part PartOf(string baseImage)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(baseImage));
        return (hash[0] % 10) switch { 0 => Part.Test, 1 => Part.Validation, _ => hash[1] % 2 == 0 ? Part.TrainX : Part.TrainY };
    }

    /// <summary>
    /// Both domains of <paramref name="config"/> (the two emoji styles) split as <see cref="Of"/> says: domain X's training
    /// images are its style's drawings of the X half of the training emoji, Y's of the Y half; both validation sets hold
    /// the validation emoji and both test sets the test emoji, in the same order — image i of X's test set and image i of
    /// Y's are the same emoji in the two styles.
    /// </summary>
    /// <exception cref="InputException">Domains that are not the two emoji styles, or an image that cannot be decoded (it would break the pairing).</exception>
    public static (DatasetSplits X, DatasetSplits Y) Load(TwoDomainsConfig config, string? dataDir, IProgress<FetchProgress>? progress)
    {
        if (DatasetCatalog.Find(config.X.Dataset) is not EmojiDataset x || DatasetCatalog.Find(config.Y.Dataset) is not EmojiDataset y || x == y)
            throw new InputException($"data: split emoji-pairs pairs the two emoji styles (x and y: emoji-twitter and emoji-google, either way round), not {config.X.Dataset} and {config.Y.Dataset}");
        string xFolder = x.Ensure(dataDir, progress), yFolder = y.Ensure(dataDir, progress);
        var split = Of(x.Drawn(xFolder), y.Drawn(yFolder));
        var first = Domain(x, xFolder, split.TrainX, split, config.X, progress);
        try { return (first, Domain(y, yFolder, split.TrainY, split, config.Y, progress)); }
        catch
        {
            first.Dispose();
            throw;
        }
    }

    /// <summary>One style's images of <paramref name="train"/>, then of the validation and the test emoji, as its splits.</summary>
    static DatasetSplits Domain(EmojiDataset style, string folder, IReadOnlyList<string> train, Split split, DataConfig prepared, IProgress<FetchProgress>? progress) =>
        Decode(style, folder, train, split.Validation, split.Test, prepared, "every image is needed to pair the two styles", progress);

    /// <summary>
    /// The style's images named in <paramref name="train"/>, <paramref name="validation"/> and <paramref name="test"/>, in
    /// those orders, as splits; an image that cannot be decoded fails the load (<paramref name="why"/> says why it matters).
    /// </summary>
    internal static DatasetSplits Decode(EmojiDataset style, string folder, IReadOnlyList<string> train, IReadOnlyList<string> validation,
                                         IReadOnlyList<string> test, DataConfig prepared, string why, IProgress<FetchProgress>? progress)
    {
        var (files, categories, _) = style.Catalogue(folder);
        var byImage = files.ToDictionary(f => Path.GetFileName(f.Path), StringComparer.Ordinal);
        var ordered = train.Concat(validation).Concat(test).Select(image => byImage[image]).ToList();
        var (all, skipped) = ImageFolder.DecodeInOrder(style.Name, ordered, categories, prepared, progress);
        if (skipped.Count > 0)
        {
            all.Dispose();
            throw new InputException($"{style.Name}: {ImageFolder.Describe(skipped)}; {why}");
        }
        int t = train.Count, v = validation.Count;
        return new DatasetSplits(all.Slice(0, t), all.Slice(t, v), all.Slice(t + v, test.Count), all);
    }
}
