using System.IO.Compression;
using System.Security.Cryptography;
using GanSharp.Data;
using static GanSharp.Tests.TestSupport;

namespace GanSharp.Tests;

/// <summary>A test that needs the real MNIST in the cache. CI fetches it first and sets GANSHARP_REQUIRE_DATA=1, so there it cannot skip.</summary>
public sealed class MnistFactAttribute : FactAttribute
{
    public MnistFactAttribute()
    {
        if (!DatasetCatalog.IsCached(DatasetCatalog.Mnist) && Environment.GetEnvironmentVariable("GANSHARP_REQUIRE_DATA") != "1")
            Skip = "MNIST is not cached: run './gan data fetch mnist' (CI does)";
    }
}

/// <summary>A test that needs the Twemoji set in the cache (CI fetches it too).</summary>
public sealed class EmojiFactAttribute : FactAttribute
{
    public EmojiFactAttribute()
    {
        if (!EmojiDataset.Twitter.IsCached() && Environment.GetEnvironmentVariable("GANSHARP_REQUIRE_DATA") != "1")
            Skip = "emoji-twitter is not cached: run './gan data fetch emoji-twitter' (CI does)";
    }
}

public class CatalogTests
{
    static readonly byte[] Content = [0, 0, 8, 1, 0, 0, 0, 3, 7, 8, 9];  // a valid 3-element IDX file

    static DatasetSpec Spec(params IDatasetSource[] sources) => new(
        "toy", "toy", [new DatasetFile("train-images", "train-images-idx1-ubyte", Convert.ToHexStringLower(SHA256.HashData(Content)), Content.Length)],
        sources);

    [Fact]
    public void Sources_are_tried_in_turn_and_files_are_verified_before_caching()
    {
        var good = TempFolder();
        using (var gz = new GZipStream(File.Create(Path.Combine(good, "train-images-idx1-ubyte.gz")), CompressionLevel.Fastest))
            gz.Write(Content);
        var corrupt = TempFolder();
        File.WriteAllBytes(Path.Combine(corrupt, "train-images-idx1-ubyte"), [.. Content[..^1], 0]);
        var cache = TempFolder();

        var spec = Spec(new WebMirror("http://127.0.0.1:9/"), new LocalFolder(Path.Combine(good, "absent")), new LocalFolder(corrupt), new LocalFolder(good));
        var folder = DatasetCatalog.Ensure(spec, cache);
        Assert.Equal(Content, File.ReadAllBytes(Path.Combine(folder, "train-images-idx1-ubyte")));
        Assert.True(DatasetCatalog.IsCached(spec, cache));
    }

    [Fact]
    public void When_every_source_fails_the_error_says_how_to_provide_the_files()
    {
        var corrupt = TempFolder();
        File.WriteAllBytes(Path.Combine(corrupt, "train-images-idx1-ubyte"), [1, 2, 3]);
        var e = Assert.Throws<GanSharpException>(() =>
            DatasetCatalog.Ensure(Spec(new WebMirror("http://127.0.0.1:9/"), new LocalFolder(corrupt)), TempFolder()));
        Assert.Contains("127.0.0.1", e.Message);
        Assert.Contains("does not match", e.Message);
        Assert.Contains("Provide the files yourself", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void The_cache_folder_follows_flag_then_environment_then_home()
    {
        Assert.Equal(Path.GetFullPath("/x/y"), DatasetCatalog.CacheRoot("/x/y"));
        lock (Gan.Gate)   // the in-process command lines read the same variable
        {
            var previous = Environment.GetEnvironmentVariable(DatasetCatalog.DataEnvironmentVariable);
            try
            {
                Environment.SetEnvironmentVariable(DatasetCatalog.DataEnvironmentVariable, "/from/env");
                Assert.Equal("/from/env", DatasetCatalog.CacheRoot());
            }
            finally
            {
                Environment.SetEnvironmentVariable(DatasetCatalog.DataEnvironmentVariable, previous);
            }
        }
    }

    [MnistFact]
    public void Mnist_loads_with_the_papers_split()
    {
        using var splits = DatasetLoader.Load("mnist");
        Assert.Equal(50_000, splits.Train.Count);
        Assert.Equal(10_000, splits.Validation.Count);
        Assert.Equal(10_000, splits.Test!.Count);
        Assert.Equal(5L, splits.Train.Labels![0].item<long>());       // train[0] is a 5
        Assert.Equal(3L, splits.Validation.Labels![0].item<long>());  // train[50000] is a 3
        Assert.Equal(7L, splits.Test.Labels![0].item<long>());        // test[0] is a 7
    }

    [EmojiFact]
    public void Emoji_twitter_has_its_3786_images_in_ten_categories_and_a_fixed_split()
    {
        using var splits = DatasetLoader.Load(new Configuration.DataConfig { Dataset = "emoji-twitter", ImageSize = 32 });
        Assert.Equal(3_786, splits.Train.Count + splits.Validation.Count + splits.Test!.Count);
        Assert.Equal((3030L, 378L, 378L), (splits.Train.Count, splits.Validation.Count, splits.Test.Count));
        Assert.Empty(splits.Skipped);
        Assert.Equal((3, 32, 32), splits.Train.ImageShape);
        Assert.Equal(["Smileys & Emotion", "People & Body", "Component", "Animals & Nature", "Food & Drink", "Travel & Places",
                      "Activities", "Objects", "Symbols", "Flags"], splits.Train.LabelNames);
        using var counts = TorchSharp.torch.bincount(TorchSharp.torch.cat([splits.Train.Labels!, splits.Validation.Labels!, splits.Test.Labels!]));
        Assert.Equal(2_261, counts[1].item<long>());   // People & Body, with its skin-tone variants
    }

    [Fact]
    public void A_dataset_that_a_system_package_provides_says_the_one_command_that_installs_it()
    {
        var spec = new Data.DatasetSpec("fashion-mnist", "test", Data.DatasetCatalog.FashionMnist.Files,
            [new Data.LocalFolder(Path.Combine(TempFolder(), "absent"), "the Debian package dataset-fashion-mnist", "sudo apt-get install dataset-fashion-mnist")]);
        var e = Assert.Throws<GanSharpException>(() => Data.DatasetCatalog.Ensure(spec, TempFolder()));
        Assert.StartsWith("fashion-mnist is not on this machine and could not be fetched: run 'sudo apt-get install dataset-fashion-mnist', then try again (tried: ", e.Message);
    }
}
