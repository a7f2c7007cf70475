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
            var near = names.OrderBy(n => Text.Distance(n, unknown)).First();
            var path = command is RootCommand ? "gan" : $"gan {command.Name}";
            return $"'{unknown}' is not a command of {path}" +
                   (Text.Distance(near, unknown) <= 2 ? $": did you mean '{near}'?" : $" (commands: {string.Join(", ", names)})");
        }
        if (parse.UnmatchedTokens.FirstOrDefault(t => t.StartsWith("--", StringComparison.Ordinal)) is { } flag)
        {
            var path = command is RootCommand ? "gan" : $"gan {command.Name}";
            var flags = parse.CommandResult.Command.Options.Concat(parse.RootCommandResult.Command.Options.Where(o => o.Recursive))
                             .SelectMany(o => o.Aliases.Prepend(o.Name)).Where(n => n.StartsWith("--", StringComparison.Ordinal));
            var near = Text.Nearest(flag, flags);
            return $"'{Text.Short(flag)}' is not an option of {path}" + (near.Count > 0 ? $": {Text.DidYouMean(near)}" : $" (see '{path} --help')");
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
}
