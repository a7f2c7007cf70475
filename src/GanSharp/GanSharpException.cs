namespace GanSharp;

/// <summary>
/// A failure the user can act on: bad input data, a bad configuration, a missing file. Its message is one line that
/// says what is wrong and where; front ends print it without a stack trace.
/// </summary>
public class GanSharpException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Malformed or unexpected input: a data file, a configuration, a flag. The CLI exits with code 2.</summary>
public sealed class InputException(string message, Exception? inner = null) : GanSharpException(message, inner);
