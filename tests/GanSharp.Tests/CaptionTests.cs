using GanSharp.Captions;
using GanSharp.Data;
using Xunit.Abstractions;
using static GanSharp.Captions.EmojiCaptions;

namespace GanSharp.Tests;

/// <summary>Captions of emoji: composed from emoji.json and CLDR, on hand-written entries and on the real files.</summary>
public class CaptionTests(ITestOutputHelper output)
{
    static readonly Dictionary<string, Annotation> Cldr = new()
    {
        ["👋"] = new("waving hand", ["bye", "hand", "wave"]),
        ["🏽"] = new("medium skin tone", ["4", "medium", "skin", "tone"]),
        ["🏻"] = new("light skin tone", ["1–2", "light", "skin", "tone"]),
        ["👨"] = new("man", ["adult", "man"]),
        ["💏"] = new("kiss", ["couple", "kiss"]),
        ["☺"] = new("smiling face", ["face", "relaxed", "smile"]),
    };

    [Fact]
    public void A_base_emoji_has_cldrs_name_its_own_name_its_short_names_and_cldrs_keywords()
    {
        var wave = new EmojiEntry("1f44b.png", "People & Body", "WAVING HAND SIGN", 170, "1f44b.png", "1F44B", ["wave", "waving_hand"], []);
        Assert.Equal(["waving hand", "waving hand sign", "wave", "bye, hand, wave"], Of(wave, Cldr));   // "waving hand" (a short name) only once
    }

    [Fact]
    public void A_skin_tone_variant_names_its_tone_as_cldr_names_such_sequences()
    {
        var wave = new EmojiEntry("1f44b-1f3fd.png", "People & Body", "WAVING HAND SIGN (1F3FD)", 170, "1f44b.png", "1F44B-1F3FD", ["wave"], ["1F3FD"]);
        Assert.Equal(["waving hand: medium skin tone", "waving hand sign: medium skin tone", "wave: medium skin tone", "bye, hand, wave, medium skin tone"],
                     Of(wave, Cldr));
        // Two people, two tones: after a name with a colon, a comma; each tone by CLDR's name (or the fixed one where CLDR lacks it).
        var kiss = new EmojiEntry("1f468-1f3fb-200d-2764-fe0f-200d-1f48b-200d-1f468-1f3ff.png", "Smileys & Emotion", "KISS: MAN, MAN (1F3FB-1F3FF)", 1,
                                  "1f468-200d-2764-fe0f-200d-1f48b-200d-1f468.png", "1F468-1F3FB-200D-2764-FE0F-200D-1F48B-200D-1F468-1F3FF", ["man-kiss-man"], ["1F3FB", "1F3FF"]);
        Assert.Equal(["kiss: man, man, light skin tone, dark skin tone", "man kiss man: light skin tone, dark skin tone"], Of(kiss, Cldr));
    }

    [Fact]
    public void Cldr_keys_drop_the_variation_selector_and_unannotated_emoji_keep_emoji_json_captions()
    {
        Assert.Equal("☺", Key("263A-FE0F"));
        var smiling = new EmojiEntry("263a-fe0f.png", "Smileys & Emotion", "WHITE SMILING FACE", 8, "263a-fe0f.png", "263A-FE0F", ["relaxed"], []);
        Assert.Equal(["smiling face", "white smiling face", "relaxed", "face, relaxed, smile"], Of(smiling, Cldr));
        var flag = new EmojiEntry("1f1e8-1f1ee.png", "Flags", "Côte d’Ivoire Flag", 1500, "1f1e8-1f1ee.png", "1F1E8-1F1EE", ["flag-ci"], []);
        Assert.Equal(["côte d’ivoire flag", "flag ci"], Of(flag, Cldr));
    }

    [Fact]
    public void A_file_that_is_not_cldrs_annotations_is_refused_naming_it()
    {
        var path = Path.Combine(TestSupport.TempFolder(), "annotations.json");
        File.WriteAllText(path, "{\"annotations\": []}");
        Assert.StartsWith($"{path}: not CLDR's annotations.json", Assert.Throws<InputException>(() => Read(path)).Message);
    }

