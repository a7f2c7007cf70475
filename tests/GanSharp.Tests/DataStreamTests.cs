using GanSharp.Configuration;
using GanSharp.Data;
using GanSharp.Imaging;
using static GanSharp.Tests.TestSupport;
using static TorchSharp.torch;

namespace GanSharp.Tests;

/// <summary>Data typed by kind: one dataset, or two unpaired domains — their configuration, loading and minibatches.</summary>
public class DataStreamTests
{
    [Fact]
    public void Data_is_typed_by_kind_and_files_without_a_kind_read_as_one_dataset()
    {
        var old = GanConfig.FromJson("""{ "data": { "dataset": "fashion-mnist" } }""", "old.json");
        Assert.Equal(new DataConfig { Dataset = "fashion-mnist" }, old.Data);
        Assert.Contains("\"kind\": \"images\"", old.ToJson());
        var two = GanConfig.Overlay(Presets.DcganMnist, """{ "data": { "kind": "two-domains", "x": { "dataset": "a" }, "y": { "dataset": "b" } } }""", "two.json");
        Assert.Equal(new TwoDomainsConfig { X = new DataConfig { Dataset = "a" }, Y = new DataConfig { Dataset = "b" } }, two.Data);
        Assert.Equal("data: the algorithm1 game trains on one dataset, not two domains, x: a and y: b (two domains are for a game that translates between them)",
                     Assert.Throws<InputException>(() => two.Validate()).Message);
        Assert.Equal("this run trains on two domains, x: a and y: b, not one dataset", Assert.Throws<InputException>(() => two.Images).Message);
        Assert.Contains("data: unknown kind 'pairs' (known: images, two-domains)",
                        Assert.Throws<InputException>(() => GanConfig.FromJson("""{ "data": { "kind": "pairs" } }""", "x.json")).Message);
        var unlike = new TwoDomainsConfig { X = new DataConfig { ImageSize = 32 }, Y = new DataConfig { ImageSize = 64 } };
        Assert.Contains("domains x and y must be prepared alike", Assert.Single(unlike.Problems()));
    }

    static string Folder(int count, int size, int seed)
    {
        var folder = TempFolder();
        using var rng = new TorchSharp.torch.Generator((ulong)seed);
        using var images = rand([count, 3, size, size], generator: rng);
        for (int i = 0; i < count; i++)
        {
            using var one = images[i].unsqueeze(0);
            ImageGrid.SavePng(one, Path.Combine(folder, $"{i:D3}.png"), padding: 0);
        }
        return folder;
    }

    [Fact]
    public void Two_domains_load_with_their_own_splits_in_one_shape_or_are_refused_naming_both()
    {
        string x = Folder(30, 20, 1), y = Folder(50, 12, 2);
        var config = new TwoDomainsConfig { X = new DataConfig { Dataset = x, ImageSize = 16 }, Y = new DataConfig { Dataset = y, ImageSize = 16 } };
        using (var data = TwoDomainData.Load(config))
        {
            Assert.Equal((3, 16, 16), data.ImageShape);
            Assert.Equal(24, data.X.Train.Count);   // tenths: 8 train, 1 validation, 1 test
            Assert.Equal(40, data.Y.Train.Count);
        }
        var mixed = config with { Y = new DataConfig { Dataset = MnistFixture } };
        var e = Assert.Throws<InputException>(() => TwoDomainData.Load(mixed with { X = mixed.X with { ImageSize = null } }));
        Assert.Contains($"domain x ({x}) has 3×64×64 images and domain y ({MnistFixture}) 1×28×28", e.Message);
        Assert.StartsWith("data.y: ", Assert.Throws<InputException>(() => TwoDomainData.Load(config with { Y = config.Y with { Dataset = Path.Combine(x, "none") } })).Message);
    }

    [Fact]
    public void Unpaired_minibatches_are_a_function_of_the_seed_and_index_and_the_smaller_domain_comes_round_evenly()
    {
        using var x = arange(10).to_type(ScalarType.Float32).view(10, 1, 1, 1).div(255);   // pixel i/255: image i
        using var y = arange(4).to_type(ScalarType.Float32).view(4, 1, 1, 1).div(255);
        using var sampler = new UnpairedSampler(x, y, batch: 2, seed: 7);
        Assert.Equal(5, sampler.BatchesPerEpoch);                                          // the larger domain: 10 / 2
        long[] Ids(Batch b) => b.Images.flatten().mul(255).round().to_type(ScalarType.Int64).data<long>().ToArray();
        var epoch = Enumerable.Range(0, 5).Select(i => sampler.Batch(i)).ToList();
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), epoch.SelectMany(b => Ids(b.X)).Order());   // X: each image once
        var counts = epoch.SelectMany(b => Ids(b.Y)).GroupBy(i => i).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(4, counts.Count);
        Assert.All(counts.Values, c => Assert.InRange(c, 2, 3));                          // Y: ⌊10/4⌋ or ⌈10/4⌉ times
        using var again = new UnpairedSampler(x, y, batch: 2, seed: 7);
        Assert.Equal(Ids(sampler.Batch(7).Y), Ids(again.Batch(7).Y));                      // a resume draws the same
        using var other = new UnpairedSampler(x, y, batch: 2, seed: 8);
        Assert.NotEqual(Enumerable.Range(0, 5).SelectMany(i => Ids(sampler.Batch(i).X)), Enumerable.Range(0, 5).SelectMany(i => Ids(other.Batch(i).X)));
    }
}
