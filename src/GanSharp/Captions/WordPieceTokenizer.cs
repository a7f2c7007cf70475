using System.Globalization;
using System.Text;

namespace GanSharp.Captions;

/// <summary>
/// BERT's uncased tokenizer (Devlin et al. 2019; the <c>BertNormalizer</c>, <c>BertPreTokenizer</c> and <c>WordPiece</c>
/// of all-MiniLM-L6-v2's own tokenizer.json), written out:
/// <list type="number">
/// <item>clean: drop NUL, U+FFFD and control characters, turn every whitespace character into a space;</item>
/// <item>put spaces around every CJK ideograph (each is a word of its own);</item>
/// <item>split on whitespace; lower-case each word, then strip accents (NFD, combining marks dropped: "Côte" → "cote");</item>
/// <item>split every punctuation character off as a word of its own (ASCII's non-alphanumeric printables, and Unicode's P* categories);</item>
/// <item>WordPiece: each word as the longest vocabulary prefix, then the longest "##"-prefixed continuations, greedily;
///       a word that cannot be covered (or is longer than 100 characters) becomes [UNK] as a whole.</item>
/// </list>
/// Ids are wrapped in [CLS] … [SEP] and cut to <see cref="MaxTokens"/> word pieces (sentence-transformers' limit for this
/// model: 256). The package's own C# wrapper (<c>BERTTokenizers</c>) departs from this on non-ASCII text — it keeps
/// accents, so "Côte" became "c [UNK] d" — and the model was trained with this one, so this one is used (docs/models.md).
/// </summary>
public sealed class WordPieceTokenizer
{
    private readonly Dictionary<string, int> vocabulary;
    private readonly int unknown, first, last;

    /// <summary>Word pieces a sentence is cut to, [CLS] and [SEP] included.</summary>
    public int MaxTokens { get; }

    /// <summary>A tokenizer of <paramref name="vocabulary"/> (vocab.txt: one word piece a line, its id its line number).</summary>
    /// <exception cref="InputException">A vocabulary without [UNK], [CLS] or [SEP].</exception>
    public WordPieceTokenizer(IReadOnlyList<string> vocabulary, int maxTokens = 256)
    {
        this.vocabulary = new Dictionary<string, int>(vocabulary.Count, StringComparer.Ordinal);
        for (int i = 0; i < vocabulary.Count; i++) this.vocabulary.TryAdd(vocabulary[i], i);
        int Id(string token) => this.vocabulary.TryGetValue(token, out var id) ? id : throw new InputException($"the vocabulary has no {token}");
        (unknown, first, last, MaxTokens) = (Id("[UNK]"), Id("[CLS]"), Id("[SEP]"), maxTokens);
    }

    /// <summary>The ids of <paramref name="text"/>: [CLS], its word pieces (at most <see cref="MaxTokens"/> − 2), [SEP].</summary>
    public int[] Encode(string text)
    {
        var ids = new List<int> { first };
        foreach (var word in Words(text))
        {
            Pieces(word, ids);
            if (ids.Count >= MaxTokens - 1) break;
        }
        if (ids.Count > MaxTokens - 1) ids.RemoveRange(MaxTokens - 1, ids.Count - (MaxTokens - 1));
        ids.Add(last);
        return [.. ids];
    }

    /// <summary>The word pieces of <paramref name="text"/> as strings (for messages and tests).</summary>
    public IReadOnlyList<string> Tokens(string text)
    {
        var byId = vocabulary.ToDictionary(p => p.Value, p => p.Key);
        return [.. Encode(text).Select(id => byId[id])];
    }

