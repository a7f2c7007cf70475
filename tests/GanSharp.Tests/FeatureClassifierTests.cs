using GanSharp.Data;
using GanSharp.Evaluation;
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

    sealed class SyncProgress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
