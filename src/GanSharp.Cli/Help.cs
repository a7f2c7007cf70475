using System.CommandLine;
using System.CommandLine.Help;

namespace GanSharp.Cli;

/// <summary>
/// How <c>--help</c> reads: placeholders that say what a value is (<c>&lt;N&gt;</c>, <c>&lt;FILE&gt;</c>, <c>&lt;DIR&gt;</c>; choices
/// set by <see cref="CommonOptions.Enum"/>), and lines fitted to the terminal — or, into a pipe or file, to
/// <c>$COLUMNS</c> or 80 — which System.CommandLine wraps at spaces.
/// </summary>
static class Help
{
    /// <summary>Placeholders by option name; other options: N for whole numbers, X for numbers, their noun for text.</summary>
    static readonly Dictionary<string, string> Placeholders = new()
    {
        ["--preset"] = "PRESET", ["--presets"] = "A,B,…", ["--config"] = "FILE", ["--checkpoint"] = "FILE", ["--samples"] = "FILE",
        ["--z"] = "FILE", ["--dataset"] = "DATASET", ["--dataset-x"] = "DATASET", ["--dataset-y"] = "DATASET", ["--run"] = "DIR",
        ["--resume"] = "DIR", ["--data-dir"] = "DIR", ["--out"] = "PATH", ["--eval"] = "A,B,…", ["--seeds"] = "1,2,…",
        ["--device"] = "DEVICE", ["--host"] = "ADDRESS", ["--cpu-minutes"] = "MINUTES", ["--truncation"] = "T",
    };

    /// <summary>The width help is written to.</summary>
    public static int Width =>
        Terminal() is >= 40 and var terminal ? terminal
        : int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), out int columns) && columns >= 40 ? columns : 80;

    /// <summary>The terminal's width, or 0 into a pipe or file, or where there is no console to ask.</summary>
    static int Terminal()
    {
        if (Console.IsOutputRedirected) return 0;
        try { return Console.WindowWidth; }
        catch (IOException) { return 0; }
    }

    /// <summary>Gives every option of <paramref name="root"/>'s commands a placeholder and fits help to <see cref="Width"/>.</summary>
    public static void Polish(RootCommand root)
    {
        foreach (var help in root.Options.OfType<HelpOption>())
            if (help.Action is HelpAction action) action.MaxWidth = Width - 1;   // it may end a line with a space
        Name(root);
    }

    static void Name(Command command)
    {
        foreach (var option in command.Options.Where(o => o.HelpName is null && o.Arity.MaximumNumberOfValues > 0 && o.ValueType != typeof(bool) && o.ValueType != typeof(bool?)))
            option.HelpName = Placeholders.GetValueOrDefault(option.Name) ?? (Nullable.GetUnderlyingType(option.ValueType) ?? option.ValueType) switch
            {
                var t when t == typeof(int) || t == typeof(long) => "N",
                var t when t == typeof(double) || t == typeof(float) => "X",
                _ => option.Name.TrimStart('-').ToUpperInvariant(),
            };
        foreach (var argument in command.Arguments.Where(a => a.HelpName is null)) argument.HelpName = argument.Name.ToUpperInvariant();
        foreach (var sub in command.Subcommands) Name(sub);
    }
}
