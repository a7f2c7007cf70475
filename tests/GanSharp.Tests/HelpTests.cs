using System.CommandLine;
using System.CommandLine.Help;
using System.Text.RegularExpressions;
using GanSharp.Cli;

namespace GanSharp.Tests;

/// <summary>
/// Every command's <c>--help</c> at 80 columns: lines that fit, each option's name and placeholder whole on one line,
/// placeholders that say what a value is, and no description word broken across lines. (<c>bench/eighty-columns</c>
/// shows the same screens, and a training run's progress line, in a real 80-column terminal under tmux.)
/// </summary>
public class HelpTests
{
    static IEnumerable<(string Path, Command Command)> Commands(Command command, string path)
    {
        yield return (path, command);
        foreach (var sub in command.Subcommands)
            foreach (var c in Commands(sub, $"{path} {sub.Name}")) yield return c;
    }

    static string HelpOf(RootCommand root, string path, int width)
    {
        foreach (var help in root.Options.OfType<HelpOption>()) ((HelpAction)help.Action!).MaxWidth = width - 1;
        var output = new StringWriter();
        var args = path.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Append("--help").ToArray();
        root.Parse(args).Invoke(new InvocationConfiguration { Output = output });
        return output.ToString();
    }

    [Fact]
    public void Every_help_screen_reads_whole_at_80_columns()
    {
        var root = Cli.Cli.Root();
        var screens = 0;
        foreach (var (path, command) in Commands(root, "gan").ToList())
        {
            var text = HelpOf(root, path, 80);
            screens++;
            var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
            Assert.All(lines, l => Assert.True(l.Length <= 80, $"{path} --help: {l.Length} columns: '{l}'"));
            var tokens = Regex.Split(text, @"\s+").ToHashSet();
            foreach (var option in command.Options.Concat(root.Options.Where(o => o.Recursive)).Where(o => !o.Hidden).Distinct())
            {
                // The option's first column on one line: its name, and its placeholder where it takes a value.
                var first = option.HelpName is { } name ? $"{option.Name} <{name}>" : option.Name;
                Assert.True(lines.Any(l => l.Contains(first)), $"{path} --help: '{first}' is not whole on one line");
                if (option.HelpName is { } placeholder)
                    Assert.Matches(@"^([A-Z0-9,…\-]+|[a-z0-9\-]+(\|[a-z0-9\-]+)+)$", placeholder);   // a noun in capitals, or the choices
                foreach (var word in Regex.Split(option.Description ?? "", @"\s+").Where(w => w.Length > 0))
                    Assert.True(tokens.Contains(word), $"{path} --help: '{word}' of {option.Name}'s description is broken across lines");
            }
            foreach (var argument in command.Arguments) Assert.Matches("^[A-Z]+$", argument.HelpName);
        }
        Assert.True(screens >= 20, $"{screens} help screens");
    }

    [Fact]
    public void Choices_are_named_once_and_placeholders_say_what_a_value_is()
    {
        var root = Cli.Cli.Root();
        var train = HelpOf(root, "gan train", 80);
        Assert.Contains("--color <grey|rgb>", train);
        Assert.Contains("--g-loss <LOSS>", train);
        Assert.Single(Regex.Matches(train, "least-squares"));                    // once: in the description, not the placeholder too
        Assert.Contains("--epochs <N>", train);
        Assert.Contains("--config <FILE>", train);
        Assert.DoesNotContain("<epochs>", train);
    }

    [Fact]
    public void Long_lines_on_a_terminal_break_at_spaces_with_an_indent()
    {
        Assert.Equal(["  data mnist: 50,000 training", "    images (1, 28, 28);", "    100-image minibatches"],
                     Cli.Cli.Wrap("  data mnist: 50,000 training images (1, 28, 28); 100-image minibatches", 30));
        Assert.Equal(["run", "    /a/very/long/path"], Cli.Cli.Wrap("run /a/very/long/path", 10));   // a long word on its own line, whole
    }
}
