using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using GanSharp.Data;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GanSharp.Evaluation;

/// <summary>What a trained feature classifier is, and how well it classifies held-out images.</summary>
/// <param name="Dataset">Name of the dataset it was trained on.</param>
/// <param name="DataHash">SHA-256 (first 16 hex digits) of the training images it was trained on.</param>
/// <param name="Architecture">The network, in words (a changed architecture invalidates cached classifiers).</param>
/// <param name="Epochs">Passes over the training images.</param>
/// <param name="TestAccuracy">Share of the test images classified correctly.</param>
/// <param name="TestImages">How many test images that was measured on.</param>
/// <param name="Seconds">Training time.</param>
/// <param name="WeightsSha256">SHA-256 of the weights file, checked on load.</param>
public sealed record ClassifierInfo(string Dataset, string DataHash, string Architecture, int Epochs, double TestAccuracy,
                                    long TestImages, double Seconds, string WeightsSha256);

/// <summary>
/// GanSharp's stand-in for the Inception network: a small CNN trained on the dataset's labelled training images.
/// Its penultimate layer (128 ReLU units) is the feature space of the Fréchet, kernel and precision/recall metrics, and
/// its softmax the p(y|x) of the classifier score. Layers: conv 3×3 (32) → ReLU → max-pool 2 → conv 3×3 (64) → ReLU →
/// max-pool 2 → linear 128 → ReLU (features) → linear K (logits).
/// </summary>
public sealed class FeatureClassifier : nn.Module<Tensor, Tensor>
{
    /// <summary>Bumped when the layers change, so that a cached classifier of another shape is retrained.</summary>
    public const string Architecture = "conv32-conv64-fc128-v4";
    /// <summary>Width of the feature layer.</summary>
    public const int FeatureDim = 128;

    private readonly Conv2d conv1, conv2;
    private readonly Linear hidden, head;

    /// <summary>Builds the network for <paramref name="channels"/>×<paramref name="height"/>×<paramref name="width"/> images and <paramref name="classes"/> classes, initialised from <paramref name="rng"/>.</summary>
    public FeatureClassifier(int channels, int height, int width, int classes, torch.Generator? rng = null) : base("classifier")
    {
        conv1 = nn.Conv2d(channels, 32, 3, padding: 1);
        conv2 = nn.Conv2d(32, 64, 3, padding: 1);
        hidden = nn.Linear(64L * (height / 4) * (width / 4), FeatureDim);
        head = nn.Linear(FeatureDim, classes);
        RegisterComponents();
        // PyTorch's default ranges, U(±1/√fan_in), drawn from the given generator so that training is repeatable.
        using var _ = no_grad();
        foreach (var (weight, bias, fanIn) in new (Tensor, Tensor, long)[]
                 {
                     (conv1.weight!, conv1.bias!, channels * 9L), (conv2.weight!, conv2.bias!, 32 * 9L),
                     (hidden.weight!, hidden.bias!, hidden.weight!.shape[1]), (head.weight!, head.bias!, FeatureDim),
                 })
        {
            double bound = 1 / Math.Sqrt(fanIn);
            weight.uniform_(-bound, bound, rng);
            bias.uniform_(-bound, bound, rng);
        }
    }

    /// <summary>images [B, C, H, W] → features [B, 128].</summary>
    public Tensor Features(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = nn.functional.max_pool2d(conv1.forward(x).relu_(), 2);   // [B, 32, H/2, W/2]
        h = nn.functional.max_pool2d(conv2.forward(h).relu_(), 2);       // [B, 64, H/4, W/4]
        return hidden.forward(h.flatten(1)).relu_().MoveToOuterDisposeScope();  // [B, 128]
    }

