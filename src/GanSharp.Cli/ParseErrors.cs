using System.CommandLine;
using System.Text.RegularExpressions;

namespace GanSharp.Cli;

/// <summary>
/// The first parse error as one line in the user's terms: a misspelt command gets its nearest known name, a value of the
/// wrong type says what the option takes ("a whole number"), never a .NET type name.
/// </summary>
static partial class ParseErrors
{
    public static string Describe(ParseResult parse)
    {
        var command = parse.CommandResult.Command;
        if (command.Subcommands.Count > 0 && parse.UnmatchedTokens.FirstOrDefault(t => !t.StartsWith('-')) is { } unknown)
        {
            var names = command.Subcommands.Select(c => c.Name).ToList();
            if (unknown.Length > 100) return $"'{Text.Short(unknown)}' is not a command of {(command is RootCommand ? "gan" : $"gan {command.Name}")} (commands: {string.Join(", ", names)})";
            var near = names.OrderBy(n => Distance(n, unknown)).First();
            var path = command is RootCommand ? "gan" : $"gan {command.Name}";
            return $"'{unknown}' is not a command of {path}" +
                   (Distance(near, unknown) <= 2 ? $": did you mean '{near}'?" : $" (commands: {string.Join(", ", names)})");
        }
        if (command.Subcommands.Count > 0 && parse.UnmatchedTokens.Count == 0 && parse.Errors[0].Message.Contains("Required command"))
            return $"say which command: {(command is RootCommand ? "gan" : $"gan {command.Name}")} {string.Join("|", command.Subcommands.Select(c => c.Name))}";

        var message = Regex.Replace(parse.Errors[0].Message, @"\s+", " ").Trim();
        var typed = CannotParse().Match(message);
        if (typed.Success)
            return $"{typed.Groups["option"].Value} takes {Describe(typed.Groups["type"].Value)}, not '{Text.Short(typed.Groups["value"].Value)}'";
        return Text.Short(message, 2_000);
    }

    /// <summary>What a .NET type is to a user.</summary>
    static string Describe(string type)
    {
        var inner = Regex.Match(type, @"Nullable`1\[(?<t>[^\]]+)\]") is { Success: true } m ? m.Groups["t"].Value : type;
        return inner switch
        {
            "System.Int32" or "System.Int64" => "a whole number",
            "System.Double" or "System.Single" => "a number",
            "System.Boolean" => "true or false",
            _ => "another kind of value",
        };
    }

    [GeneratedRegex(@"^Cannot parse argument '(?<value>.*)' for option '(?<option>[^']+)' as expected type '(?<type>[^']+)'")]
    private static partial Regex CannotParse();

    /// <summary>Levenshtein distance (a misspelling's distance from a command's name).</summary>
    static int Distance(string a, string b)
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
