using System.Text.Json;
using GanSharp.Data;

namespace GanSharp.Captions;

/// <summary>
/// The captions of an emoji, in place of the StackGAN reference's ten written descriptions an image: what emoji.json and
/// the Unicode CLDR English annotations (npm <c>cldr-annotations-full</c> 48.2.0, Unicode License v3; the file
/// <c>annotations/en/annotations.json</c>, verified by SHA-256) say of it, each a caption of its own, duplicates
/// (ignoring case) dropped:
/// <list type="number">
/// <item>CLDR's text-to-speech name ("waving hand"), where CLDR annotates the emoji;</item>
/// <item>emoji.json's name, lower-case ("waving hand sign", "côte d’ivoire flag");</item>
/// <item>each of its short names as words ("wave"; '_' and '-' become spaces);</item>
/// <item>CLDR's keywords, joined by commas ("bye, cya, g2g, greetings, …, wave, yo, you").</item>
/// </list>
/// A skin-tone variant's captions are its base emoji's, each naming the tone the way CLDR names such sequences —
/// "waving hand: medium skin tone", "kiss: man, man, light skin tone, medium skin tone" (after a name that already has a
/// colon, a comma) — with CLDR's names of the five Fitzpatrick modifiers. CLDR annotates single code points and some
/// sequences: country flags, keycaps and families are not in this file (their derived names are in another), so those
/// emoji have emoji.json's captions alone (items 2 and 3).
/// </summary>
internal static class EmojiCaptions
{
    /// <summary>CLDR's English annotations: one JSON file out of the npm package, verified by SHA-256.</summary>
    public static readonly AnnotationFiles Cldr = new();

    /// <summary>What CLDR says of one emoji: its text-to-speech name and keywords.</summary>
    public sealed record Annotation(string Name, IReadOnlyList<string> Keywords);

    /// <summary>The CLDR English annotations file, as a set of fetched files.</summary>
    public sealed class AnnotationFiles : IFetchedFiles
    {
        /// <summary>The npm package and its version.</summary>
        public const string Package = "cldr-annotations-full", Version = "48.2.0";
        /// <summary>The file within the cache folder.</summary>
        public const string FileName = "annotations.json";
        /// <inheritdoc/>
        public string Name => "cldr-annotations-en";
        /// <summary>One line about it.</summary>
        public string Description => $"Unicode CLDR English emoji names and keywords, the emoji's captions (npm {Package}@{Version}, Unicode License v3)";
        /// <inheritdoc/>
        public DatasetFile[] Files { get; } =
            [new("annotations", FileName, "f22083cb86dffb63a643d5bacb5d9899f82d2fa5d388ad4f3aed72184acef505", 438_314)];
        /// <inheritdoc/>
        public IDatasetSource[] Sources { get; } = [new NpmPackage(Package, Version, "package/annotations/en/")];

        /// <summary>The annotations by emoji (its characters without U+FE0F), fetched into the cache first if need be.</summary>
        /// <exception cref="GanSharpException">Not in the cache and not fetchable (the message says how to provide it).</exception>
        /// <exception cref="InputException">The cached file is not CLDR's annotations.</exception>
        public IReadOnlyDictionary<string, Annotation> Load(string? dataDir = null, IProgress<FetchProgress>? progress = null) =>
            Read(Path.Combine(DatasetCatalog.Ensure(this, dataDir, progress), FileName));
    }

    /// <summary>The annotations in <paramref name="path"/> (CLDR's JSON: annotations.annotations[emoji] = {default: [keywords], tts: [name]}).</summary>
    /// <exception cref="InputException">Not that shape; the message names the file.</exception>
    public static IReadOnlyDictionary<string, Annotation> Read(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var all = document.RootElement.GetProperty("annotations").GetProperty("annotations");
            var found = new Dictionary<string, Annotation>(StringComparer.Ordinal);
            foreach (var e in all.EnumerateObject())
            {
                var name = e.Value.TryGetProperty("tts", out var tts) && tts.GetArrayLength() > 0 ? tts[0].GetString() : null;
                if (name is null) continue;
                List<string> keywords = e.Value.TryGetProperty("default", out var k) ? [.. k.EnumerateArray().Select(x => x.GetString()!)] : [];
                found[e.Name] = new Annotation(name, keywords);
            }
            return found;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new InputException($"{path}: not CLDR's annotations.json ({e.Message})");
        }
    }

    /// <summary>CLDR's names of the five skin-tone modifiers, where its file lacks them.</summary>
    static readonly Dictionary<string, string> ToneNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["1F3FB"] = "light skin tone", ["1F3FC"] = "medium-light skin tone", ["1F3FD"] = "medium skin tone",
        ["1F3FE"] = "medium-dark skin tone", ["1F3FF"] = "dark skin tone",
    };

    /// <summary>The emoji's characters as CLDR keys them: its code points without the variation selector U+FE0F.</summary>
    public static string Key(string unified) =>
        string.Concat(unified.Split('-').Select(h => Convert.ToInt32(h, 16)).Where(c => c != 0xFE0F).Select(char.ConvertFromUtf32));

    /// <summary>The captions of <paramref name="emoji"/> (see the class), given CLDR's <paramref name="annotations"/>.</summary>
    public static IReadOnlyList<string> Of(EmojiEntry emoji, IReadOnlyDictionary<string, Annotation> annotations)
    {
        var baseUnified = emoji.Tones.Count == 0 ? emoji.Unified
            : string.Join('-', emoji.Unified.Split('-').Where(h => !ToneNames.ContainsKey(h)));
        annotations.TryGetValue(Key(baseUnified), out var cldr);
        var tones = emoji.Tones.Select(t => annotations.TryGetValue(Key(t), out var a) ? a.Name : ToneNames.GetValueOrDefault(t, t)).ToList();
        string Toned(string caption, bool isList) => tones.Count == 0 ? caption
            : $"{caption}{(isList || caption.Contains(':') ? ", " : ": ")}{string.Join(", ", tones)}";

        var bareName = emoji.Tones.Count == 0 ? emoji.Name : emoji.Name[..emoji.Name.LastIndexOf(" (", StringComparison.Ordinal)];
        var captions = new List<string>();
        void Add(string caption)
        {
            caption = string.Join(' ', caption.Split(' ', StringSplitOptions.RemoveEmptyEntries));
            if (caption.Length > 0 && !captions.Contains(caption, StringComparer.OrdinalIgnoreCase)) captions.Add(caption);
        }
        if (cldr is not null) Add(Toned(cldr.Name, false));
        Add(Toned(bareName.ToLowerInvariant(), false));
        foreach (var shortName in emoji.ShortNames) Add(Toned(shortName.Replace('_', ' ').Replace('-', ' '), false));
        if (cldr is { Keywords.Count: > 0 }) Add(Toned(string.Join(", ", cldr.Keywords), true));
        return captions;
    }
}
