using static TorchSharp.torch;

namespace GanSharp.Captions;

/// <summary>
/// A frozen sentence encoder: texts in, one unit-length embedding each out — what a text-to-image game conditions on.
/// Every text passes <see cref="Check"/> first, so an empty or absurdly long text is refused in the user's terms
/// rather than silently truncated.
/// </summary>
public abstract class TextEncoder : IDisposable
{
    /// <summary>The longest text accepted, in characters: a few sentences, well above any caption (the encoder reads 256 word pieces).</summary>
    public const int MaxCharacters = 1_000;

    /// <summary>The encoder and its version, as the embedding cache keys it (a new version re-embeds every caption).</summary>
    public abstract string Id { get; }
    /// <summary>The embeddings' dimension E.</summary>
    public abstract int Dimension { get; }

    /// <summary>The embeddings of <paramref name="texts"/>, <c>[n, E]</c> float32 on the CPU, each of unit length.</summary>
    /// <param name="texts">The texts, each checked by <see cref="Check"/>.</param>
    /// <param name="where">Names the texts in messages (a file, a flag, a caption's emoji).</param>
    /// <exception cref="InputException">A text that <see cref="Check"/> refuses.</exception>
    public Tensor Encode(IReadOnlyList<string> texts, string where = "text")
    {
        for (int i = 0; i < texts.Count; i++) Check(texts[i], texts.Count == 1 ? where : $"{where} {i + 1}");
        return EncodeChecked(texts);
    }

    /// <summary>The embeddings of texts that passed <see cref="Check"/>.</summary>
    protected abstract Tensor EncodeChecked(IReadOnlyList<string> texts);

    /// <summary>Refuses a text with nothing to read or more than <see cref="MaxCharacters"/> characters.</summary>
    /// <exception cref="InputException">Says what and <paramref name="where"/>.</exception>
    public static void Check(string text, string where)
    {
        if (string.IsNullOrWhiteSpace(text)) throw new InputException($"{where}: empty text; give a few words, e.g. \"a cat face with heart eyes\"");
        if (text.Length > MaxCharacters)
            throw new InputException($"{where}: a text of {text.Length:N0} characters; at most {MaxCharacters:N0} (the encoder reads only its first 256 word pieces)");
    }

    /// <inheritdoc/>
    public abstract void Dispose();
}
