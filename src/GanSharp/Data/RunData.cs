using GanSharp.Configuration;

namespace GanSharp.Data;

/// <summary>
/// A run's data as its configuration's data kind loads it (<see cref="StreamConfig"/>): one dataset's splits, or two
/// domains' — and the training set the run draws its minibatches from. What a command that trains, or reads a run's
/// data, loads once.
/// </summary>
public sealed class RunData : IDisposable
{
    /// <summary>What the run trains on.</summary>
    public TrainingSet Train { get; }
    /// <summary>The one dataset's splits (data of kind <c>images</c>), else null.</summary>
    public DatasetSplits? Dataset { get; }
    /// <summary>The two domains (data of kind <c>two-domains</c>), else null.</summary>
    public TwoDomainData? Domains { get; }
    /// <summary>The captioned images (data of kind <c>captioned</c>), else null.</summary>
    public CaptionedData? Captioned { get; }

    RunData(DatasetSplits one) => (Dataset, Train) = (one, one.Train);
    RunData(TwoDomainData two) => (Domains, Train) = (two, new TwoDomains(two));
    RunData(CaptionedData captioned) => (Captioned, Train) = (captioned, captioned.TrainingSet());

    /// <summary>One dataset's splits as a run's data (owned from here).</summary>
    public static RunData Of(DatasetSplits one) => new(one);

    /// <summary>Loads the data <paramref name="config"/> describes (fetched into the cache on first use).</summary>
    /// <exception cref="InputException">Data that cannot be loaded.</exception>
    public static RunData Load(StreamConfig config, string? dataDir = null, IProgress<FetchProgress>? progress = null) => config switch
    {
        DataConfig one => new RunData(DatasetLoader.Load(one, dataDir, progress)),
        TwoDomainsConfig two => new RunData(TwoDomainData.Load(two, dataDir, progress)),
        CaptionedConfig captioned => new RunData(CaptionedData.Load(captioned, dataDir, progress)),
        _ => throw new InputException($"no loader for data of kind {config.GetType().Name}"),
    };

    /// <summary>Files of image folders that were not readable images, with the reason (they were left out).</summary>
    public IReadOnlyList<(string Path, string Reason)> Skipped =>
        Dataset?.Skipped ?? Captioned?.Images.Skipped ?? [.. Domains!.X.Skipped, .. Domains.Y.Skipped];

    /// <summary>The training images in words: how many, of what shape.</summary>
    public string Describe() => (Dataset, Captioned) switch
    {
        ({ } one, _) => $"{one.Train.Name}: {one.Train.Count:N0} training images {one.Train.ImageShape}",
        (_, { } c) => $"{c.Images.Train.Name}: {c.Images.Train.Count:N0} training images {c.Images.Train.ImageShape} with " +
                      $"{c.Train.Texts.Sum(t => t.Count):N0} captions ({c.Encoder}); {c.Images.Test?.Count ?? 0:N0} test images of emoji training never names",
        _ => $"x {Domains!.X.Train.Name}: {Domains.X.Train.Count:N0} and y {Domains.Y.Train.Name}: {Domains.Y.Train.Count:N0} training images {Domains.ImageShape}" +
             (Domains.Paired ? $"; {Domains.X.Test?.Count ?? 0:N0} test pairs" : ""),
    };

    /// <inheritdoc/>
    public void Dispose()
    {
        Dataset?.Dispose();
        Domains?.Dispose();
        Captioned?.Dispose();
    }
}
