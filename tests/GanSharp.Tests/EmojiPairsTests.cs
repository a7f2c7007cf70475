using GanSharp.Data;
using static GanSharp.Data.EmojiPairs;

namespace GanSharp.Tests;

/// <summary>CycleGAN's emoji split: pairs drawn in both styles, held out by emoji, training halves that never share one.</summary>
public class EmojiPairsTests
{
    /// <summary>1,000 emoji, every third with two skin-tone variants; one style lacks some of them.</summary>
    static List<Drawn> Catalogue(Func<int, bool> draws)
    {
        var list = new List<Drawn>();
        for (int i = 0; i < 1000; i++)
        {
            if (!draws(i)) continue;
            var b = $"{0x1f000 + i:x}.png";
            list.Add(new(b, b));
            if (i % 3 == 0) foreach (var tone in new[] { "1f3fb", "1f3ff" }) list.Add(new($"{0x1f000 + i:x}-{tone}.png", b));
        }
        return list;
    }

    [Fact]
    public void Only_images_both_styles_draw_are_paired_and_each_goes_to_exactly_one_part()
    {
        var twitter = Catalogue(i => i % 50 != 7);                                        // 20 emoji only Google draws
        var google = Catalogue(i => i % 40 != 3);                                         // 25 only Twitter draws
        var split = Of(twitter, google);
        var all = split.TrainX.Concat(split.TrainY).Concat(split.Validation).Concat(split.Test).ToList();
        var expected = twitter.Select(d => d.Image).Intersect(google.Select(d => d.Image)).Order(StringComparer.Ordinal);
        Assert.Equal(expected, all.Order(StringComparer.Ordinal));                        // every pair once, no image of one style alone
        Assert.Equal(all.Count, all.Distinct().Count());
    }

    [Fact]
    public void An_emoji_and_its_variants_go_together_so_no_emoji_is_on_two_sides()
    {
        var catalogue = Catalogue(_ => true);
        var split = Of(catalogue, catalogue);
        string BaseOf(string image) => catalogue.Single(d => d.Image == image).Base;
        var parts = new[] { split.TrainX, split.TrainY, split.Validation, split.Test }.Select(p => p.Select(BaseOf).ToHashSet()).ToArray();
        for (int a = 0; a < 4; a++)
            for (int b = a + 1; b < 4; b++) Assert.Empty(parts[a].Intersect(parts[b]));      // X and Y disjoint; held-out emoji nowhere else
        Assert.InRange(parts[3].Count, 70, 130);                                          // about a tenth of 1,000 emoji each
        Assert.InRange(parts[2].Count, 70, 130);
        Assert.InRange(parts[0].Count, 340, 460);                                         // and about 40% in each training half
        Assert.InRange(parts[1].Count, 340, 460);
    }

    [Fact]
    public void The_split_depends_on_the_emoji_alone_not_on_order_or_on_other_emoji()
    {
        var catalogue = Catalogue(_ => true);
        var split = Of(catalogue, catalogue);
        var reversed = Enumerable.Reverse(catalogue).ToList();
        Assert.Equal(split.Test, Of(reversed, reversed).Test);                            // order does not matter
        var fewer = catalogue.Where(d => !d.Base.StartsWith("1f0", StringComparison.Ordinal)).ToList();   // a release without some emoji
        var smaller = Of(fewer, fewer);
        Assert.Equal(split.TrainX.Where(fewer.Select(d => d.Image).Contains), smaller.TrainX);             // the others stay where they were
        Assert.Equal(split.Test.Where(fewer.Select(d => d.Image).Contains), smaller.Test);
    }
}
