using static TorchSharp.torch;

namespace GanSharp.Evaluation;

/// <summary>
/// Which of the five skin tones an emoji image shows, and which a caption names — the skin-tone accuracy of a text run.
/// Twemoji paints skin in one flat colour a tone (measured from its images: the most common colour of each tone's
/// variants), and its untoned people in yellow:
/// <code>
/// light #F7DECE, medium-light #F3D2A2, medium #D4AB88, medium-dark #AF7E57, dark #7C533E; untoned #FFDC5D
/// </code>
/// An image's tone: each pixel within <see cref="Radius"/> (RGB distance, pixels in [0, 1]) of one of the six colours
/// votes for the nearest; the tone with the most votes wins, none if no pixel votes for a tone or yellow outvotes them all.
/// A caption's tone: the one CLDR tone name it contains ("waving hand: medium skin tone"); none for a caption that
/// names none or two (a couple of two tones).
/// </summary>
public static class SkinTone
{
    /// <summary>The tones' names, as CLDR writes them, light to dark.</summary>
    public static readonly string[] Names = ["light skin tone", "medium-light skin tone", "medium skin tone", "medium-dark skin tone", "dark skin tone"];

    /// <summary>RGB distance within which a pixel counts as a palette colour (about 20 levels of 255 per channel).</summary>
    public const double Radius = 0.08;

    static readonly float[,] Palette =
    {
        { 0xF7, 0xDE, 0xCE }, { 0xF3, 0xD2, 0xA2 }, { 0xD4, 0xAB, 0x88 }, { 0xAF, 0x7E, 0x57 }, { 0x7C, 0x53, 0x3E },
        { 0xFF, 0xDC, 0x5D },   // untoned yellow: the sixth colour, never an answer
    };

    /// <summary>The tone a caption names (0 light … 4 dark), or null for none or more than one.</summary>
    public static int? Named(string caption)
    {
        var text = caption.ToLowerInvariant();
        var found = new HashSet<int>();
        foreach (var i in new[] { 1, 3, 0, 2, 4 })   // the hyphenated names first: "medium-light skin tone" holds "light skin tone"
        {
            int at;
            while ((at = text.IndexOf(Names[i], StringComparison.Ordinal)) >= 0)
            {
                found.Add(i);
                text = text.Remove(at, Names[i].Length);
            }
        }
        return found.Count == 1 ? found.First() : null;
    }

    /// <summary>Each image's tone (0 light … 4 dark), or −1 where none shows; images <c>[n, 3, H, W]</c> in [0, 1].</summary>
    public static int[] Of(Tensor images)
    {
        using var scope = NewDisposeScope();
        var palette = tensor(Enumerable.Range(0, 6).SelectMany(i => Enumerable.Range(0, 3).Select(c => Palette[i, c] / 255f)).ToArray(), [6, 3]).to(images.device);
        var pixels = images.permute(0, 2, 3, 1).reshape(images.shape[0], -1, 3);           // [n, P, 3]
        var distance = (pixels.unsqueeze(2) - palette.view(1, 1, 6, 3)).norm(3);          // [n, P, 6]
        var (nearest, which) = distance.min(2);                                               // [n, P]
        var votes = nn.functional.one_hot(which, 6).mul(nearest.le(Radius).unsqueeze(2)).sum(1);   // [n, 6]
        var counts = votes.to_type(ScalarType.Int64).data<long>().ToArray();
        var tones = new int[images.shape[0]];
        for (int i = 0; i < tones.Length; i++)
        {
            int best = -1;
            long most = 0;
            for (int t = 0; t < 5; t++)
                if (counts[i * 6 + t] > most) (best, most) = (t, counts[i * 6 + t]);
            tones[i] = best >= 0 && most >= counts[i * 6 + 5] ? best : -1;
        }
        return tones;
    }
}
