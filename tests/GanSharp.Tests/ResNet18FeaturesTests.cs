using System.Text;
using System.Text.Json;
using GanSharp.Configuration;
using GanSharp.Data;
using GanSharp.Evaluation;
using GanSharp.Games;
using GanSharp.Models;
using static GanSharp.Tests.TestSupport;
using static TorchSharp.torch;

namespace GanSharp.Tests;

/// <summary>The ImageNet ResNet-18 (its ONNX graph on TorchSharp), the style probe, and the translation evaluation built on them.</summary>
public class ResNet18FeaturesTests
{
    static readonly Lazy<ResNet18Features> Net = new(() => new ResNet18Features());

    [Fact]
    public void The_feature_cache_gives_back_the_nets_bytes_and_misses_on_changed_images_or_damaged_files()
    {
        using var rng = new TorchSharp.torch.Generator(5);
        using var images = rand([3, 3, 12, 12], generator: rng);
        using var direct = Net.Value.Features(images);
        var cache = new FeatureCache(Path.Combine(TempFolder(), "features"));

        using (var first = cache.Features(Net.Value, images)) Assert.True(first.equal(direct).all().item<bool>());
        using (var again = cache.Features(Net.Value, images)) Assert.True(again.equal(direct).all().item<bool>());   // read back: the same bytes
        Assert.Equal(1, cache.Misses);
        var file = Assert.Single(Directory.GetFiles(cache.Folder));

        using var changed = images.clone();
        changed[0, 0, 0, 0] = changed[0, 0, 0, 0] + 0.5;                                                       // one pixel: another key
        using (var other = cache.Features(Net.Value, changed)) Assert.False(other.equal(direct).all().item<bool>());
        Assert.Equal(2, cache.Misses);

        var bytes = File.ReadAllBytes(file);
        bytes[10] ^= 0x40;                                                                                     // a damaged feature: the checksum fails
        File.WriteAllBytes(file, bytes);
        using (var repaired = cache.Features(Net.Value, images)) Assert.True(repaired.equal(direct).all().item<bool>());
        Assert.Equal(3, cache.Misses);
        using (var read = cache.Features(Net.Value, images)) Assert.True(read.equal(direct).all().item<bool>());     // the file was replaced
        Assert.Equal(3, cache.Misses);
    }

    [Fact]
    public void The_onnx_reader_reads_a_hand_written_model()
    {
        // ModelProto { graph: GraphProto { node: Conv(x, w) → y with strides [2, 2], initializer w [1, 1, 1, 2] = (0.5, −1), input x, w, output y } }
        static byte[] Field(int number, byte[] body) => [(byte)(number << 3 | 2), .. Varint(body.Length), .. body];
        static byte[] Text(int number, string s) => Field(number, Encoding.UTF8.GetBytes(s));
        static byte[] Varint(long v)
        {
            var bytes = new List<byte>();
            do { bytes.Add((byte)((v & 0x7F) | (v >= 0x80 ? 0x80L : 0L))); v >>= 7; } while (v > 0);
            return [.. bytes];
        }
        static byte[] Number(int number, long v) => [.. Varint(number << 3), .. Varint(v)];
        byte[] attribute = [.. Text(1, "strides"), .. Number(8, 2), .. Number(8, 2), .. Number(20, 7)];
        byte[] node = [.. Text(1, "x"), .. Text(1, "w"), .. Text(2, "y"), .. Text(3, "conv0"), .. Text(4, "Conv"), .. Field(5, attribute)];
        byte[] weight = [.. Field(1, [.. Varint(1), .. Varint(1), .. Varint(1), .. Varint(2)]), .. Number(2, 1), .. Text(8, "w"),
                         .. Field(9, [.. BitConverter.GetBytes(0.5f), .. BitConverter.GetBytes(-1f)])];
        byte[] graph = [.. Field(1, node), .. Field(5, weight), .. Field(11, Text(1, "x")), .. Field(11, Text(1, "w")), .. Field(12, Text(1, "y"))];
        var path = Path.Combine(TempFolder(), "tiny.onnx");
        File.WriteAllBytes(path, [.. Number(1, 7), .. Field(7, graph)]);   // ir_version 7, then the graph

        var model = OnnxModel.Read(path);
        var conv = Assert.Single(model.Nodes);
        Assert.Equal(("Conv", "conv0"), (conv.Op, conv.Name));
        Assert.Equal(["x", "w"], conv.Inputs);
        Assert.Equal([2L, 2], conv.Attributes["strides"].Ints);
        Assert.Equal([1L, 1, 1, 2], model.Weights["w"].Shape);
        Assert.Equal([0.5f, -1f], model.Weights["w"].Values);
        Assert.Equal(["x"], model.Inputs);                          // w is a weight, not an input to feed
        Assert.Equal(["y"], model.Outputs);

        File.WriteAllBytes(path, [.. Number(1, 7), .. Field(7, graph)[..^3]]);   // cut short
        Assert.Contains("not a readable ONNX model", Assert.Throws<InputException>(() => OnnxModel.Read(path)).Message);
    }

