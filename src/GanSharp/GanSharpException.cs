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
}
