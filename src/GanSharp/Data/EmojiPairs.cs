using System.Security.Cryptography;
using System.Text;

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
        {
            var hash = SHA256.HashData(Encoding.UTF8.GetBytes(d.Base));
            ((hash[0] % 10) switch { 0 => test, 1 => validation, _ => hash[1] % 2 == 0 ? trainX : trainY }).Add(d.Image);
        }
        return new Split(trainX, trainY, validation, test);
    }
}