    [Fact]
    public void Preprocessing_is_the_packages_resize_bgr_and_mean_image()
    {
        var net = Net.Value;
        // A constant image resizes to itself: the input is 255·v, channels reversed, less the mean image.
        using var rgb = tensor(new[] { 0.2f, 0.5f, 0.9f }).view(1, 3, 1, 1).expand(1, 3, 32, 32);
        using var input = net.Preprocess(rgb);
        Assert.Equal([1L, 3, 224, 224], input.shape);
        using var zero = net.Preprocess(zeros(1, 3, 32, 32));             // −mean
        using var difference = input - zero;                               // 255·v in BGR
        Assert.Equal(0.9f * 255, difference[0, 0].mean().item<float>(), 3);
        Assert.Equal(0.5f * 255, difference[0, 1].mean().item<float>(), 3);
        Assert.Equal(0.2f * 255, difference[0, 2].mean().item<float>(), 3);
        Assert.True(difference[0, 0].std().item<float>() < 1e-3);
        // Grey images are repeated to three channels.
        using var grey = full(1, 1, 32, 32, 0.4f);
        using var greyInput = net.Preprocess(grey) - zero;
        Assert.True(greyInput.sub(0.4f * 255).abs().max().item<float>() < 1e-3);
        // Bilinear with half-pixel centres: a 2-pixel ramp keeps its ends at the far edges.
        using var ramp = tensor(new[] { 0f, 1f }).view(1, 1, 1, 2).expand(1, 3, 2, 2);
        using var rampInput = net.Preprocess(ramp) - zero;
        Assert.Equal(0f, rampInput[0, 0, 0, 0].item<float>(), 3);
        Assert.Equal(255f, rampInput[0, 0, 0, 223].item<float>(), 3);
        Assert.Equal(127.5f, rampInput[0, 0, 0, 111].add(rampInput[0, 0, 0, 112]).div(2).item<float>(), 3);
    }