    /// <summary>images [B, C, H, W] → class logits [B, K].</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return head.forward(Features(x)).MoveToOuterDisposeScope();
    }

    /// <summary>Classes the classifier tells apart (its output units).</summary>
    public int Classes => (int)head.weight!.shape[0];

    /// <summary>
    /// Features <c>[N, 128]</c> and class probabilities <c>[N, K]</c> of <paramref name="images"/>, in evaluation mode
    /// without autograd, <paramref name="batch"/> images at a time.
    /// </summary>
    public (Tensor Features, Tensor Probabilities) Embed(Tensor images, int batch = 1000)
    {
        using var _ = inference_mode();
        eval();
        var device = conv1.weight!.device;
        var features = new List<Tensor>();
        var probabilities = new List<Tensor>();
        for (long start = 0; start < images.shape[0]; start += batch)
        {
            using var scope = NewDisposeScope();
            var x = images.narrow(0, start, Math.Min(batch, images.shape[0] - start)).to(device);
            var f = Features(x);
            features.Add(f.MoveToOuterDisposeScope());
            probabilities.Add(nn.functional.softmax(head.forward(f), 1).MoveToOuterDisposeScope());
        }
        var result = (cat(features), cat(probabilities));
        foreach (var t in features.Concat(probabilities)) t.Dispose();
        return result;
    }

    /// <summary>Share of <paramref name="images"/> whose predicted class is <paramref name="labels"/>.</summary>
    public double Accuracy(Tensor images, Tensor labels)
    {
        var (features, probabilities) = Embed(images);
        using var _ = features;
        using var __ = probabilities;
        using var predicted = probabilities.argmax(1);
        using var correct = predicted.eq(labels.to(predicted.device));
        return correct.to_type(ScalarType.Float64).mean().item<double>();
    }

    /// <summary>
    /// Trains a classifier on <paramref name="data"/>'s labelled training images (Adam, lr 1e-3 falling by 0.8× per
    /// epoch, minibatches of 128 shifted by up to 2 pixels, <paramref name="epochs"/> passes, a fixed seed) and measures
    /// it on the test images.
    /// </summary>
    /// <exception cref="InputException">The data has no labels or no test images.</exception>
    public static (FeatureClassifier Net, ClassifierInfo Info) Train(DatasetSplits data, int epochs = 12, IProgress<string>? progress = null,
                                                                      CancellationToken cancel = default)
    {
        var train = data.Train;
        var labels = train.Labels ?? throw new InputException($"{train.Name} has no labels: the feature classifier needs labelled training images");
        var test = data.Test ?? throw new InputException($"{train.Name} has no test images to measure the feature classifier on");
        if (test.Labels is null) throw new InputException($"{test.Name} has no labels to measure the feature classifier on");
        var clock = Stopwatch.StartNew();
        var (c, h, w) = train.ImageShape;
        int classes = (int)labels.max().item<long>() + 1;
        using var rng = new torch.Generator(20140610);
        var net = new FeatureClassifier(c, h, w, classes, rng);
        using var optimizer = optim.Adam(net.parameters(), 1e-3);
        const int batch = 128;
        long n = train.Count;
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            foreach (var group in optimizer.ParamGroups) group.LearningRate = 1e-3 * Math.Pow(0.8, epoch);
            net.train();
            using var order = randperm(n, generator: rng);
            double lossSum = 0;
            long batches = 0;
            for (long start = 0; start + batch <= n; start += batch)
            {
                cancel.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var rows = order.narrow(0, start, batch);
                var logits = net.forward(Shifted(train.Images.index_select(0, rows), rng));
                var loss = nn.functional.cross_entropy(logits, labels.index_select(0, rows));
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
                lossSum += loss.item<float>();
                batches++;
            }
            var left = clock.Elapsed / (epoch + 1) * (epochs - epoch - 1);          // the epochs so far, at their mean pace
            progress?.Report($"classifier epoch {epoch + 1}/{epochs}: loss {lossSum / batches:F4}, " +
                             $"validation accuracy {net.Accuracy(data.Validation.Images, data.Validation.Labels!):P2}; " +
                             $"{Minutes(clock.Elapsed)} so far, ETA {Minutes(left)}");
        }
        double accuracy = net.Accuracy(test.Images, test.Labels);
        var info = new ClassifierInfo(train.Name, DataHash(train.Images), Architecture, epochs, accuracy, test.Count,
                                      clock.Elapsed.TotalSeconds, "");
        return (net, info);
    }

    static string Minutes(TimeSpan t) => $"{(int)t.TotalMinutes}m{t.Seconds:D2}s";

    /// <summary>
    /// The minibatch moved by a random whole-pixel offset of up to 2 pixels each way (zeros come in at the edges): the
    /// augmentation that takes a small CNN past 99% on MNIST. One offset per minibatch keeps it a single copy.
    /// </summary>
    static Tensor Shifted(Tensor images, torch.Generator rng)
    {
        using var offsets = randint(0, 5, [2], generator: rng);
        int dy = (int)offsets[0].item<long>(), dx = (int)offsets[1].item<long>();
        long h = images.shape[2], w = images.shape[3];
        using var padded = nn.functional.pad(images, [2, 2, 2, 2]);          // [B, C, H + 4, W + 4]
        return padded.narrow(2, dy, h).narrow(3, dx, w).contiguous();
    }

    /// <summary>SHA-256 (16 hex digits) of a tensor's bytes: identifies the images a classifier was trained on.</summary>
    public static string DataHash(Tensor images)
    {
        using var bytes = images.contiguous().to_type(ScalarType.Float32);
        return Convert.ToHexStringLower(SHA256.HashData(bytes.bytes))[..16];
    }

    /// <summary>
    /// The cached classifier for <paramref name="data"/> (in <c>&lt;cache&gt;/classifiers/</c>), trained and cached first
    /// if there is none for these training images and this architecture. A damaged cache file is retrained, not used.
    /// </summary>
    public static (FeatureClassifier Net, ClassifierInfo Info) ForDataset(DatasetSplits data, string? dataDir = null,
                                                                           IProgress<string>? progress = null, bool retrain = false,
                                                                           CancellationToken cancel = default)
    {
        var hash = DataHash(data.Train.Images);
        var folder = Path.Combine(DatasetCatalog.CacheRoot(dataDir), "classifiers");
        var stem = Path.Combine(folder, $"{Architecture}-{hash}");
        string weightsPath = stem + ".weights", infoPath = stem + ".json";
        var (c, h, w) = data.Train.ImageShape;
        if (!retrain && File.Exists(weightsPath) && File.Exists(infoPath))
        {
            var info = JsonSerializer.Deserialize<ClassifierInfo>(File.ReadAllText(infoPath), EvaluationFiles.Json);
            var weights = File.ReadAllBytes(weightsPath);
            if (info is not null && Convert.ToHexStringLower(SHA256.HashData(weights)) == info.WeightsSha256)
            {
                int classes = (int)(data.Train.Labels?.max().item<long>() ?? 9) + 1;
                var net = new FeatureClassifier(c, h, w, classes);
                using var reader = new BinaryReader(new MemoryStream(weights));
                net.load(reader, strict: true);
                net.eval();
                return (net, info);
            }
            progress?.Report($"{weightsPath}: checksum mismatch, retraining");
        }
        progress?.Report($"the features and classes evaluations measure images in a classifier's features: training it for {data.Train.Name} " +
                         $"first, 12 epochs over {data.Train.Count:N0} images (minutes on a CPU; progress below); done once for these " +
                         $"images, then cached in {folder} for every later run (parzen alone needs no classifier)");
        var (trained, trainedInfo) = Train(data, progress: progress, cancel: cancel);
        using var memory = new MemoryStream();
        using (var writer = new BinaryWriter(memory, System.Text.Encoding.UTF8, leaveOpen: true)) trained.save(writer);
        var bytes = memory.ToArray();
        trainedInfo = trainedInfo with { WeightsSha256 = Convert.ToHexStringLower(SHA256.HashData(bytes)) };
        AtomicFile.Write(weightsPath, s => s.Write(bytes));
        EvaluationFiles.Write(infoPath, trainedInfo);
        trained.eval();
        return (trained, trainedInfo);
    }
}
