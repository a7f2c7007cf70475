using GanSharp.Configuration;
using TorchSharp;
using static TorchSharp.torch;

namespace GanSharp.Data;

/// <summary>
/// Images held as one tensor <c>[N, C, H, W]</c> — unsigned bytes (0–255, four times smaller: a folder of 100,000
/// 64×64 colour images is 1.2 GB) or float32 in [0, 1] — plus optional int64 class labels <c>[N]</c> and their names. One
/// contiguous tensor lets a minibatch be a single gather (<c>index_select</c>), with no per-image objects; bytes become
/// floats a minibatch at a time (<see cref="ToUnitRange"/>).
/// </summary>
public sealed class ImageDataset : IDisposable
{
    private Tensor? images;  // Storage as float32 in [0, 1], made on first use of Images

    /// <summary>The pixels as stored: <c>[N, C, H, W]</c>, uint8 (0–255) or float32 (in [0, 1]).</summary>
    public Tensor Storage { get; }
    /// <summary>Class labels <c>[N]</c> (int64), or null for unlabelled data.</summary>
    public Tensor? Labels { get; }
    /// <summary>The name of each class label (index = label), when known.</summary>
    public IReadOnlyList<string>? LabelNames { get; init; }
    /// <summary>Where the images came from, for messages and the run's config.</summary>
    public string Name { get; }

    /// <summary>Wraps existing tensors, uint8 or float32 pixels (the dataset takes ownership).</summary>
    public ImageDataset(string name, Tensor images, Tensor? labels = null)
    {
        if (images.dim() != 4) throw new ArgumentException($"images must be [N, C, H, W], got [{string.Join(", ", images.shape)}]");
        if (images.dtype is not (ScalarType.Byte or ScalarType.Float32)) throw new ArgumentException($"images must be uint8 or float32, not {images.dtype}");
        if (labels is not null && labels.shape[0] != images.shape[0])
            throw new ArgumentException($"{images.shape[0]} images but {labels.shape[0]} labels");
        Name = name;
        Storage = images;
        Labels = labels;
    }

    /// <summary>Pixels as float32 in [0, 1], <c>[N, C, H, W]</c> (converted once from bytes on first use, then kept).</summary>
    public Tensor Images => images ??= Storage.dtype == ScalarType.Byte ? ToUnitRange(Storage).DetachFromDisposeScope() : Storage;

    /// <summary>Pixels as float32 in [0, 1]: bytes divided by 255, floats as they are.</summary>
    public static Tensor ToUnitRange(Tensor pixels) => pixels.dtype == ScalarType.Byte ? pixels.to_type(ScalarType.Float32).div_(255f) : pixels;

    /// <summary>Pixels as a new float32 tensor in [0, 1], never an alias of <paramref name="pixels"/> (one copy either way).</summary>
    public static Tensor ToUnitRangeCopy(Tensor pixels) => pixels.dtype == ScalarType.Byte ? ToUnitRange(pixels) : pixels.to_type(ScalarType.Float32, copy: true);

    /// <summary>Number of images.</summary>
    public long Count => Storage.shape[0];
    /// <summary>Shape of one image: channels, height, width.</summary>
    public (int C, int H, int W) ImageShape => ((int)Storage.shape[1], (int)Storage.shape[2], (int)Storage.shape[3]);

    /// <summary>Images <c>[start, start + count)</c> as a new dataset sharing this one's storage.</summary>
    public ImageDataset Slice(long start, long count) =>
        new($"{Name}[{start}:{start + count}]", Storage.narrow(0, start, count), Labels?.narrow(0, start, count)) { LabelNames = LabelNames };

    /// <summary>Builds a dataset from IDX arrays: images <c>[N, H, W]</c> (or <c>[N, C, H, W]</c>) and optional labels <c>[N]</c>.</summary>
    internal static ImageDataset FromIdx(string name, IdxArray images, IdxArray? labels, IReadOnlyList<string>? labelNames = null)
    {
        long[] shape = images.Shape.Length switch
        {
            3 => [images.Shape[0], 1, images.Shape[1], images.Shape[2]],
            4 => [images.Shape[0], images.Shape[1], images.Shape[2], images.Shape[3]],
            _ => throw new InputException($"{name}: images must be an IDX array of rank 3 or 4, not {images.Shape.Length}"),
        };
        if (labels is not null && (labels.Shape.Length != 1 || labels.Count != images.Count))
            throw new InputException($"{name}: {labels.Count} labels for {images.Count} images");
        var pixels = tensor(images.Data, dtype: ScalarType.Byte).reshape(shape);
        Tensor? y = labels is null ? null : tensor(labels.Data, dtype: ScalarType.Byte).to_type(ScalarType.Int64);
        return new ImageDataset(name, pixels, y) { LabelNames = y is null ? null : labelNames };
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (!ReferenceEquals(images, Storage)) images?.Dispose();
        Storage.Dispose();
        Labels?.Dispose();
    }
}

