using GanSharp.Configuration;
using GanSharp.Data;
using GanSharp.Losses;
using GanSharp.Models;
using static GanSharp.Tests.TestSupport;
using static TorchSharp.torch;

namespace GanSharp.Tests;

/// <summary>StackGAN: conditioning augmentation and the matching-aware loss against closed forms, the stages in a run, exact resume.</summary>
public class StackGanTests
{
    [Fact]
    public void The_kl_term_is_the_closed_form_per_dimension_and_zero_at_the_prior()
    {
        // KL(𝒩(μ, σ²) ‖ 𝒩(0, 1)) = ½(μ² + σ² − 1 − log σ²) per dimension; the reference averages over batch and dimensions.
        double[,] mu = { { 0.5, -1.0 }, { 0.0, 2.0 } }, logVar = { { 0.0, Math.Log(4) }, { -1.0, 0.5 } };
        double expected = 0;
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 2; j++)
                expected += 0.5 * (mu[i, j] * mu[i, j] + Math.Exp(logVar[i, j]) - 1 - logVar[i, j]) / 4;
        using var m = tensor(mu.Cast<double>().Select(v => (float)v).ToArray(), [2, 2]);
        using var v = tensor(logVar.Cast<double>().Select(x => (float)x).ToArray(), [2, 2]);
        using var kl = ConditioningAugmentation.Kl(m, v);
        Assert.Equal(expected, kl.item<float>(), 5);
        using var zero = zeros(3, 4);
        using var none = ConditioningAugmentation.Kl(zero, zero);
        Assert.Equal(0, none.item<float>());
    }

    [Fact]
    public void The_condition_is_mu_plus_sigma_times_the_generators_normal_draws()
    {
        using var mu = tensor(new float[] { 1, -2, 0.5f }).unsqueeze(0).expand(20_000, 3).contiguous();
        using var logVar = tensor(new float[] { 0, (float)Math.Log(0.25), (float)Math.Log(9) }).unsqueeze(0).expand(20_000, 3).contiguous();
        using var a = new TorchSharp.torch.Generator(3);
        using var c = ConditioningAugmentation.Sample(mu, logVar, a);
        using var b = new TorchSharp.torch.Generator(3);
        using var eps = randn([20_000, 3], generator: b);
        using var byHand = mu + (logVar * 0.5).exp() * eps;
        Assert.True(c.allclose(byHand, rtol: 0, atol: 1e-6));                                  // exactly μ + σ·ε of the same draws
        var mean = c.mean([0]).data<float>().ToArray();
        var sd = c.std([0]).data<float>().ToArray();
        Assert.Equal([1, -2, 0.5f], mean, (x, y) => Math.Abs(x - y) < 0.05);
        Assert.Equal([1, 0.5f, 3], sd, (x, y) => Math.Abs(x - y) < 0.05);
    }

    [Fact]
    public void The_ca_net_is_one_linear_layer_with_a_relu_split_into_mu_and_log_variance()
    {
        using var ca = new ConditioningAugmentation(4, 2, new TorchSharp.torch.Generator(1));
        var fc = (TorchSharp.Modules.Linear)ca.named_children().Single().module;
        using var x = tensor(new float[] { 1, 0, -1, 2, 0.5f, 0.5f, 0.5f, 0.5f }, [2, 4]);
        using var byHand = nn.functional.relu(x.matmul(fc.weight!.t()) + fc.bias!);            // [2, 4]: μ then log σ²
        var (mu, logVar) = ca.forward(x);
        Assert.True(mu.allclose(byHand.narrow(1, 0, 2)));
        Assert.True(logVar.allclose(byHand.narrow(1, 2, 2)));
    }

    [Fact]
    public void The_ca_net_reads_the_embedding_times_its_scale_and_the_default_scale_is_the_root_of_the_dimension()
    {
        using var scaled = new ConditioningAugmentation(4, 2, new TorchSharp.torch.Generator(1), scale: 3);
        using var plain = new ConditioningAugmentation(4, 2, new TorchSharp.torch.Generator(1));
        using var x = tensor(new float[] { 1, 0, -1, 2, 0.5f, 0.5f, 0.5f, 0.5f }, [2, 4]);
        var (mu, logVar) = scaled.forward(x);
        var (mu3, logVar3) = plain.forward(x * 3);                                             // the same weights (same seed)
        Assert.True(mu.allclose(mu3) && logVar.allclose(logVar3));
        Assert.Equal(Math.Sqrt(384), new StackGanModelConfig().TextFactor, 12);
        Assert.Equal(1, new StackGanModelConfig { TextScale = 1 }.TextFactor);
        Assert.Contains(new StackGanModelConfig { TextScale = 0 }.Problems(), p => p.StartsWith("text-scale must be positive", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("non-saturating")]
    [InlineData("least-squares")]
    public void The_matching_aware_loss_is_real_right_plus_half_wrong_and_fake(string family)
    {
        float[] right = [2, 0, -1], wrong = [1, -1, 0.5f], fake = [0, 3, -2];
        double Softplus(double x) => Math.Log(1 + Math.Exp(x));
        double expected = family == "non-saturating"
            ? right.Average(r => Softplus(-r)) + 0.5 * (wrong.Average(w => Softplus(w)) + fake.Average(f => Softplus(f)))
            : 0.5 * right.Average(r => (r - 1) * (r - 1)) + 0.5 * (0.5 * wrong.Average(w => w * w) + 0.5 * fake.Average(f => f * f));
        IAdversarialLoss loss = family == "non-saturating" ? new NonSaturating() : new LeastSquares();
        using var r = tensor(right);
        using var w = tensor(wrong);
        using var f = tensor(fake);
        using var value = StackedGan.MatchingAware(loss, r, w, f);
        Assert.Equal(expected, value.item<float>(), 5);
    }

    [Theory]
    [InlineData("non-saturating")]
    [InlineData("least-squares")]
    public void With_a_text_free_head_the_loss_is_half_of_the_real_terms_plus_a_third_of_the_fake_ones(string family)
    {
        float[] right = [2, 0, -1], wrong = [1, -1, 0.5f], fake = [0, 3, -2], realAlone = [1.5f, -0.5f, 0.25f], fakeAlone = [-1, 2, 0.75f];
        double Softplus(double x) => Math.Log(1 + Math.Exp(x));
        // The reference's STAGE2_D loss (utils.compute_discriminator_loss): (errD_real + uncond_errD_real)/2 + (errD_fake + errD_wrong + uncond_errD_fake)/3.
        double expected = family == "non-saturating"
            ? (right.Average(r => Softplus(-r)) + realAlone.Average(r => Softplus(-r))) / 2
              + (wrong.Average(w => Softplus(w)) + fake.Average(f => Softplus(f)) + fakeAlone.Average(f => Softplus(f))) / 3
            : 0.5 * (right.Average(r => (r - 1) * (r - 1)) + realAlone.Average(r => (r - 1) * (r - 1))) / 2
              + 0.5 * (wrong.Average(w => w * w) + fake.Average(f => f * f) + fakeAlone.Average(f => f * f)) / 3;
        IAdversarialLoss loss = family == "non-saturating" ? new NonSaturating() : new LeastSquares();
        using var value = StackedGan.MatchingAware(loss, tensor(right), tensor(wrong), tensor(fake), tensor(realAlone), tensor(fakeAlone));
        Assert.Equal(expected, value.item<float>(), 5);
        Assert.Throws<ArgumentException>(() => StackedGan.MatchingAware(loss, tensor(right), tensor(wrong), tensor(fake), tensor(realAlone)));
    }

    [Fact]
    public void Stage_two_discriminators_have_the_text_free_head_and_stage_one_discriminators_do_not()
    {
        var set = Captioned(out var images, out var embeddings, out var counts);
        using (images) using (embeddings) using (counts)
        {
            using var run = TrainingRun.Start(Tiny(), TempFolder(), set);
            var game = (StackedGan)run.Trainer.Game;
            var (d1, d2) = (game.StageOne.D, game.StageTwo!.Value.D);
            Assert.False(d1.HasUnconditional);
            Assert.True(d2.HasUnconditional);
            using var features = d2.Features(rand(2, 3, 16, 16));
            using var realism = d2.Realism(features);
            Assert.Equal([2L], realism!.shape);
            Assert.Null(d1.Realism(features));
        }
    }

    [Theory]
    [InlineData(16, 16, 2)]   // the preset: encoded at 16×16, two up-blocks
    [InlineData(32, 16, 2)]   // Stage-I at 32×32: halved once to join at 16×16, as the reference halves its 64×64 twice
    [InlineData(8, 8, 3)]
    public void Stage_two_joins_the_text_at_sixteen_or_at_stage_ones_side_when_smaller(int stageOne, int join, int ups)
    {
        var config = new StackGanModelConfig { Height = 64, Width = 64, Channels = 3, StageOneSize = stageOne, GeneratorFeatures = 4, ConditionDim = 3, TextDim = 6, ResidualBlocks = 1 };
        Assert.Equal(join, config.JoinSide);
        using var g = new StageTwoGenerator(config, new TorchSharp.torch.Generator(3));
        Assert.Equal(ups, g.named_modules().Count(m => m.module is NearestUpConv));
        using var text = randn(2, 6);
        using var low = rand(2, 3, stageOne, stageOne);
        var (image, mu, _) = g.forward(text, low, empty(0));
        Assert.Equal([2L, 3, 64, 64], image.shape);
        Assert.Equal([2L, 3], mu.shape);
    }

    /// <summary>16×16 images, 8×8 Stage-I, tiny widths, embeddings of 6 dimensions: a run of both stages in a second.</summary>
    static GanConfig Tiny(long steps = 6, long stageOne = 3) => new()
    {
        Data = new CaptionedConfig { Images = new DataConfig { Dataset = "emoji-twitter", ImageSize = 16, Color = ColorMode.Rgb } },
        Model = new StackGanModelConfig { TextDim = 6, ConditionDim = 3, NoiseDim = 5, StageOneSize = 8, GeneratorFeatures = 2, DiscriminatorFeatures = 2, ResidualBlocks = 1 },
        Loss = new NonSaturatingLossConfig(),
        Game = new StackedConfig { StageOneSteps = stageOne },
        Train = new TrainConfig { Batch = 4, Steps = steps, Threads = 1, Seed = 9 },
        Optimizer = OptimizerConfig.DcganAdam with { Schedule = new StepDecay { Every = 0.5 } },
        Output = new OutputConfig { LogEvery = 1, SampleEvery = 2, CheckpointEvery = 2, TensorBoard = false },
    };

    /// <summary>Ten 16×16 images, each with 1–3 unit caption embeddings of 6 dimensions.</summary>
    static CaptionedImages Captioned(out ImageDataset images, out Tensor embeddings, out Tensor counts)
    {
        using var rng = new TorchSharp.torch.Generator(4);
        images = new ImageDataset("ten", rand([10, 3, 16, 16], generator: rng));
        var raw = randn([10, 3, 6], generator: rng);
        embeddings = raw / raw.norm(2, keepdim: true);
        counts = tensor(Enumerable.Range(0, 10).Select(i => (long)(i % 3 + 1)).ToArray());
        return new CaptionedImages(images, embeddings, 2, counts);
    }

    [Fact]
    public void Stage_one_trains_first_then_stage_two_with_stage_one_frozen_and_each_optimizer_over_its_stage()
    {
        var set = Captioned(out var images, out var embeddings, out var counts);
        using (images) using (embeddings) using (counts)
        {
            var folder = TempFolder();
            using var run = TrainingRun.Start(Tiny(), folder, set);
            var game = (StackedGan)run.Trainer.Game;
            byte[] Weights(string name) => Checkpoint.Save(game.Players.Single(p => p.Name == name).Module);
            var g2Before = Weights(StackedGan.StageTwoGeneratorName);
            var stages = new List<double>();
            int Drawn() => game.Product("stacked").TextSamples("a test").TrainedStages;
            Assert.Equal(1, Drawn());                                                             // a fresh run draws Stage-I's images
            for (int i = 0; i < 3; i++) stages.Add(run.Trainer.TrainStep()["stage"]);
            Assert.Equal(1, Drawn());
            Assert.Equal(g2Before, Weights(StackedGan.StageTwoGeneratorName));                 // Stage-II untouched in Stage-I
            var g1After = Weights(StackedGan.StageOneGeneratorName);
            var d1After = Weights(StackedGan.StageOneDiscriminatorName);
            for (int i = 0; i < 3; i++) stages.Add(run.Trainer.TrainStep()["stage"]);
            Assert.Equal([1, 1, 1, 2, 2, 2], stages);
            Assert.Equal(2, Drawn());                                                             // then Stage-II's
            Assert.Equal(g1After, Weights(StackedGan.StageOneGeneratorName));                   // frozen in Stage-II, batch-norm statistics too
            Assert.Equal(d1After, Weights(StackedGan.StageOneDiscriminatorName));
            Assert.NotEqual(g2Before, Weights(StackedGan.StageTwoGeneratorName));
            // Each stage's optimizers follow StepDecay over their own 3 iterations: halved from the second on (every ½ of 3 → round(1.5) = 2).
            var rates = game.Optimizers.Select(o => o.Optimizer.ParamGroups.First().LearningRate).ToArray();
            Assert.Equal([2e-4 / 2, 2e-4 / 2, 2e-4 / 2, 2e-4 / 2], rates);
            Assert.Equal([(0L, (long?)3), (0L, (long?)3), (3L, (long?)null), (3L, (long?)null)], game.Optimizers.Select(o => o.Window!.Value));
            // The run logs the training stage's rate: at iteration 6 of a 6-iteration run, Stage-II's (2 of its 3 done: halved once).
            Assert.Equal(2e-4 / 2, run.Trainer.LearningRate);
        }
    }

    [Fact]
    public void A_run_resumed_across_the_stage_boundary_continues_exactly_and_its_product_loads()
    {
        var set = Captioned(out var images, out var embeddings, out var counts);
        using (images) using (embeddings) using (counts)
        {
            string straight = Path.Combine(TempFolder(), "straight"), resumed = Path.Combine(TempFolder(), "resumed");
            using (var run = TrainingRun.Start(Tiny(), straight, set)) run.Run();
            using (var run = TrainingRun.Start(Tiny(), resumed, set))                          // stopped at 2, inside Stage-I
            {
                using var interrupt = new CancellationTokenSource();
                Assert.Equal(RunOutcome.Interrupted, run.Run(interrupt.Token, new StopAt(2, interrupt)));
            }
            using (var run = TrainingRun.Resume(resumed, set)) run.Run();                     // crosses into Stage-II at 3
            Assert.Equal(File.ReadAllLines(Path.Combine(straight, "metrics.jsonl")).Select(WithoutTimes),
                         File.ReadAllLines(Path.Combine(resumed, "metrics.jsonl")).Select(WithoutTimes));
            var a = Checkpoint.Read(new RunDirectory(straight).LastCheckpointPath);
            var b = Checkpoint.Read(new RunDirectory(resumed).LastCheckpointPath);
            Assert.Equal(["stage1-generator", "stage1-discriminator", "stage2-generator", "stage2-discriminator",
                          "stage1-generator-optimizer", "stage1-discriminator-optimizer", "stage2-generator-optimizer", "stage2-discriminator-optimizer", "rng"],
                         a.Sections.Keys);
            foreach (var name in a.Sections.Keys) Assert.True(a.Section(name).AsSpan().SequenceEqual(b.Section(name)), name);
            Assert.Equal(File.ReadAllBytes(Path.Combine(straight, "samples", "last.png")), File.ReadAllBytes(Path.Combine(resumed, "samples", "last.png")));

            // The product loads from the checkpoint and draws what the trained game draws, both stages.
            using var loaded = GameFactory.LoadProduct(a);
            using var trained = TrainingRun.Resume(straight, set);
            var text = loaded.Product.TextSamples("a test");
            Assert.Equal(2, text.TrainedStages);
            using var phi = embeddings.narrow(1, 0, 1).squeeze(1);                              // [10, 6]
            using var r1 = new TorchSharp.torch.Generator(1);
            using var r2 = new TorchSharp.torch.Generator(1);
            var (low, high) = text.Draw(phi, rng: r1);
            var (low2, high2) = trained.Trainer.Product.TextSamples("a test").Draw(phi, rng: r2);
            Assert.Equal([10L, 3, 8, 8], low.shape);
            Assert.Equal([10L, 3, 16, 16], high!.shape);
            Assert.True(Equal(low, low2) && Equal(high, high2!));
            Assert.Contains("needs samples from noise; the stacked game supplies images from text",
                            Assert.Throws<InputException>(() => loaded.Product.Samples("gan sample")).Message);
        }
    }


    [Fact]
    public void The_game_refuses_what_it_cannot_play_in_one_line()
    {
        Assert.Contains("data: the stacked game draws images from text and trains on captioned images, not mnist",
                        Assert.Single((Tiny() with { Data = new DataConfig() }).Game.ProblemsWith(Tiny() with { Data = new DataConfig() })));
        var one = Tiny() with { Model = new StackGanModelConfig { StageOneSize = 16 } };
        Assert.Contains("stage-one-steps is for a two-stage model", string.Join("\n", one.Game.ProblemsWith(one)));
        var two = Tiny() with { Game = new StackedConfig() };
        Assert.Contains("stage-one-steps is needed by a two-stage model", string.Join("\n", two.Game.ProblemsWith(two)));
        var over = Tiny(steps: 3, stageOne: 3);
        Assert.Contains("leaves Stage-II none of the run's 3 iterations", string.Join("\n", over.Game.ProblemsWith(over)));
        Assert.Contains("power of 2", Assert.Single(new StackGanModelConfig { Height = 16, Width = 16, StageOneSize = 12 }.Problems()));
    }

    /// <summary>A two-step run of both stages whose captions live in all-MiniLM-L6-v2's 384 dimensions, so real text can be drawn.</summary>
    static string TextRun()
    {
        using var rng = new TorchSharp.torch.Generator(8);
        using var images = new ImageDataset("eight", rand([8, 3, 16, 16], generator: rng));
        using var raw = randn([8, 2, 384], generator: rng);
        using var embeddings = raw / raw.norm(2, keepdim: true);
        var folder = Path.Combine(TempFolder(), "text-run");
        var config = Tiny(steps: 2, stageOne: 1) with { Model = ((StackGanModelConfig)Tiny().Model) with { TextDim = 384 } };
        using (var run = TrainingRun.Start(config, folder, new CaptionedImages(images, embeddings, 2))) run.Run();
        return folder;
    }

    [Fact]
    public void Gan_sample_draws_from_any_text_and_refuses_bad_text_in_one_line()
    {
        var run = TextRun();
        var root = Path.GetDirectoryName(run)!;
        var grid = Path.Combine(root, "cats.png");
        var drawn = Gan.Run("sample", "--run", run, "--text", "a cat face with heart eyes", "--text", "waving hand: dark skin tone", "--count", "3", "--out", grid);
        Assert.True(drawn.Code == 0, drawn.Err);
        Assert.Contains("6 images of 2 texts (3 each, stage 2)", drawn.Out);
        using (var image = SkiaSharp.SKBitmap.Decode(grid)) Assert.Equal((3 * 16 + 4 * 2, 2 * 16 + 3 * 2), (image.Width, image.Height));   // a row per text
        var lines = Path.Combine(root, "lines.txt");
        File.WriteAllText(lines, "\uFEFFred heart\r\n\r\nsmiling cat\n");
        var npy = Path.Combine(root, "lines.npy");
        var fromFile = Gan.Run("sample", "--run", run, "--text-file", lines, "--count", "2", "--out", npy);
        Assert.True(fromFile.Code == 0, fromFile.Err);
        Assert.Contains("4 images of 2 texts", fromFile.Out);

        var bad = Path.Combine(root, "bad.png");
        Gan.AssertOneLineError(Gan.Run("sample", "--run", run, "--text", "  ", "--out", bad), 2, "--text: empty text");
        Gan.AssertOneLineError(Gan.Run("sample", "--run", run, "--text", new string('a', 10_000), "--out", bad), 2, "a text of 10,000 characters; at most 1,000");
        var binary = Path.Combine(root, "binary.txt");
        File.WriteAllBytes(binary, [0x6F, 0x6B, 0x0A, 0xC3, 0x28]);
        Gan.AssertOneLineError(Gan.Run("sample", "--run", run, "--text-file", binary, "--out", bad), 2, "cannot be read as UTF-8 text");
        Gan.AssertOneLineError(Gan.Run("sample", "--run", run, "--text-file", Path.Combine(root, "missing.txt"), "--out", bad), 2, "missing.txt");
        Gan.AssertOneLineError(Gan.Run("sample", "--run", run, "--count", "4", "--out", bad), 2, "this run draws images from text: say which with --text");
        Assert.False(File.Exists(bad));
        var noise = Path.Combine(root, "noise-run");
        var trained = Gan.Run("train", "--preset", "dcgan-mnist", "--dataset", MnistFixture, "--steps", "1", "--batch", "10", "--no-tensorboard", "--out", noise);
        Assert.True(trained.Code == 0, trained.Err);
        Gan.AssertOneLineError(Gan.Run("sample", "--run", noise, "--text", "a cat", "--out", bad), 2, "gan sample --text needs images from text");
        Assert.Contains("a text-to-image generator needs images from text (a text-to-image run); the algorithm1 game supplies samples from noise",
                        Assert.Throws<InputException>(() => TextToImage.Load(noise)).Message);   // from C# too
    }

    /// <summary>The text figure on the real held-out emoji's captions (CI fetches them and warms the embedding cache).</summary>
    [Fact]
    public void Gan_figure_text_draws_held_out_captions_through_both_stages()
    {
        if (!Data.EmojiDataset.Twitter.IsCached() || !DatasetCatalog.IsCached(Captions.EmojiCaptions.Cldr))
        {
            Assert.NotEqual("1", Environment.GetEnvironmentVariable("GANSHARP_REQUIRE_DATA"));
            return;
        }
        var run = TextRun();
        var figure = Path.Combine(Path.GetDirectoryName(run)!, "text.png");
        var drawn = Gan.Run("figure", "text", "--run", run, "--rows", "3", "--columns", "2", "--out", figure);
        Assert.True(drawn.Code == 0, drawn.Err);
        Assert.Contains("3 captions of held-out emoji", drawn.Out);
        Assert.Contains("real | Stage-I ×2 | Stage-II ×2", drawn.Out);
        using (var image = SkiaSharp.SKBitmap.Decode(figure)) Assert.Equal((5 * 16 * 2 + 6 * 2, 3 * 16 * 2 + 4 * 2), (image.Width, image.Height));   // scale 2, padding 2
        Assert.Equal(3, File.ReadAllLines(figure + ".captions.txt").Length);
        Gan.AssertOneLineError(Gan.Run("figure", "text", "--run", Path.Combine(TempFolder(), "none"), "--out", figure), 2, "none");
    }

    [Fact]
    public void A_text_run_loads_from_csharp_and_draws_from_a_sentence()
    {
        var run = TextRun();
        using var t2i = TextToImage.Load(run);
        using var rng = new TorchSharp.torch.Generator(3);
        using var images = t2i.Draw(["a cat face with heart eyes"], perText: 4, rng: rng);
        Assert.Equal([4L, 3, 16, 16], images.shape);
        Assert.True(images.min().item<float>() >= 0 && images.max().item<float>() <= 1);
        using var again = new TorchSharp.torch.Generator(3);
        using var same = t2i.Draw(["a cat face with heart eyes"], perText: 4, rng: again);
        Assert.True(Equal(images, same));                                                   // a seed draws the same images
    }

    [Fact]
    public void R_precision_is_one_for_an_image_at_its_caption_and_chance_for_unrelated_ones()
    {
        // 300 "images" of 150 owners, captions random unit vectors: an image equal to its caption always ranks it first;
        // an image unrelated to its caption ranks it first about once in 100 (99 distractors).
        using var rng = new TorchSharp.torch.Generator(2);
        using var raw = randn([300, 16], generator: rng);
        using var captions = raw / raw.norm(1, keepdim: true);                               // over dimension 1: unit rows
        var owners = Enumerable.Range(0, 300).Select(i => i / 2).ToArray();
        Assert.Equal(1.0, Evaluation.TextMatcher.RPrecision(captions, captions, owners, captions, owners));
        using var other = randn([300, 16], generator: rng);
        using var unrelated = other / other.norm(1, keepdim: true);
        Assert.InRange(Evaluation.TextMatcher.RPrecision(unrelated, captions, owners, captions, owners), 0.0, 0.04);
        // Never a distractor of the image's own: an image whose second caption is its own scores 1 though the two differ.
        Assert.Equal(1.0, Evaluation.TextMatcher.RPrecision(captions, captions, owners, captions, owners, distractors: 99, seed: 5));
        Assert.Contains("R-precision needs 99 captions of other images; there are 8",
                        Assert.Throws<InputException>(() => Evaluation.TextMatcher.RPrecision(captions.narrow(0, 0, 10), captions.narrow(0, 0, 10), owners[..10], captions.narrow(0, 0, 10), owners[..10])).Message);
    }

    [Fact]
    public void The_text_matcher_learns_to_match_features_to_their_captions()
    {
        // Features a fixed linear map of the captions plus noise: the trained projection must find them again.
        using var rng = new TorchSharp.torch.Generator(4);
        using var raw = randn([400, 1, 8], generator: rng);
        using var captions = raw / raw.norm(2, keepdim: true);                                // one caption an image
        using var map = randn([8, 512], generator: rng);
        using var features = captions.squeeze(1).matmul(map) + 0.1 * randn([400, 512], generator: rng);
        using var counts = ones(400, dtype: ScalarType.Int64);
        using var matcher = Evaluation.TextMatcher.Train(features, captions, counts, seed: 1, steps: 300);
        using var embedded = matcher.Embed(features);
        var owners = Enumerable.Range(0, 400).ToArray();
        Assert.True(Evaluation.TextMatcher.RPrecision(embedded, captions.squeeze(1), owners, captions.squeeze(1), owners) > 0.9);
    }

    [Theory]
    [InlineData("waving hand: medium skin tone", 2)]
    [InlineData("waving hand: medium-light skin tone", 1)]
    [InlineData("bye, hand, wave, medium-dark skin tone", 3)]
    [InlineData("Waving Hand: Light Skin Tone", 0)]
    [InlineData("kiss: man, man, light skin tone, dark skin tone", null)]   // two tones: no single answer
    [InlineData("waving hand", null)]
    public void A_caption_names_one_skin_tone_or_none(string caption, int? tone) => Assert.Equal(tone, Evaluation.SkinTone.Named(caption));

    [Fact]
    public void An_images_skin_tone_is_the_palette_colour_most_of_its_skin_pixels_show()
    {
        // Four 8×8 images: medium skin over white; dark skin with some light pixels; yellow (untoned) with a few light ones; white.
        static float[] Colour(int rgb) => [(rgb >> 16 & 255) / 255f, (rgb >> 8 & 255) / 255f, (rgb & 255) / 255f];
        var images = zeros(4, 3, 8, 8);
        void Paint(int image, int rgb, int rows)
        {
            var c = Colour(rgb);
            for (int ch = 0; ch < 3; ch++) images[image, ch].narrow(0, 0, rows).fill_(c[ch]);
        }
        images.fill_(1f);                                    // white: no vote
        Paint(0, 0xD4AB88, 5);                               // medium, 40 pixels
        Paint(1, 0xF7DECE, 6); Paint(1, 0x7D543F, 4);        // 16 light then 32 dark (a level off the palette: within the radius)
        Paint(2, 0xF7DECE, 6); Paint(2, 0xFFDC5D, 5);        // 8 light, 40 yellow: untoned
        Assert.Equal([2, 4, -1, -1], Evaluation.SkinTone.Of(images));
        images.Dispose();
    }

    /// <summary>
    /// stackgan-emoji from the command line, shrunk (16×16 images, 8×8 Stage-I, narrow nets): trains across the stage
    /// boundary on the real captioned emoji, resumes exactly, writes the held-out-captions figure the report shows, and
    /// draws from text. CI fetches the emoji and captions and warms the embedding cache first.
    /// </summary>
    [Fact]
    public void The_preset_trains_both_stages_resumes_and_reports_held_out_captions_from_the_command_line()
    {
        if (!Data.EmojiDataset.Twitter.IsCached() || !DatasetCatalog.IsCached(Captions.EmojiCaptions.Cldr))
        {
            Assert.NotEqual("1", Environment.GetEnvironmentVariable("GANSHARP_REQUIRE_DATA"));
            return;
        }
        var root = TempFolder();
        var small = Path.Combine(root, "small.json");
        File.WriteAllText(small, """
            { "data": { "kind": "captioned", "images": { "dataset": "emoji-twitter", "image-size": 16, "color": "rgb" } },
              "model": { "kind": "stackgan", "stage-one-size": 8, "generator-features": 2, "discriminator-features": 2, "residual-blocks": 1, "condition-dim": 4 },
              "game": { "kind": "stacked", "stage-one-steps": 1 }, "output": { "sample-count": 16 },
              "optimizer": { "schedule": { "kind": "exponential", "decay": 1 } } }
            """);   // a constant rate: a run extended with --resume --steps then follows the straight run's schedule
        string a = Path.Combine(root, "a"), b = Path.Combine(root, "b");
        string[] Train(string run, string steps) => ["train", "--preset", "stackgan-emoji", "--config", small, "--steps", steps, "--batch", "4",
                                                      "--checkpoint-every", "1", "--log-every", "1", "--no-tensorboard", "--out", run];
        var straight = Gan.Run(Train(a, "4"));
        Assert.True(straight.Code == 0, straight.Err);
        var first = Gan.Run(Train(b, "2"));                                                // Stage-I, then one Stage-II iteration
        Assert.True(first.Code == 0, first.Err);
        var resumed = Gan.Run("train", "--resume", b, "--steps", "4");
        Assert.True(resumed.Code == 0, resumed.Err);
        Assert.Equal(File.ReadAllLines(Path.Combine(a, "metrics.jsonl")).Select(WithoutTimes), File.ReadAllLines(Path.Combine(b, "metrics.jsonl")).Select(WithoutTimes));
        Assert.True(File.Exists(Path.Combine(a, "eval", "text-step-0000004.png.captions.txt")));
        Assert.Contains("Held-out emoji&#39;s captions at iteration 4", File.ReadAllText(Path.Combine(a, "report.html")).Replace("'", "&#39;"));
        var sample = Gan.Run("sample", "--run", a, "--text", "a red heart", "--count", "2", "--out", Path.Combine(root, "heart.png"));
        Assert.True(sample.Code == 0, sample.Err);
        Assert.Contains("(2 each, stage 2)", sample.Out);

        // HYPE on a text run: held-out emoji beside the run's images of their captions, served like any run's.
        using var hype = GanProcess.Start("hype", a, "--images", "4");
        string? line;
        while ((line = hype.StandardOutput.ReadLine()) is not null && !line.StartsWith("open ", StringComparison.Ordinal)) { }
        try
        {
            Assert.NotNull(line);
            var url = line!.Split(' ')[1];
            using var http = new HttpClient();
            Assert.Contains("<html", http.GetStringAsync(url).GetAwaiter().GetResult(), StringComparison.OrdinalIgnoreCase);
        }
        finally { hype.Kill(entireProcessTree: true); }
    }

    [Fact]
    public void The_up_blocks_sub_pixel_convolution_is_nearest_upsampling_then_a_3x3_convolution()
    {
        using var rng = new TorchSharp.torch.Generator(5);
        using var up = new NearestUpConv(3, 4);
        using (no_grad()) up.Weight.normal_(0, 1, rng);
        using var x = randn([2, 3, 5, 6], generator: rng).requires_grad_();
        using var mine = up.forward(x);
        using var w = up.Weight.detach().clone().requires_grad_();
        using var x2 = x.detach().clone().requires_grad_();
        using var upsampled = nn.functional.interpolate(x2, scale_factor: [2.0, 2.0], mode: InterpolationMode.Nearest);
        using var reference = nn.functional.conv2d(upsampled, w, padding: [1, 1]);
        Assert.Equal([2L, 4, 10, 12], mine.shape);
        Assert.True(mine.allclose(reference, rtol: 1e-5, atol: 1e-5));
        using var g = randn([2, 4, 10, 12], generator: rng);
        (mine * g).sum().backward();
        (reference * g).sum().backward();
        Assert.True(x.grad!.allclose(x2.grad!, rtol: 1e-4, atol: 1e-4));                    // the same gradients, input and weight
        Assert.True(up.Weight.grad!.allclose(w.grad!, rtol: 1e-4, atol: 1e-4));
    }

    [Theory]
    [InlineData(3, 0.0)]
    [InlineData(4, 0.2)]
    [InlineData(7, 0.0)]
    public void The_condition_join_is_the_convolution_of_the_map_and_the_replicated_condition(int side, double slope)
    {
        using var rng = new TorchSharp.torch.Generator(8);
        using var join = new ConditionJoin(5, 3, 4, slope);
        var conv = (TorchSharp.Modules.Conv2d)join.named_children().Single(c => c.name == "0").module;
        var norm = (TorchSharp.Modules.BatchNorm2d)join.named_children().Single(c => c.name == "1").module;
        using (no_grad()) { conv.weight!.normal_(0, 1, rng); norm.weight!.normal_(1, 0.5, rng); norm.bias!.normal_(0, 0.5, rng); }
        Assert.Equal(["0.weight", "1.weight", "1.bias"], join.named_parameters().Select(p => p.name));   // the reference's Sequential's names
        using var map = randn([2, 5, side, side], generator: rng).requires_grad_();
        using var c = randn([2, 3], generator: rng).requires_grad_();
        using var mine = join.forward(map, c);

        // The concatenated form, computed from the same weights apart.
        using var w = conv.weight!.detach().clone().requires_grad_();
        using var map2 = map.detach().clone().requires_grad_();
        using var c2 = c.detach().clone().requires_grad_();
        using var joined = cat([map2, c2.view(2, 3, 1, 1).expand(-1, -1, side, side)], 1);
        using var h = nn.functional.batch_norm(nn.functional.conv2d(joined, w, padding: [1, 1]), null, null, norm.weight!.detach(), norm.bias!.detach(), training: true, eps: 1e-5);
        using var reference = slope == 0 ? nn.functional.relu(h) : nn.functional.leaky_relu(h, slope);
        Assert.Equal([2L, 4, side, side], mine.shape);
        Assert.True(mine.allclose(reference, rtol: 1e-4, atol: 1e-5));
        using var g = randn([2, 4, side, side], generator: rng);
        (mine * g).sum().backward();
        (reference * g).sum().backward();
        Assert.True(map.grad!.allclose(map2.grad!, rtol: 1e-4, atol: 1e-4));                // the same gradients: map, condition, weight
        Assert.True(c.grad!.allclose(c2.grad!, rtol: 1e-4, atol: 1e-4));
        Assert.True(conv.weight!.grad!.allclose(w.grad!, rtol: 1e-4, atol: 1e-4));
    }

    [Fact]
    public void The_condition_join_refuses_a_map_smaller_than_its_kernel()
    {
        using var join = new ConditionJoin(2, 2, 2);
        using var map = zeros(1, 2, 2, 2);
        using var c = zeros(1, 2);
        Assert.Throws<ArgumentException>(() => join.forward(map, c));
    }
}
