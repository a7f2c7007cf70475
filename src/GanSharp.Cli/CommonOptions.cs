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

    public static readonly Option<string?> Out = Cli.Option<string?>("--out",
        "Where to write: a file (sample, figure), or a new folder (train, toy)");

    public static readonly Option<string?> DataDir = Cli.Option<string?>("--data-dir",
        $"Dataset cache folder (default: ${DatasetCatalog.DataEnvironmentVariable} or ~/.cache/gansharp)");

    /// <summary>The device --device names, or <paramref name="fallback"/> when it is not given.</summary>
    public static Device ResolveDevice(ParseResult p, string fallback = "cpu") => Devices.Resolve(p.GetValue(Device) ?? fallback);

    /// <summary>--seed if given, else <paramref name="fallback"/> (a configuration's own seed).</summary>
    public static long SeedOr(ParseResult p, long fallback) => p.GetResult(Seed) is { Implicit: false } ? p.GetValue(Seed) : fallback;

    /// <summary>The value of --out, which this command cannot do without.</summary>
    public static string RequiredOut(ParseResult p, string what) =>
        p.GetValue(Out) ?? throw new InputException($"--out is required: {what}");

    /// <summary>An option taking one of an enum's values, spelled as in config files (kebab-case: non-saturating).</summary>
    public static Option<T?> Enum<T>(string name, string description) where T : struct, System.Enum
    {
        var values = System.Enum.GetValues<T>().ToDictionary(v => JsonNamingPolicy.KebabCaseLower.ConvertName(v.ToString()));
        var option = new Option<T?>(name)
        {
            Description = $"{description}: {string.Join(", ", values.Keys)}",
            CustomParser = result => values[result.Tokens[0].Value],
        };
        option.AcceptOnlyFromAmong([.. values.Keys]);
        return option;
    }

    /// <summary>An option naming a kind of a configuration record (<see cref="Kinds"/>): the record of that kind, with its defaults.</summary>
    public static Option<TBase?> Kind<TBase>(string name, string description) where TBase : class
    {
        var names = Kinds.Of<TBase>().Select(k => k.Name).ToArray();
        var option = new Option<TBase?>(name)
        {
            Description = $"{description}: {string.Join(", ", names)}",
            CustomParser = result => Kinds.Create<TBase>(result.Tokens[0].Value, name),
        };
        option.AcceptOnlyFromAmong(names);
        return option;
    }
}
