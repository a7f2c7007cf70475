using GanSharp.Configuration;
using GanSharp.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace GanSharp.Training;

/// <summary>
/// What a run settles before it trains, so that config.json can repeat it exactly: the image shape and classes of the
/// data it trains on, the thread count (applied to libtorch here) and the device it resolved to.
/// </summary>
public static class RunConfiguration
{
    /// <summary>
    /// <paramref name="config"/> resolved for <paramref name="train"/>: the model's image shape and classes from the data,
    /// the thread count applied and recorded, the device resolved.
    /// </summary>
    /// <exception cref="InputException">A conditional model and data without labels (two domains have none), or a device that is not there.</exception>
    public static GanConfig Resolve(GanConfig config, TrainingSet train)
    {
        var (c, h, w) = train.ImageShape;
        ApplyThreads(config.Train.Threads);
        var model = config.Model with { Channels = c, Height = h, Width = w };
        if (model.UsesClasses && train.Single is null)
            throw new InputException($"{train.Name}: the {Kinds.NameOf(model)} model needs class labels, and two domains have none");
        return config with
        {
            Model = train.Single is { } one ? WithClasses(model, one) : model,
            Train = config.Train with { Threads = torch.get_num_threads(), Device = Devices.Name(Devices.Resolve(config.Train.Device)) },
        };
    }

    /// <summary>
    /// A conditional model with the classes of <paramref name="train"/>'s labels: how many (the dataset's label names, else
    /// the largest label + 1), their names, and how often each occurs. An unconditional model as it is.
    /// </summary>
    /// <exception cref="InputException">A conditional model and data without labels.</exception>
    public static ModelConfig WithClasses(ModelConfig model, ImageDataset train)
    {
        if (!model.UsesClasses) return model;
        if (train.Labels is not { } labels || labels.numel() == 0)
            throw new InputException($"{train.Name}: the {Kinds.NameOf(model)} model {(model.Conditional ? "is conditional and " : "")}needs class labels; these images have none " +
                                     "(an image folder gives them by subfolder)");
        using var scope = NewDisposeScope();
        long largest = labels.max().item<long>();
        int classes = train.LabelNames?.Count ?? (int)largest + 1;
        if (labels.min().item<long>() < 0 || largest >= classes)
            throw new InputException($"{train.Name}: labels must lie in 0–{classes - 1} (one per class name), found {labels.min().item<long>()}–{largest}");
        var counts = labels.cpu().bincount(null, classes).to_type(ScalarType.Float64);
        var shares = (counts / counts.sum()).data<double>().ToArray();
        return model with { Classes = classes, ClassNames = train.LabelNames?.ToArray(), ClassFrequencies = shares };
    }

    /// <summary>Refuses data of another image shape than the run in <paramref name="folder"/> was trained on.</summary>
    /// <exception cref="InputException">The shapes differ.</exception>
    public static void CheckShape(GanConfig config, TrainingSet train, string folder)
    {
        var m = config.Model;
        if (train.ImageShape != (m.Channels, m.Height, m.Width))
            throw new InputException(
                $"{train.Name}: images are {Shape(train.ImageShape)} but the run in {folder} was trained on {Shape((m.Channels, m.Height, m.Width))}");
    }

    static string Shape((int C, int H, int W) s) => $"{s.C}×{s.H}×{s.W}";

    /// <summary>Sets libtorch's thread count (0: leave it, one per core).</summary>
    public static void ApplyThreads(int threads)
    {
        if (threads > 0) torch.set_num_threads(threads);
    }
}
