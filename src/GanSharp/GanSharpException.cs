namespace GanSharp;

/// <summary>
/// A failure the user can act on: bad input data, a bad configuration, a missing file. Its message is one line that
/// says what is wrong and where; front ends print it without a stack trace.
/// </summary>
public class GanSharpException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Malformed or unexpected input: a data file, a configuration, a flag. The CLI exits with code 2.</summary>
public sealed class InputException(string message, Exception? inner = null) : GanSharpException(message, inner);

/// <summary>What messages quote of a user's text.</summary>
public static class Text
{
    /// <summary>
    /// <paramref name="text"/> as a one-line message may quote it: control characters (line breaks among them) shown as
    /// <c>?</c>, and beyond <paramref name="max"/> characters cut, saying how long it was — a 50 MB flag is not echoed.
    /// </summary>
    public static string Short(string text, int max = 60)
    {
        var shown = text.Length <= max ? text : text[..max];
        if (shown.Any(char.IsControl)) shown = new string(shown.Select(c => char.IsControl(c) ? '?' : c).ToArray());
        return text.Length <= max ? shown : $"{shown}… ({text.Length:N0} characters)";
    }

    /// <summary>
    /// What a user probably meant by <paramref name="typed"/> among <paramref name="known"/>: the names it begins (dcgan →
    /// dcgan-mnist, dcgan-fashion-mnist, …), else the nearest by edit distance when at most a quarter of its letters (at
    /// least 2) are wrong; empty when nothing is near.
    /// </summary>
    public static IReadOnlyList<string> Nearest(string typed, IEnumerable<string> known)
    {
        var names = known.Distinct().ToList();
        if (typed.Length is 0 or > 200) return [];
        var extending = names.Where(n => n.StartsWith(typed, StringComparison.OrdinalIgnoreCase) && n.Length > typed.Length).ToList();
        if (extending.Count > 0) return extending;
        var scored = names.Select(n => (Name: n, Distance: Distance(n.ToLowerInvariant(), typed.ToLowerInvariant()))).ToList();
        int best = scored.Count == 0 ? int.MaxValue : scored.Min(s => s.Distance);
        return best <= Math.Max(2, typed.Length / 4) ? scored.Where(s => s.Distance == best).Select(s => s.Name).ToList() : [];
    }

    /// <summary>"did you mean 'a'?" or "did you mean 'a', 'b' or 'c'?" for <see cref="Nearest"/>'s names; empty for none.</summary>
    public static string DidYouMean(IReadOnlyList<string> near) => near.Count switch
    {
        0 => "",
        1 => $"did you mean '{near[0]}'?",
        _ => $"did you mean {string.Join(", ", near.SkipLast(1).Select(n => $"'{n}'"))} or '{near[^1]}'?",
    };

    /// <summary>Levenshtein distance: the fewest insertions, deletions and substitutions that turn one word into the other.</summary>
    public static int Distance(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (int i = 1; i <= a.Length; i++)
        {
            int diagonal = row[0];
            row[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }
        return row[b.Length];
    }
}
