using System.CommandLine;
using System.Text.Json;
using GanSharp.Configuration;
using GanSharp.Data;
using static TorchSharp.torch;

namespace GanSharp.Cli;

/// <summary>
/// The options several commands share, each defined once (name, meaning, default), and the parsing of options that
/// name a choice: enum values and configuration kinds are parsed into their types here, never string-compared later.
/// </summary>
static class CommonOptions
{
    public static readonly Option<long> Seed = new("--seed") { Description = "Seed of every random draw", DefaultValueFactory = _ => 1 };

    public static readonly Option<string?> Device = Cli.Option<string?>("--device",
        "cpu, cuda, cuda:N or auto (default: cpu; for gan train auto, a GPU when the CUDA build sees one)");

    public static readonly Option<string?> Run = Cli.Option<string?>("--run", "Run directory (its checkpoints/last.ckpt, or its metrics)");

    /// <summary>
    /// --out, described for the command at hand: where its output goes — a file for commands that write one (sample,
    /// figure, data export), a new folder for those that write several (train, toy). Each command has its own instance,
    /// so that its help says which.
    /// </summary>
    public static Option<string?> Out(string description) => Cli.Option<string?>("--out", description);

    public static readonly Option<string?> DataDir = Cli.Option<string?>("--data-dir",
        $"Dataset cache folder (default: ${DatasetCatalog.DataEnvironmentVariable} or ~/.cache/gansharp)");

    /// <summary>The device --device names, or <paramref name="fallback"/> when it is not given.</summary>
    public static Device ResolveDevice(ParseResult p, string fallback = "cpu") => Devices.Resolve(p.GetValue(Device) ?? fallback);

    /// <summary>--seed if given, else <paramref name="fallback"/> (a configuration's own seed).</summary>
    public static long SeedOr(ParseResult p, long fallback) => p.GetResult(Seed) is { Implicit: false } ? p.GetValue(Seed) : fallback;

    /// <summary>The value of --out, which this command cannot do without.</summary>
    public static string RequiredOut(ParseResult p, Option<string?> option, string what) =>
        p.GetValue(option) ?? throw new InputException($"--out is required: {what}");

    /// <summary>
    /// Refuses, at parse time (exit 2, one line, nothing done), a value of <paramref name="option"/> below
    /// <paramref name="min"/>, above <paramref name="max"/> (if given), or not a finite number: every count, size and rate a
    /// user types is checked where it enters.
    /// </summary>
    public static Option<T> Within<T>(this Option<T> option, double min, double? max = null)
    {
        option.Validators.Add(result =>
        {
            if (result.Implicit) return;  // the default value, known to be good
            T? parsed;
            try { parsed = result.GetValueOrDefault<T>(); }
            catch (InvalidOperationException) { return; }  // not a number at all: the parser reports that
            if (parsed is not { } value) return;
            double v = Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture);
            if (!double.IsFinite(v) || v < min || v > max)
                result.AddError($"{option.Name} must be {Range(min, max, value is double or float)} (got {value})");
        });
        return option;
    }

    static string Range(double min, double? max, bool real) =>
        (min, max) switch
        {
            (0, null) when real => "a non-negative number",
            (0, null) => "0 or more",
            (1, null) when !real => "a positive whole number",
            (double.Epsilon, null) => "a positive number",
            (_, null) => $"at least {min}",
            (_, { } m) when min == double.Epsilon => $"a positive number no larger than {Number(m)}",
            (_, { } m) => $"between {min} and {Number(m)}",
        };

    static string Number(double x) => x == Math.Floor(x) && Math.Abs(x) < 1e9 ? $"{x:0}" : $"{x:G3}";

    /// <summary>Refuses zero, negative and non-finite values (see <see cref="Within"/>).</summary>
    public static Option<T> Positive<T>(this Option<T> option) =>
        option.Within(typeof(T) == typeof(double) || typeof(T) == typeof(double?) ? double.Epsilon : 1);

    /// <summary>An option taking one of an enum's values, spelled as in config files (kebab-case: non-saturating).</summary>
    public static Option<T?> Enum<T>(string name, string description) where T : struct, System.Enum
    {
        var values = System.Enum.GetValues<T>().ToDictionary(v => JsonNamingPolicy.KebabCaseLower.ConvertName(v.ToString()));
        var option = new Option<T?>(name) { CustomParser = result => values[result.Tokens[0].Value] };
        option.AcceptOnlyFromAmong([.. values.Keys]);
        return Choices(option, description, [.. values.Keys]);
    }

    /// <summary>
    /// Names an option's choices once in its help: in the placeholder (<c>&lt;grey|rgb&gt;</c>) when they are short, else
    /// in the description (the placeholder then the option's noun, <c>&lt;LOSS&gt;</c>) unless it names them already.
    /// </summary>
    static Option<T> Choices<T>(Option<T> option, string description, string[] choices)
    {
        var joined = string.Join("|", choices);
        bool inPlaceholder = joined.Length <= MaxPlaceholder;
        option.HelpName = inPlaceholder ? joined : option.Name.TrimStart('-').Split('-')[^1].ToUpperInvariant();
        option.Description = inPlaceholder || choices.All(description.Contains) ? description : $"{description}: {string.Join(", ", choices)}";
        return option;
    }

    /// <summary>The longest list of choices a placeholder shows (longer ones go into the description, where lines wrap at spaces).</summary>
    const int MaxPlaceholder = 22;

    /// <summary>An option naming a kind of a configuration record (<see cref="Kinds"/>): the record of that kind, with its defaults.</summary>
    public static Option<TBase?> Kind<TBase>(string name, string description) where TBase : class
    {
        var names = Kinds.Of<TBase>().Select(k => k.Name).ToArray();
        var option = new Option<TBase?>(name) { CustomParser = result => Kinds.Create<TBase>(result.Tokens[0].Value, name) };
        option.AcceptOnlyFromAmong(names);
        return Choices(option, description, names);
    }
}