    /// <summary>The real files (CI fetches both): every Twitter emoji has captions, and what share has CLDR's.</summary>
    [Fact]
    public void Every_twitter_emoji_has_captions()
    {
        if (!EmojiDataset.Twitter.IsCached() || !DatasetCatalog.IsCached(EmojiCaptions.Cldr))
        {
            Assert.NotEqual("1", Environment.GetEnvironmentVariable("GANSHARP_REQUIRE_DATA"));
            return;
        }
        var annotations = EmojiCaptions.Cldr.Load();
        var emoji = EmojiDataset.Twitter.Described(((ICatalogEntry)EmojiDataset.Twitter).Folder());
        var captions = emoji.Select(e => Of(e, annotations)).ToList();
        Assert.Equal(3_786, emoji.Count);
        Assert.All(captions, c => Assert.InRange(c.Count, 1, 8));
        output.WriteLine(string.Join(", ", captions.GroupBy(c => c.Count).OrderBy(g => g.Key).Select(g => $"{g.Count():N0} emoji with {g.Key}")));
        foreach (var (e, c) in emoji.Zip(captions).Where(p => p.Second.Count == 1).Take(8)) output.WriteLine($"one caption: {e.Image} {e.Name}: {c[0]}");
        var wave = captions[emoji.ToList().FindIndex(e => e.Image == "1f44b-1f3fd.png")];
        Assert.Equal("waving hand: medium skin tone", wave[0]);
        output.WriteLine($"{captions.Sum(c => c.Count):N0} captions, {captions.SelectMany(c => c).Distinct().Count():N0} distinct; " +
                         $"{emoji.Count(e => annotations.ContainsKey(Key(e.Tones.Count == 0 ? e.Unified : e.Base[..^4].ToUpperInvariant()))):N0} emoji annotated by CLDR");
        foreach (var i in new[] { 0, 100, 1000, 2000, 3000 }) output.WriteLine($"{emoji[i].Image}: {string.Join(" | ", captions[i])}");
    }

    /// <summary>An encoder that counts what it embeds: text i's vector is (length, first character, 1, …) normalised.</summary>
    sealed class CountingEncoder(string id = "counting 1") : TextEncoder
    {
        public List<string> Embedded { get; } = [];
        public override string Id => id;
        public override int Dimension => 3;
        protected override TorchSharp.torch.Tensor EncodeChecked(IReadOnlyList<string> texts)
        {
            Embedded.AddRange(texts);
            var values = texts.SelectMany(t => new[] { (float)t.Length, t[0], 1f }).ToArray();
            return TorchSharp.torch.tensor(values, [texts.Count, 3]);
        }
        public override void Dispose() { }
    }

    [Fact]
    public void Captions_are_embedded_once_and_a_changed_caption_is_embedded_again()
    {
        var folder = TestSupport.TempFolder();
        var encoder = new CountingEncoder();
        var cache = new EmbeddingCache(encoder, folder);
        using var first = cache.Embed(["waving hand", "wave", "waving hand"]);
        Assert.Equal(["waving hand", "wave"], encoder.Embedded);                          // a repeated caption once
        Assert.Equal(new float[] { 11, 'w', 1, 4, 'w', 1, 11, 'w', 1 }, first.data<float>().ToArray());
        encoder.Embedded.Clear();
        using var again = new EmbeddingCache(encoder, folder).Embed(["wave", "waving hand"]);   // a new cache object: from the file
        Assert.Empty(encoder.Embedded);
        Assert.Equal(new float[] { 4, 'w', 1, 11, 'w', 1 }, again.data<float>().ToArray());
        using var changed = cache.Embed(["waving hands", "wave"]);
        Assert.Equal(["waving hands"], encoder.Embedded);                                 // only the changed one
        Assert.Equal(1, cache.LastEmbedded);
        encoder.Embedded.Clear();
        using var other = new EmbeddingCache(new CountingEncoder("counting 2"), folder).Embed(["wave"]);
        Assert.Equal(2, Directory.GetFiles(folder, "*.bin").Length);                      // another encoder version: its own file
    }

