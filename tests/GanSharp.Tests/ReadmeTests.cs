using System.Text.RegularExpressions;
using GanSharp.Configuration;
using static GanSharp.Tests.TestSupport;

namespace GanSharp.Tests;

/// <summary>
/// README as a front door that stays honest: short, its commands real (each parses, each preset exists), and no link
/// of it or of docs/ dead or leaving the repository.
/// </summary>
public class ReadmeTests
{
    static string Readme => File.ReadAllText(Path.Combine(RepositoryRoot, "README.md"));

    static IEnumerable<string> Documents() =>
        Directory.GetFiles(Path.Combine(RepositoryRoot, "docs"), "*.md").Prepend(Path.Combine(RepositoryRoot, "README.md"));

    [Fact]
    public void The_readme_is_a_front_door_of_about_200_lines()
    {
        int lines = Readme.Split('\n').Length;
        Assert.True(lines <= 200, $"README.md has {lines} lines");
    }

    [Fact]
    public void Every_gan_command_of_the_readme_parses_and_names_real_presets()
    {
        var commands = Regex.Matches(Readme, "```sh\n(.*?)```", RegexOptions.Singleline)
            .SelectMany(m => m.Groups[1].Value.Split('\n'))
            .Select(l => l.Split('#')[0].Trim())
            .Where(l => l.StartsWith("./gan ", StringComparison.Ordinal))
            .ToList();
        Assert.True(commands.Count >= 4, $"{commands.Count} commands");
        var root = Cli.Cli.Root();
        foreach (var command in commands)
        {
            var args = command["./gan ".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var parse = root.Parse(args);
            Assert.True(parse.Errors.Count == 0, $"'{command}': {string.Join("; ", parse.Errors.Select(e => e.Message))}");
            for (int i = 0; i + 1 < args.Length; i++)
                if (args[i] == "--preset") Assert.Contains(args[i + 1], Presets.Names);
        }
        Assert.Contains("./gan train --preset dcgan-mnist --epochs 1 --batch 32 --out runs/first", commands);   // the quick start the C# example loads
    }

    [Fact]
    public void No_link_is_dead_and_none_of_the_readme_leaves_the_repository()
    {
        var links = 0;
        foreach (var file in Documents())
        {
            var text = File.ReadAllText(file);
            foreach (Match m in Regex.Matches(text, @"\]\(([^)\s]+)\)"))
            {
                var target = m.Groups[1].Value;
                if (Regex.IsMatch(target, "^[a-z]+:"))
                {
                    Assert.False(Path.GetFileName(file) == "README.md", $"README.md links out of the repository: {target}");
                    continue;
                }
                var path = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, target.Split('#')[0]));
                Assert.True(File.Exists(path) || Directory.Exists(path), $"{Path.GetFileName(file)}: dead link {target}");
                Assert.StartsWith(Path.GetFullPath(RepositoryRoot), path);                    // ../shared and the like do not exist in a clone
                links++;
            }
        }
        Assert.True(links > 20, $"{links} links walked");
    }
}
