using TorchSharp;
using static TorchSharp.torch;

namespace GanSharp.Data;

/// <summary>
/// Images held as one float32 tensor <c>[N, C, H, W]</c> with pixels in [0, 1], plus optional int64 labels <c>[N]</c>.
/// One contiguous tensor lets a minibatch be a single gather (<c>index_select</c>), with no per-image objects.
/// </summary>
public sealed class ImageDataset : IDisposable
{
    /// <summary>Pixels, <c>[N, C, H, W]</c>, float32 in [0, 1].</summary>
    public Tensor Images { get; }
    /// <summary>Class labels <c>[N]</c> (int64), or null for unlabelled data.</summary>
    public Tensor? Labels { get; }
    /// <summary>Where the images came from, for messages and the run's config.</summary>
    public string Name { get; }

    /// <summary>Wraps existing tensors (the dataset takes ownership).</summary>
    public ImageDataset(string name, Tensor images, Tensor? labels = null)
    {
        if (images.dim() != 4) throw new ArgumentException($"images must be [N, C, H, W], got [{string.Join(", ", images.shape)}]");
        if (labels is not null && labels.shape[0] != images.shape[0])
            throw new ArgumentException($"{images.shape[0]} images but {labels.shape[0]} labels");
        Name = name;
        Images = images;
        Labels = labels;
    }

    /// <summary>Number of images.</summary>
    public long Count => Images.shape[0];
    /// <summary>Shape of one image: channels, height, width.</summary>
    public (int C, int H, int W) ImageShape => ((int)Images.shape[1], (int)Images.shape[2], (int)Images.shape[3]);

    /// <summary>Images <c>[start, start + count)</c> as a new dataset sharing this one's storage.</summary>
    public ImageDataset Slice(long start, long count) =>
        new($"{Name}[{start}:{start + count}]", Images.narrow(0, start, count), Labels?.narrow(0, start, count));

    /// <summary>Builds a dataset from IDX arrays: images <c>[N, H, W]</c> (or <c>[N, C, H, W]</c>) and optional labels <c>[N]</c>.</summary>
    public static ImageDataset FromIdx(string name, IdxArray images, IdxArray? labels)
    {
        long[] shape = images.Shape.Length switch
        {
            3 => [images.Shape[0], 1, images.Shape[1], images.Shape[2]],
            4 => [images.Shape[0], images.Shape[1], images.Shape[2], images.Shape[3]],
            _ => throw new InputException($"{name}: images must be an IDX array of rank 3 or 4, not {images.Shape.Length}"),
        };
        if (labels is not null && (labels.Shape.Length != 1 || labels.Count != images.Count))
            throw new InputException($"{name}: {labels.Count} labels for {images.Count} images");
        using var bytes = tensor(images.Data, dtype: ScalarType.Byte).reshape(shape);
        var pixels = bytes.to_type(ScalarType.Float32).div_(255f);
        Tensor? y = labels is null ? null : tensor(labels.Data, dtype: ScalarType.Byte).to_type(ScalarType.Int64);
        return new ImageDataset(name, pixels, y);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Images.Dispose();
        Labels?.Dispose();
    }
}

/// <summary>
/// The three parts of a dataset as the paper used them: training images, validation images (the paper's
/// train[50000:60000], used to choose the Parzen width) and test images.
/// </summary>
public sealed class DatasetSplits(ImageDataset train, ImageDataset validation, ImageDataset? test, ImageDataset all) : IDisposable
{
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

    /// <inheritdoc/>
    public void Dispose()
    {
        Train.Dispose();
        Validation.Dispose();
        all.Dispose();
        Test?.Dispose();
    }
}

/// <summary>Loads a dataset by catalogue name or from a folder of IDX files.</summary>
public static class DatasetLoader
{
    /// <summary>
    /// Loads <paramref name="nameOrFolder"/>: a catalogue name (fetched into the cache on first use) or a folder holding
    /// IDX files (<c>*train-images*</c> required; <c>*train-labels*</c>, <c>*t10k-images*</c>/<c>*test-images*</c>,
    /// labels optional; raw or .gz).
    /// </summary>
    public static DatasetSplits Load(string nameOrFolder, string? dataDir = null, IProgress<FetchProgress>? progress = null,
                                     CancellationToken cancel = default)
    {
        string folder;
        var spec = DatasetCatalog.Find(nameOrFolder);
        if (spec is not null) folder = DatasetCatalog.Ensure(spec, dataDir, progress, cancel);
        else if (Directory.Exists(nameOrFolder)) folder = nameOrFolder;
        else
            throw new InputException(
                $"unknown dataset '{nameOrFolder}': not one of {string.Join(", ", DatasetCatalog.All.Select(d => d.Name))}, and no such folder");

        string? Find(params string[] patterns) =>
            patterns.SelectMany(p => Directory.EnumerateFiles(folder, p)).Order(StringComparer.Ordinal).FirstOrDefault();
        var trainImages = Find("*train-images*")
            ?? throw new InputException($"{folder}: no training images (a file named *train-images*, IDX format)");
        var trainLabels = Find("*train-labels*");
        var testImages = Find("*t10k-images*", "*test-images*");
        var testLabels = Find("*t10k-labels*", "*test-labels*");

        var name = spec?.Name ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)));
        var train = ImageDataset.FromIdx($"{name}/train", Idx.Read(trainImages), trainLabels is null ? null : Idx.Read(trainLabels));
        var test = testImages is null ? null
            : ImageDataset.FromIdx($"{name}/test", Idx.Read(testImages), testLabels is null ? null : Idx.Read(testLabels));
        return DatasetSplits.Paper(train, test);
    }
}