    /// <summary>Steps 1–4: the words of <paramref name="text"/>, lower-case, without accents, punctuation split off.</summary>
    public static IEnumerable<string> Words(string text)
    {
        var spaced = new StringBuilder(text.Length + 8);
        foreach (var rune in text.EnumerateRunes())
        {
            int c = rune.Value;
            if (c == 0 || c == 0xFFFD) continue;
            if (IsWhitespace(rune)) { spaced.Append(' '); continue; }
            if (IsControl(rune)) continue;
            if (IsCjk(c)) spaced.Append(' ').Append(rune.ToString()).Append(' ');
            else spaced.Append(rune.ToString());
        }
        foreach (var word in spaced.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var plain = StripAccents(word.ToLowerInvariant());
            var current = new StringBuilder();
            foreach (var rune in plain.EnumerateRunes())
                if (IsPunctuation(rune))
                {
                    if (current.Length > 0) { yield return current.ToString(); current.Clear(); }
                    yield return rune.ToString();
                }
                else current.Append(rune.ToString());
            if (current.Length > 0) yield return current.ToString();
        }
    }

    /// <summary>Step 5 for one word, appended to <paramref name="ids"/>.</summary>
    void Pieces(string word, List<int> ids)
    {
        if (word.Length > 100) { ids.Add(unknown); return; }
        int mark = ids.Count, start = 0;
        while (start < word.Length)
        {
            int end = word.Length, found = -1;
            while (end > start)
            {
                if (char.IsHighSurrogate(word[end - 1])) { end--; continue; }   // never split a surrogate pair
                var piece = start == 0 ? word[start..end] : "##" + word[start..end];
                if (vocabulary.TryGetValue(piece, out found)) break;
                found = -1;
                end--;
            }
            if (found < 0)
            {
                ids.RemoveRange(mark, ids.Count - mark);
                ids.Add(unknown);
                return;
            }
            ids.Add(found);
            start = end;
        }
    }

    /// <summary>
    /// NFD without nonspacing marks, as BERT strips accents ("Côte" → "Cote"), from a table rather than
    /// <see cref="string.Normalize(NormalizationForm)"/>: with invariant globalization (the gan tool) .NET has no ICU and
    /// normalizes nothing. The table (Decompositions.txt: each line a character, then what it becomes) holds every BMP
    /// character but the Hangul syllables whose result differs from the character; the syllables decompose by Unicode's
    /// arithmetic (§3.12); everything else decomposes to itself. A test regenerates the table from ICU.
    /// </summary>
    public static string StripAccents(string word)
    {
        if (word.All(char.IsAscii)) return word;
        var kept = new StringBuilder(word.Length);
        foreach (var ch in word)
        {
            if (ch is >= '\uAC00' and <= '\uD7A3')
            {
                int s = ch - 0xAC00;
                kept.Append((char)(0x1100 + s / 588)).Append((char)(0x1161 + s % 588 / 28));
                if (s % 28 != 0) kept.Append((char)(0x11A7 + s % 28));
                continue;
            }
            foreach (var c in Decompositions.Value.TryGetValue(ch, out var d) ? d : ch.ToString())
                if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark) kept.Append(c);
        }
        return kept.ToString();
    }

    static readonly Lazy<Dictionary<char, string>> Decompositions = new(() =>
    {
        using var stream = typeof(WordPieceTokenizer).Assembly.GetManifestResourceStream("GanSharp.Captions.Decompositions.txt")!;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var table = new Dictionary<char, string>();
        while (reader.ReadLine() is { Length: > 0 } line) table[line[0]] = line[1..];
        return table;
    });

    static bool IsWhitespace(Rune r) => r.Value is ' ' or '\t' or '\n' or '\r' || Rune.GetUnicodeCategory(r) == UnicodeCategory.SpaceSeparator;

    static bool IsControl(Rune r) => Rune.GetUnicodeCategory(r) is UnicodeCategory.Control or UnicodeCategory.Format
        or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned;

    static bool IsPunctuation(Rune r) => r.Value is >= 33 and <= 47 or >= 58 and <= 64 or >= 91 and <= 96 or >= 123 and <= 126
        || Rune.GetUnicodeCategory(r) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
            or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
            or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;

    static bool IsCjk(int c) => c is >= 0x4E00 and <= 0x9FFF or >= 0x3400 and <= 0x4DBF or >= 0x20000 and <= 0x2A6DF
        or >= 0x2A700 and <= 0x2B73F or >= 0x2B740 and <= 0x2B81F or >= 0x2B820 and <= 0x2CEAF or >= 0xF900 and <= 0xFAFF
        or >= 0x2F800 and <= 0x2FA1F;
}
