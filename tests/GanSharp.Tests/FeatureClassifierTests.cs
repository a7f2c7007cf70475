using GanSharp.Data;
using GanSharp.Evaluation;
using GanSharp.Imaging;
using static TorchSharp.torch;

namespace GanSharp.Tests;

public class FeatureClassifierTests
{
    [Fact]
    public void The_classifier_learns_the_fixture_is_cached_and_a_damaged_cache_is_retrained()
    {
        var cache = TestSupport.TempFolder();
        using var data = DatasetLoader.Load(TestSupport.MnistFixture);
        var (net, info) = FeatureClassifier.ForDataset(data, cache);
        using (net)
        {
            Assert.True(info.TestAccuracy > 0.5, $"accuracy {info.TestAccuracy} on 417 training digits");  // chance: 0.1
            Assert.Equal(100, info.TestImages);
            var (features, probabilities) = net.Embed(data.Test!.Images, batch: 33);
            using var _ = features; using var __ = probabilities;
            Assert.Equal([100L, FeatureClassifier.FeatureDim], features.shape);
            Assert.True(probabilities.sum(1).allclose(ones(100), atol: 1e-5));
            Assert.True(features.min().item<float>() >= 0);                        // post-ReLU features
            Assert.Equal(info.TestAccuracy, net.Accuracy(data.Test.Images, data.Test.Labels!), 9);
        }

        var weights = Directory.GetFiles(Path.Combine(cache, "classifiers"), "*.weights").Single();
        var stamp = File.GetLastWriteTimeUtc(weights);
        var (cached, cachedInfo) = FeatureClassifier.ForDataset(data, cache);    // from the cache: same net, not retrained
        using (cached)
        {
            Assert.Equal(info, cachedInfo);
            Assert.Equal(stamp, File.GetLastWriteTimeUtc(weights));
            Assert.Equal(info.TestAccuracy, cached.Accuracy(data.Test!.Images, data.Test.Labels!), 9);
        }

        var bytes = File.ReadAllBytes(weights);
        bytes[^1] ^= 0xFF;
        File.WriteAllBytes(weights, bytes);
        var messages = new List<string>();
        var (retrained, retrainedInfo) = FeatureClassifier.ForDataset(data, cache, new SyncProgress(messages.Add));
        retrained.Dispose();
        Assert.Contains(messages, m => m.Contains("checksum mismatch"));
        Assert.Equal(info.TestAccuracy, retrainedInfo.TestAccuracy, 9);            // the same seed trains the same net
    }

    [Fact]
    public void Unlabelled_data_is_refused_with_the_reason()
    {
        using var images = rand(60, 1, 8, 8);
        using var data = DatasetSplits.Paper(new ImageDataset("unlabelled", images.clone()), null);
        Assert.Contains("has no labels", Assert.Throws<InputException>(() => FeatureClassifier.Train(data, epochs: 1)).Message);
    }

    [Fact]
    public void Colour_images_are_classified_and_measured_like_grey_ones()
    {
        // 3×16×16 images whose class is their dominant colour (red, green, blue) under noise: a colour-only task.
        using var rng = new TorchSharp.torch.Generator(4);
        using var labels = randint(0, 3, [300], generator: rng);
        using var colour = nn.functional.one_hot(labels, 3).to_type(ScalarType.Float32).view(300, 3, 1, 1);
        var images = colour.mul(0.6).add(rand([300, 3, 16, 16], generator: rng).mul(0.4));
        var all = new ImageDataset("colours", ImageGrid.ToBytes(images), labels.clone()) { LabelNames = ["red", "green", "blue"] };
        images.Dispose();
        using var data = DatasetSplits.Tenths(all);
        var (net, info) = FeatureClassifier.ForDataset(data, TestSupport.TempFolder());
        using (net)
        {
            Assert.True(info.TestAccuracy > 0.9, $"accuracy {info.TestAccuracy}");  // chance: 1/3
            var real = data.Validation.Images;  // owned by the dataset
            var report = FeatureEvaluation.Compare(net, real, data.Test!.Images, seed: 1);
            Assert.True(report.Frechet >= 0 && double.IsFinite(report.Frechet));
            Assert.InRange(report.Recall, 0, 1);
        }
    }

    sealed class SyncProgress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