/// <summary>
/// The three parts of a dataset as the paper used them: training images, validation images (the paper's
/// train[50000:60000], used to choose the Parzen width) and test images.
/// </summary>
public sealed class DatasetSplits(ImageDataset train, ImageDataset validation, ImageDataset? test, ImageDataset all) : IDisposable
{
    /// <summary>Files of an image folder that were not readable images, with the reason (they were left out).</summary>
    public IReadOnlyList<(string Path, string Reason)> Skipped { get; init; } = [];

    /// <summary>Images the nets are trained on.</summary>
    public ImageDataset Train { get; } = train;
    /// <summary>Held-out training images (model selection, Parzen σ).</summary>
    public ImageDataset Validation { get; } = validation;
    /// <summary>The test set, when the source has one.</summary>
    public ImageDataset? Test { get; } = test;

    /// <summary>
    /// The paper's split of a training set of N images: the last 10,000 (at most N/6) for validation, the rest for
    /// training. For MNIST: train[0:50000], validation train[50000:60000].
    /// </summary>
    public static DatasetSplits Paper(ImageDataset trainAndValidation, ImageDataset? test)
    {
        long n = trainAndValidation.Count;
        long valid = Math.Min(10_000, n / 6);
        return new DatasetSplits(trainAndValidation.Slice(0, n - valid), trainAndValidation.Slice(n - valid, valid), test,
                                 trainAndValidation);
    }

    /// <summary>
    /// The split of a set without a test set of its own, already in a fixed shuffled order (<see cref="FixedOrder"/>):
    /// the last tenth (at most 10,000) for test, the tenth before it (at most 10,000) for validation, the rest for training.
    /// </summary>
    /// <exception cref="InputException">Fewer than 10 images.</exception>
    public static DatasetSplits Tenths(ImageDataset all, IReadOnlyList<(string Path, string Reason)>? skipped = null)
    {
        long n = all.Count;
        if (n < 10)
        {
            all.Dispose();
            throw new InputException($"{all.Name}: {n} readable images; a dataset needs at least 10 (a tenth each for validation and test)");
        }
        long held = Math.Min(10_000, n / 10);
        return new DatasetSplits(all.Slice(0, n - 2 * held), all.Slice(n - 2 * held, held), all.Slice(n - held, held), all)
        {
            Skipped = skipped ?? [],
        };
    }

    /// <summary>
    /// A fixed pseudo-random order of <paramref name="count"/> items (Fisher–Yates with a constant seed), so that a
    /// dataset sorted by name splits the same way on every machine and in every run, whatever the run's seed.
    /// </summary>
    public static int[] FixedOrder(int count)
    {
        var order = Enumerable.Range(0, count).ToArray();
        var random = new Random(20140610);  // the GAN paper's arXiv date
        for (int i = count - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Train.Dispose();
        Validation.Dispose();
        all.Dispose();
        Test?.Dispose();
    }
}

/// <summary>Loads a dataset by catalogue name or from a folder (of IDX files, or of PNG/JPEG images).</summary>
public static class DatasetLoader
{
    /// <summary>Loads <paramref name="nameOrFolder"/> with the default image options (<see cref="Load(DataConfig, string?, IProgress{FetchProgress}?, CancellationToken)"/>).</summary>
    public static DatasetSplits Load(string nameOrFolder, string? dataDir = null, IProgress<FetchProgress>? progress = null,
                                     CancellationToken cancel = default) =>
        Load(new DataConfig { Dataset = nameOrFolder }, dataDir, progress, cancel);