    [Fact]
    public void A_damaged_cache_is_rebuilt_not_trusted()
    {
        var folder = TestSupport.TempFolder();
        var encoder = new CountingEncoder();
        var cache = new EmbeddingCache(encoder, folder);
        using (cache.Embed(["wave", "hand"])) { }
        var bytes = File.ReadAllBytes(cache.Path);
        bytes[40] ^= 0x10;                                                                 // one bit of the entries
        File.WriteAllBytes(cache.Path, bytes);
        encoder.Embedded.Clear();
        var warnings = new List<string>();
        using var rebuilt = cache.Embed(["wave", "hand"], progress: new Progress(warnings));
        Assert.Equal(["wave", "hand"], encoder.Embedded);
        Assert.Contains(warnings, w => w.Contains("checksum does not match"));
        Assert.Equal(new float[] { 4, 'w', 1, 4, 'h', 1 }, rebuilt.data<float>().ToArray());
    }

    sealed class Progress(List<string> items) : IProgress<FetchProgress>
    {
        public void Report(FetchProgress value) => items.Add(value.Item);
    }

    [Fact]
    public void A_bad_caption_is_refused_before_anything_is_embedded_or_cached()
    {
        var folder = TestSupport.TempFolder();
        var encoder = new CountingEncoder();
        var e = Assert.Throws<InputException>(() => new EmbeddingCache(encoder, folder).Embed(["wave", " "], "1f44b.txt"));
        Assert.Equal("1f44b.txt 2: empty text; give a few words, e.g. \"a cat face with heart eyes\"", e.Message);
        Assert.Empty(encoder.Embedded);
        Assert.Empty(Directory.GetFiles(folder));
    }

    /// <summary>
    /// The real captioned emoji (CI fetches them and warms the embedding cache with <c>gan data export --captions</c>):
    /// split by emoji, so no test emoji is in training in any skin tone and no test caption is a training caption;
    /// every image's captions embedded and of unit length.
    /// </summary>
    [Fact]
    public void Captioned_emoji_hold_out_whole_emoji_and_their_names()
    {
        if (!EmojiDataset.Twitter.IsCached() || !DatasetCatalog.IsCached(EmojiCaptions.Cldr))
        {
            Assert.NotEqual("1", Environment.GetEnvironmentVariable("GANSHARP_REQUIRE_DATA"));
            return;
        }
        using var data = CaptionedData.Load(new Configuration.CaptionedConfig { Images = new() { Dataset = "emoji-twitter", ImageSize = 16 } });
        Assert.Equal(3_786, data.Images.Train.Count + data.Images.Validation.Count + data.Images.Test!.Count);
        Assert.Equal(data.Images.Test.Count, data.Test.Texts.Count);
        Assert.InRange(data.Images.Test.Count, 250, 550);                                   // about a tenth
        var train = data.Train.Texts.SelectMany(t => t).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var shared = data.Test.Texts.SelectMany(t => t).Where(train.Contains).ToList();
        output.WriteLine($"{data.Train.Texts.Count:N0} / {data.Validation.Texts.Count:N0} / {data.Test.Texts.Count:N0} images; test captions also in training: {string.Join(" | ", shared)}");
        Assert.Empty(shared);
        Assert.Equal(4, data.CaptionsPerStep);
        using var norms = data.Train.Embeddings.norm(2);                                  // [N, K]: 1 where a caption is, 0 beyond
        using var expected = TorchSharp.torch.arange(data.Train.Embeddings.shape[1]).unsqueeze(0).lt(data.Train.Counts.unsqueeze(1)).to_type(TorchSharp.torch.ScalarType.Float32);
        Assert.True(norms.allclose(expected, rtol: 0, atol: 1e-5));
    }
}