    [Fact]
    public void Features_match_onnx_runtimes_recorded_for_the_same_images()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "resnet18-reference.json")));
        var expected = document.RootElement.GetProperty("features").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        using var rng = new TorchSharp.torch.Generator(7);
        using var images = rand([4, 3, 32, 32], generator: rng);
        using var features = Net.Value.Features(images);
        Assert.Equal([4L, ResNet18Features.FeatureDim], features.shape);
        var actual = features.data<float>().ToArray();
        Assert.Equal(expected.Length, actual.Length);
        double worst = expected.Zip(actual).Max(p => Math.Abs(p.First - p.Second));
        Assert.True(worst < 1e-4, $"largest difference from ONNX Runtime's features: {worst}");
        // Style statistics: a mean and a deviation per channel of each ReLU, computed in the same pass.
        var (again, style) = Net.Value.FeaturesAndStyle(images);
        using (again) using (style)
        {
            Assert.True(Equal(features, again));
            Assert.Equal([4L, Net.Value.StyleDim], style.shape);
            // 19 ReLUs: the stem's and two per residual block — CNTK's export has 2, 2, 2 and 3 blocks of 64, 128, 256 and 512 maps.
            Assert.Equal(2 * (64 + 2 * 2 * 64 + 2 * 2 * 128 + 2 * 2 * 256 + 3 * 2 * 512), Net.Value.StyleDim);
        }
    }

    [Fact]
    public void The_resnet18_space_labels_by_nearest_neighbour_and_writes_the_registrys_metrics()
    {
        // Three classes of colour images: mostly red, mostly green, mostly blue, with noise.
        using var rng = new TorchSharp.torch.Generator(11);
        Tensor Images(long[] labels)
        {
            var x = rand([labels.Length, 3, 8, 8], generator: rng) * 0.6;
            for (int i = 0; i < labels.Length; i++) x[i, labels[i]].add_(0.4);
            return x;
        }
        long[] trainLabels = [0, 1, 2, 0, 1, 2, 0, 1, 2], queryLabels = [0, 1, 2, 2, 1, 0, 1, 0];
        using var train = new ImageDataset("train", Images(trainLabels), tensor(trainLabels));
        using var queries = new ImageDataset("queries", Images(queryLabels), tensor(queryLabels));
        using var space = FeatureSpace.Of(new ResNet18Features());
        double accuracy = space.NearestNeighbourAccuracy(queries, train);
        // By hand: each query's nearest training image by squared Euclidean distance of the net's features.
        using var q = Net.Value.Features(queries.Images);
        using var t = Net.Value.Features(train.Images);
        var qa = q.data<float>().ToArray();
        var ta = t.data<float>().ToArray();
        int d = ResNet18Features.FeatureDim;
        double D(int i, int j) => Enumerable.Range(0, d).Sum(k => Math.Pow(qa[i * d + k] - ta[j * d + k], 2));
        int right = Enumerable.Range(0, queryLabels.Length).Count(i => trainLabels[Enumerable.Range(0, trainLabels.Length).MinBy(j => D(i, j))] == queryLabels[i]);
        Assert.Equal(right / (double)queryLabels.Length, accuracy, 12);
        Assert.Contains("_resnet18", space.Key);
        Assert.Contains("ImageNet ResNet-18", space.Description);
        using var unlabelled = new ImageDataset("unlabelled", rand([2, 3, 8, 8]));
        Assert.Contains("unlabelled", Assert.Throws<InputException>(() => space.NearestNeighbourAccuracy(unlabelled, train)).Message);

        // The periodic evaluation in this space writes exactly the registry's resnet18 metrics (no classifier score).
        var config = Tiny();
        using var g = Nets.CreateGenerator(config.Model, new TorchSharp.torch.Generator(3));
        using var validation = new ImageDataset("validation", rand([12, 1, 4, 4], generator: rng));
        using var test = new ImageDataset("test", rand([12, 1, 4, 4], generator: rng));
        using var evaluation = new PeriodicFeatureEvaluation(FeatureSpace.Of(new ResNet18Features()), MetricRegistry.ResNet18, validation, samples: 12,
                                                             realImages: test);
        var values = evaluation.Evaluate(new GameProduct("algorithm1", g));
        Assert.Equal(MetricRegistry.ResNet18.Metrics.Select(m => m.Name), values.Keys);
        Assert.Equal(MetricRegistry.ResNet18.Metrics.Select(m => m.Name), evaluation.References().Keys);
        Assert.Equal("fid_resnet18_valid", evaluation.SelectBy);
        Assert.False(evaluation.HigherIsBetter);
        Assert.All(values.Values, v => Assert.True(double.IsFinite(v)));
    }

    [Fact]
    public void Retrieval_ranks_each_true_counterpart_among_all_targets()
    {
        using var rng = new TorchSharp.torch.Generator(5);
        using var targets = randn([30, 6], generator: rng);
        using var noise = randn([30, 6], generator: rng);
        using var queries = targets + noise * 0.8;
        var (top1, top5) = TranslationEvaluation.Retrieval(queries, targets);
        // By hand: each query's distance to every target, and the rank of its own.
        var q = queries.data<float>().ToArray();
        var t = targets.data<float>().ToArray();
        double D(int i, int j) => Enumerable.Range(0, 6).Sum(k => Math.Pow(q[i * 6 + k] - t[j * 6 + k], 2));
        var ranks = Enumerable.Range(0, 30).Select(i => Enumerable.Range(0, 30).Count(j => j != i && D(i, j) <= D(i, i))).ToArray();
        Assert.Equal(ranks.Count(r => r == 0) / 30.0, top1, 12);
        Assert.Equal(ranks.Count(r => r < 5) / 30.0, top5, 12);
        Assert.True(top1 is > 0 and < 1);                          // the test can tell a wrong rank from a right one
        Assert.Equal((1.0, 1.0), TranslationEvaluation.Retrieval(targets, targets));
    }

    [Fact]
    public void The_style_probe_learns_a_direction_that_separates_two_styles()
    {
        using var rng = new TorchSharp.torch.Generator(9);
        using var direction = randn([40], generator: rng);
        using var x = randn([60, 40], generator: rng) - direction * 0.6;      // style X along −direction, Y along +direction
        using var y = randn([60, 40], generator: rng) + direction * 0.6;
        using var probe = StyleProbe.Train(x, y, "x vs y", "hash");
        Assert.True(probe.Accuracy(x, y) > 0.95, $"{probe.Accuracy(x, y)}");
        using var heldX = randn([200, 40], generator: rng) - direction * 0.6;
        using var heldY = randn([200, 40], generator: rng) + direction * 0.6;
        Assert.True(probe.Accuracy(heldX, heldY) > 0.9, $"{probe.Accuracy(heldX, heldY)}");
        Assert.Equal(1 - probe.ShareCalled(heldX, 0), probe.ShareCalled(heldX, 1), 12);
        using var shuffled = StyleProbe.Train(cat([x.narrow(0, 0, 30), y.narrow(0, 0, 30)]), cat([x.narrow(0, 30, 30), y.narrow(0, 30, 30)]), "mixed", "h");
        Assert.True(shuffled.Accuracy(heldX, heldY) is > 0.3 and < 0.7);      // labels that mean nothing: chance
    }

    /// <summary>A translator that returns its input: its translations must score exactly the identity baseline.</summary>
    sealed class Identity : Translator
    {
        public Identity() : base("identity") => RegisterComponents();
        public override Tensor forward(Tensor x) => x.clone();
    }

    /// <summary>A translator that knows the answer: each of its sources to its own target (the perfect translation of the pairs).</summary>
    sealed class Lookup(Tensor sources, Tensor targets) : Translator("lookup")
    {
        public override Tensor forward(Tensor x)
        {
            using var distances = (x.flatten(1).unsqueeze(1) - sources.flatten(1).unsqueeze(0)).abs().sum(2);   // [n, N]
            using var nearest = distances.argmin(1);
            return targets.index_select(0, nearest);
        }
    }

    [Fact]
    public void The_identity_translation_scores_the_identity_baseline_and_a_perfect_one_scores_perfectly()
    {
        using var rng = new TorchSharp.torch.Generator(2);
        using var x = rand([24, 3, 16, 16], generator: rng);
        using var y = (x * 0.7 + 0.3 * rand([24, 3, 16, 16], generator: rng)).clamp(0, 1);   // pairs: y_i resembles x_i
        static DatasetSplits Splits(string name, Tensor images) =>
            new(new ImageDataset(name, images.narrow(0, 0, 12).clone()), new ImageDataset(name, images.narrow(0, 12, 6).clone()),
                new ImageDataset(name, images.narrow(0, 18, 6).clone()), new ImageDataset(name, images.clone()));
        using var data = TwoDomainData.Of(Splits("x", x), Splits("y", y), paired: true);
        var dataDir = TempFolder();
        using var evaluation = GanSharp.Evaluation.PeriodicEvaluations.Translation(data, dataDir);
        using var identity = new Identity();
        var product = new GameProduct("cycle-consistent", null, Translators: new Dictionary<TranslationDirection, Translator>
        {
            [TranslationDirection.XToY] = identity, [TranslationDirection.YToX] = identity,
        });
        var scores = evaluation.Evaluate(product);
        var baseline = evaluation.References();
        foreach (var (name, value) in scores.Where(s => !s.Key.StartsWith("cycle_")))
            Assert.True(Math.Abs(value - baseline[name]) < 1e-4 * Math.Max(1, Math.Abs(value)), $"{name}: {value} against the baseline's {baseline[name]}");
        Assert.Equal(0, scores["cycle_l1_x_to_y"], 6);
        Assert.Contains("style_classifier_accuracy", baseline.Keys);
        Assert.Equal(MetricRegistry.Translation.Metrics.Select(m => m.Name).Where(n => n != "style_classifier_accuracy").Order(), scores.Keys.Order());

        // The perfect translator (each test x to its own y) is at distance 0, retrieves every pair, and is called Y's style as often as Y's own images.
        using var perfect = new Lookup(x.narrow(0, 18, 6), y.narrow(0, 18, 6));
        var best = evaluation.Evaluate(product with { Translators = new Dictionary<TranslationDirection, Translator> { [TranslationDirection.XToY] = perfect, [TranslationDirection.YToX] = identity } });
        Assert.Equal(0, best["translation_l1_x_to_y"], 6);
        Assert.Equal(0, best["translation_feature_x_to_y"], 3);
        Assert.Equal(1, best["retrieval_top1_x_to_y"]);
        Assert.Equal(1 - baseline["style_accuracy_y_to_x"], best["style_accuracy_x_to_y"], 6);   // Y's images called Y's style: 1 − (called X's)
        Assert.Single(Directory.EnumerateFiles(Path.Combine(dataDir, "classifiers")));   // the probe, cached
    }
}