    /// <summary>
    /// Loads <see cref="DataConfig.Dataset"/>: a catalogue name (fetched into the cache on first use), a folder holding
    /// IDX files (<c>*train-images*</c> required; <c>*train-labels*</c>, <c>*t10k-images*</c>/<c>*test-images*</c>,
    /// labels optional; raw or .gz), or any other folder, read as PNG/JPEG images (<see cref="ImageFolder"/>).
    /// </summary>
    public static DatasetSplits Load(DataConfig config, string? dataDir = null, IProgress<FetchProgress>? progress = null,
                                     CancellationToken cancel = default)
    {
        var name = config.Dataset;
        if (DatasetCatalog.Find(name) is { } entry) return entry.Load(entry.Ensure(dataDir, progress, cancel), config, progress);
        if (File.Exists(name)) throw new InputException($"{name} is a file: --dataset takes a catalogue name or a folder");
        if (!Directory.Exists(name))
            throw new InputException($"unknown dataset '{name}': not one of {string.Join(", ", DatasetCatalog.All.Select(d => d.Name))}, and no such folder");
        return IsIdxFolder(name) ? LoadIdx(name, Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(name))), config)
            : ImageFolder.Load(name, config, progress, cancel);
    }

    /// <summary>
    /// The shape of the images <see cref="Load(DataConfig, string?, IProgress{FetchProgress}?, CancellationToken)"/> gives
    /// for <paramref name="config"/> — the one rule, for whoever needs it before the data (a benchmark of random images):
    /// a catalogue entry's and an image folder's without loading anything; an IDX folder's from its files.
    /// </summary>
    /// <exception cref="InputException">What <c>Load</c> would refuse, for an IDX folder.</exception>
    public static (int C, int H, int W) ImageShape(DataConfig config, string? dataDir = null)
    {
        if (DatasetCatalog.Find(config.Dataset) is { } entry) return entry.ImageShape(config);
        if (Directory.Exists(config.Dataset) && !IsIdxFolder(config.Dataset)) return ImageFolder.ShapeFor(config);
        using var data = Load(config, dataDir);
        return data.Train.ImageShape;
    }

    /// <summary>Whether <paramref name="folder"/> holds IDX training images (a file named *train-images*).</summary>
    public static bool IsIdxFolder(string folder) => Directory.EnumerateFiles(folder, "*train-images*").Any();

    /// <summary>The IDX files of <paramref name="folder"/>, split as the paper split MNIST.</summary>
    internal static DatasetSplits LoadIdx(string folder, string name, DataConfig config, IReadOnlyList<string>? labelNames = null)
    {
        string? Find(params string[] patterns)
        {
            var found = patterns.SelectMany(p => Directory.EnumerateFiles(folder, p)).Distinct().Order(StringComparer.Ordinal).ToList();
            return found.Count <= 1 ? found.FirstOrDefault()
                : throw new InputException($"{folder}: {found.Count} files match {string.Join(" or ", patterns)} " +
                                           $"({string.Join(", ", found.Select(Path.GetFileName))}): keep one, so that which is read is not a guess");
        }
        var trainImages = Find("*train-images*")
            ?? throw new InputException($"{folder}: no training images (a file named *train-images*, IDX format)");
        var trainLabels = Find("*train-labels*");
        var testImages = Find("*t10k-images*", "*test-images*");
        var testLabels = Find("*t10k-labels*", "*test-labels*");

        var train = ImageDataset.FromIdx($"{name}/train", Idx.Read(trainImages), trainLabels is null ? null : Idx.Read(trainLabels), labelNames);
        var test = testImages is null ? null
            : ImageDataset.FromIdx($"{name}/test", Idx.Read(testImages), testLabels is null ? null : Idx.Read(testLabels), labelNames);
        if (test is not null && test.ImageShape != train.ImageShape)
        {
            var (a, b) = (train.ImageShape, test.ImageShape);  // (C, H, W) each
            train.Dispose();
            test.Dispose();
            throw new InputException($"{testImages}: test images are {b.C}×{b.H}×{b.W} but the training images are {a.C}×{a.H}×{a.W}");
        }
        if (config.ImageSize is { } size && train.ImageShape is var (_, h, w) && (h != size || w != size))
        {
            train.Dispose();
            test?.Dispose();
            throw new InputException($"{name}: IDX images are {h}×{w}; resizing them to {size} is not supported (leave out --image-size)");
        }
        return DatasetSplits.Paper(train, test);
    }
}
