using GanSharp.Configuration;
using GanSharp.Data;
using GanSharp.Imaging;
using static GanSharp.Tests.TestSupport;
using static TorchSharp.torch;

namespace GanSharp.Tests;

/// <summary>Data typed by kind: one dataset, two unpaired domains, captioned images — their configuration, loading and minibatches.</summary>
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
        Assert.Contains("data: unknown kind 'pairs' (known: images, two-domains, captioned)",
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
        long[] Ids(Tensor t) => t.flatten().mul(255).round().to_type(ScalarType.Int64).data<long>().ToArray();
        var epoch = Enumerable.Range(0, 5).Select(i => sampler.Batch(i)).ToList();
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), epoch.SelectMany(b => Ids(b.Images)).Order());   // X: each image once
        var counts = epoch.SelectMany(b => Ids(b.Other!)).GroupBy(i => i).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(4, counts.Count);
        Assert.All(counts.Values, c => Assert.InRange(c, 2, 3));                          // Y: ⌊10/4⌋ or ⌈10/4⌉ times
        using var again = new UnpairedSampler(x, y, batch: 2, seed: 7);
        Assert.Equal(Ids(sampler.Batch(7).Other!), Ids(again.Batch(7).Other!));                      // a resume draws the same
        using var other = new UnpairedSampler(x, y, batch: 2, seed: 8);
        Assert.NotEqual(Enumerable.Range(0, 5).SelectMany(i => Ids(sampler.Batch(i).Images)), Enumerable.Range(0, 5).SelectMany(i => Ids(other.Batch(i).Images)));
    }

    [Fact]
    public void Captioned_minibatches_average_distinct_captions_of_each_image_as_a_function_of_the_seed_and_index()
    {
        // Image i's pixel is i/255; its caption j is embedded as (i, 2^j): the mean of r picks is (i, s/r) with s a sum of r powers of 2.
        using var pixels = arange(6).to_type(ScalarType.Float32).view(6, 1, 1, 1).div(255);
        using var data = new ImageDataset("six", pixels);
        using var ids = arange(6).to_type(ScalarType.Float32).view(6, 1, 1).expand(6, 5, 1);
        using var powers = pow(2, arange(5)).to_type(ScalarType.Float32).view(1, 5, 1).expand(6, 5, 1);
        using var embeddings = cat([ids, powers], 2).contiguous();                          // [6, 5, 2]
        var set = new CaptionedImages(data, embeddings, captionsPerStep: 3);
        using var sampler = set.Minibatches(CPU, batch: 2, seed: 7);
        Assert.Equal(3, sampler.BatchesPerEpoch);                                            // an epoch: one pass over the images
        var sums = new HashSet<long>();
        for (int index = 0; index < 9; index++)
        {
            var b = sampler.Batch(index);
            var image = b.Images.flatten().mul(255).round().to_type(ScalarType.Int64).data<long>().ToArray();
            var condition = b.Condition!.data<float>().ToArray();                            // [2, 2]
            for (int row = 0; row < 2; row++)
            {
                Assert.Equal(image[row], condition[2 * row]);                                 // the image's own captions
                long sum = (long)Math.Round(condition[2 * row + 1] * 3);
                Assert.Equal(3, System.Numerics.BitOperations.PopCount((ulong)sum));           // three distinct captions of five
                sums.Add(sum);
            }
        }
        Assert.True(sums.Count > 1);                                                         // not always the same three
        using var resumed = set.Minibatches(CPU, batch: 2, seed: 7);
        Assert.Equal(sampler.Batch(5).Condition!.data<float>().ToArray(), resumed.Batch(5).Condition!.data<float>().ToArray());
        Assert.Contains("5 images' caption embeddings for 6 images",
                        Assert.Throws<InputException>(() => new CaptionedImages(data, embeddings.narrow(0, 0, 5))).Message);
        Assert.Contains("captions-per-step must lie in 1…5, the captions each image has (got 6)",
                        Assert.Throws<InputException>(() => new CaptionedImages(data, embeddings, 6)).Message);
    }

    [Fact]
    public void Images_with_fewer_captions_average_all_of_theirs_and_the_wrong_text_is_never_the_images_own()
    {
        // Image i has i % 3 + 1 captions, caption j embedded as (i, 2^j); the slots beyond an image's count hold (−100, −100).
        const int n = 9, k = 3;
        using var pixels = arange(n).to_type(ScalarType.Float32).view(n, 1, 1, 1).div(255);
        using var data = new ImageDataset("nine", pixels);
        var values = new float[n * k * 2];
        var counts = new long[n];
        for (int i = 0; i < n; i++)
        {
            counts[i] = i % 3 + 1;
            for (int j = 0; j < k; j++)
                (values[(i * k + j) * 2], values[(i * k + j) * 2 + 1]) = j < counts[i] ? (i, 1 << j) : (-100f, -100f);
        }
        using var embeddings = tensor(values, [n, k, 2]);
        using var has = tensor(counts);
        var set = new CaptionedImages(data, embeddings, captionsPerStep: 2, counts: has);
        using var sampler = set.Minibatches(CPU, batch: 3, seed: 11);
        var wrongOnes = new HashSet<(long, long)>();
        for (int index = 0; index < 30; index++)
        {
            var b = sampler.Batch(index);
            var image = b.Images.flatten().mul(255).round().to_type(ScalarType.Int64).data<long>().ToArray();
            var condition = b.Condition!.data<float>().ToArray();
            var wrong = b.Mismatched!.data<float>().ToArray();
            for (int row = 0; row < 3; row++)
            {
                long i = image[row], other = (long)Math.Round(wrong[2 * row]);
                Assert.Equal(i, condition[2 * row]);                                         // its own captions only, never a padded slot
                int picks = (int)Math.Min(2, counts[i]);
                long sum = (long)Math.Round(condition[2 * row + 1] * picks);
                Assert.Equal(picks, System.Numerics.BitOperations.PopCount((ulong)sum));    // min(r, n) distinct captions
                Assert.True(sum < 1L << (int)counts[i]);
                Assert.NotEqual(i, other);                                                   // the wrong text: another image's
                Assert.InRange(other, 0, n - 1);
                long otherSum = (long)Math.Round(wrong[2 * row + 1] * Math.Min(2, counts[other]));
                Assert.Equal((int)Math.Min(2, counts[other]), System.Numerics.BitOperations.PopCount((ulong)otherSum));
                wrongOnes.Add((i, other));
            }
        }
        Assert.True(wrongOnes.Count > 20);                                                   // drawn, not a fixed shift
        using var resumed = set.Minibatches(CPU, batch: 3, seed: 11);
        Assert.Equal(sampler.Batch(17).Mismatched!.data<float>().ToArray(), resumed.Batch(17).Mismatched!.data<float>().ToArray());
    }

    /// <summary>A caller's own translator: one linear layer over a 4×4 image's pixels, squashed into [0, 1].</summary>
    sealed class LinearTranslator : GanSharp.Models.Translator
    {
        private readonly TorchSharp.Modules.Linear map;
        public LinearTranslator() : base("linear_translator")
        {
            map = nn.Linear(16, 16);
            RegisterComponents();
        }
        public override Tensor forward(Tensor x) => map.forward(x.flatten(1)).sigmoid().view(-1, 1, 4, 4);
    }

    /// <summary>
    /// A one-way translation between two domains, a caller's own game: T maps X's 4×4 images towards Y's look, a critic
    /// tells T(x) from y. What it supplies is that translation (<see cref="GameProduct.Translation"/>); its grid shows
    /// fixed images of X over their translations, drawn through the product.
    /// </summary>
    sealed class OneWayTranslation : Game
    {
        private readonly LinearTranslator t;
        private readonly TorchSharp.Modules.Linear critic;
        private readonly TorchSharp.Modules.Parameter[] tParams, cParams;
        private readonly TorchSharp.Modules.OptimizerHelper tOptimizer, cOptimizer;
        private readonly Tensor fixedX;   // [4, 1, 4, 4]

        public OneWayTranslation(GanConfig config, TorchSharp.torch.Generator rng, Tensor fixedX)
        {
            t = AddPlayer("translator", new LinearTranslator());
            critic = AddPlayer("critic", nn.Linear(16, 1));
            using (no_grad())
                foreach (var p in t.parameters().Concat(critic.parameters())) p.uniform_(-0.3, 0.3, generator: rng);
            (tParams, cParams) = (t.parameters().ToArray(), critic.parameters().ToArray());
            tOptimizer = AddOptimizer("translator-optimizer", tParams, config.Optimizer);
            cOptimizer = AddOptimizer("critic-optimizer", cParams, config.Optimizer);
            this.fixedX = fixedX;
        }

        public override int BatchesPerStep => 1;

        public override GameProduct Product(string kind, GanSharp.Models.Generator? average = null, bool trainedWeights = false) =>
            new(kind, null, Translators: new Dictionary<TranslationDirection, GanSharp.Models.Translator> { [TranslationDirection.XToY] = t });

        public override IReadOnlyDictionary<string, double> Step(StepContext context)
        {
            using var scope = NewDisposeScope();
            var batch = context.Data.Next();
            var (x, y) = (batch.Images, batch.Other!);                               // unpaired: [m, 1, 4, 4] each
            var fake = t.forward(x);
            var dLoss = nn.functional.softplus(-critic.forward(y.flatten(1))).mean() + nn.functional.softplus(critic.forward(fake.detach().flatten(1))).mean();
            Descend(dLoss, cOptimizer, cParams);
            var gLoss = nn.functional.softplus(-critic.forward(fake.flatten(1))).mean();
            Descend(gLoss, tOptimizer, tParams);
            return new Dictionary<string, double> { ["d_loss"] = dLoss.item<float>(), ["g_loss"] = gLoss.item<float>() };
        }

        public override IFixedGrid CreateGrid(int count, long seed) => new Grid(fixedX);

        sealed class Grid(Tensor fixedX) : IFixedGrid
        {
            public (Tensor Images, int? Columns) Draw(GameProduct product)
            {
                using var translated = product.Translation(TranslationDirection.XToY, "the sample grid").Translate(fixedX);
                return (cat([fixedX, translated]), 4);                                      // inputs over their translations
            }

            public void Dispose() { }
        }
    }

    [Fact]
    public void A_game_of_two_domains_trains_through_a_run_and_resumes_exactly()
    {
        using var rng = new TorchSharp.torch.Generator(3);
        using var xSet = new ImageDataset("x", rand([10, 1, 4, 4], generator: rng));
        using var ySet = new ImageDataset("y", rand([6, 1, 4, 4], generator: rng).pow(3));
        using var fixedX = xSet.Images.narrow(0, 0, 4).clone();
        var builder = new GameBuilder((config, r, _, _) => new OneWayTranslation(config, r, fixedX));
        var config = Tiny() with
        {
            Model = new CustomModelConfig { Architecture = "linear", NoiseDim = 1, Height = 4, Width = 4 },
            Game = new CustomGameConfig { Name = "one-way" },
            Data = new TwoDomainsConfig { X = new DataConfig { Dataset = "x" }, Y = new DataConfig { Dataset = "y" } },
            Train = Tiny().Train with { Batch = 2, Steps = 8 },
            Output = Tiny().Output with { CheckpointEvery = 4, SampleEvery = 4 },
        };
        var straight = Path.Combine(TempFolder(), "straight");
        using (var run = TrainingRun.Start(config, straight, new TwoDomains(xSet, ySet), builder))
        {
            Assert.Equal(5, run.Trainer.BatchesPerEpoch);                                   // the larger domain: 10 images / 2
            run.Run();
            // What the game supplies: a translation one way, refused the other way and as samples from noise, in one line.
            var product = run.Trainer.Product;
            using var y = product.Translation(TranslationDirection.XToY, "a test").Translate(fixedX);
            Assert.Equal(fixedX.shape, y.shape);
            Assert.Equal("a test needs translations y-to-x; the custom game supplies translations x-to-y",
                         Assert.Throws<InputException>(() => product.Translation(TranslationDirection.YToX, "a test")).Message);
            Assert.Contains("the custom game supplies translations x-to-y", Assert.Throws<InputException>(() => product.Samples("gan sample")).Message);
        }
        var resumed = Path.Combine(TempFolder(), "resumed");
        using (var run = TrainingRun.Start(config with { Train = config.Train with { Steps = 4 } }, resumed, new TwoDomains(xSet, ySet), builder)) run.Run();
        using (var run = TrainingRun.Resume(resumed, new TwoDomains(xSet, ySet), t => t with { Steps = 8 }, builder)) run.Run();

        var a = Checkpoint.Read(new RunDirectory(straight).LastCheckpointPath);
        var b = Checkpoint.Read(new RunDirectory(resumed).LastCheckpointPath);
        Assert.Equal(["translator", "critic", "translator-optimizer", "critic-optimizer", "rng"], a.Sections.Keys);
        foreach (var name in a.Sections.Keys) Assert.True(a.Section(name).AsSpan().SequenceEqual(b.Section(name)), name);
        Assert.Equal(1.6, MetricsFile.Read(new RunDirectory(straight).MetricsPath).Last("epoch"));
        Assert.Equal([0L, 4, 8], new RunDirectory(straight).SampleGrids().Select(g => g.Step));
        Assert.Contains("game custom ('one-way') is a caller's own", Assert.Throws<InputException>(() => GameFactory.LoadProduct(a)).Message);
        Assert.Contains("two domains have none",
                        Assert.Throws<InputException>(() => TrainingRun.Start(config with { Model = new ConditionalMlpModelConfig() }, Path.Combine(TempFolder(), "c"), new TwoDomains(xSet, ySet), builder)).Message);
    }
}
