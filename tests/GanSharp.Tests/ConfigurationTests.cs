using GanSharp.Configuration;
using GanSharp.Data;
using GanSharp.Games;
using GanSharp.Losses;
using GanSharp.Models;
using static GanSharp.Tests.TestSupport;
using static TorchSharp.torch;

namespace GanSharp.Tests;

/// <summary>Typed, JSON-discriminated configuration: kinds, factories, overlays, and files written before the seam.</summary>
public class ConfigurationTests
{
    [Fact]
    public void Before_the_data_is_loaded_the_model_is_judged_at_the_image_size_the_data_declares()
    {
        // The model's shape is a placeholder (28×28) until the data is loaded: 32×32 emoji halve three times, 28×28 do not.
        var preset = Presets.CycleganEmoji;
        var deeper = preset with { Model = ((CycleGanModelConfig)preset.Model) with { Downsamplings = 3 } };
        Assert.Empty(deeper.Problems());
        var two = (TwoDomainsConfig)preset.Data;
        var at28 = deeper with { Data = two with { X = two.X with { ImageSize = 28 }, Y = two.Y with { ImageSize = 28 } } };
        Assert.Contains("model: 28×28 images cannot be halved 3 times", Assert.Single(at28.Problems()));
        Assert.Empty((Presets.DcganEmoji with { Model = Presets.DcganEmoji.Model with { Height = 28, Width = 28 } }).Problems());
    }

    [Fact]
    public void Misspellings_get_the_names_they_begin_or_the_nearest()
    {
        string[] known = ["--epochs", "--eval", "--eval-every", "--ema", "--steps"];
        Assert.Equal(["--epochs"], Text.Nearest("--epocs", known));
        Assert.Equal(["--eval", "--eval-every"], Text.Nearest("--eva", known));            // the names it begins
        Assert.Empty(Text.Nearest("--frobnicate", known));
        Assert.Equal(3, Text.Distance("kitten", "sitting"));
        Assert.Equal("did you mean 'a', 'b' or 'c'?", Text.DidYouMean(["a", "b", "c"]));
    }

    [Fact]
    public void Configuration_files_hold_settings_only_never_computed_values()
    {
        // A get-only property without [JsonIgnore] is written to config.json (System.Text.Json does not inherit the
        // attribute from a virtual property to its overrides): a summary in the file that reading ignores.
        var computed = typeof(GanConfig).Assembly.GetTypes()
            .Where(t => t.Namespace == "GanSharp.Configuration" && t.IsClass && t.GetMethod("<Clone>$") is not null)   // the records
            .Where(t => t != typeof(EvaluationKind))                                                                   // the metric registry's: never a file
            .SelectMany(t => t.GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.DeclaredOnly)
                              .Where(p => p.SetMethod is null && !p.IsDefined(typeof(System.Text.Json.Serialization.JsonIgnoreAttribute), inherit: false))
                              .Select(p => $"{t.Name}.{p.Name}"))
            .ToList();
        Assert.Empty(computed);
        foreach (var preset in Presets.All) Assert.DoesNotContain("\"summary\"", preset.Config.ToJson());
    }

    [Theory]
    [InlineData("""{"model": {"kind": "resnet"}}""", "x.json: model: unknown kind 'resnet' (known: paper, toy, dcgan, acgan, sngan, conditional-mlp, semi-supervised-mlp, cyclegan, stackgan, custom)")]
    [InlineData("""{"loss": {"kind": "energy"}}""", "x.json: loss: unknown kind 'energy' (known: non-saturating, minimax, least-squares, hinge, wasserstein)")]
    [InlineData("""{"game": {"kind": "cyclegan"}}""", "x.json: game: unknown kind 'cyclegan' (known: algorithm1, simultaneous, auxiliary-classifier, semi-supervised, image-history, cycle-consistent, stacked, custom)")]
    [InlineData("""{"model": {"noise-dim": 3}}""", "x.json: model: needs a \"kind\"")]
    [InlineData("""{"model": {"kind": 3}}""", "x.json: model: needs a \"kind\"")]
    public void An_unknown_or_missing_kind_is_a_one_line_error_naming_the_known_ones(string json, string expected)
    {
        var e = Assert.Throws<InputException>(() => GanConfig.FromJson(json, "x.json"));
        Assert.StartsWith(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void A_kind_is_refused_in_an_overlay_too_and_the_key_of_another_kind_as_well()
    {
        Assert.Contains("unknown kind 'resnet'",
            Assert.Throws<InputException>(() => GanConfig.Overlay(Presets.PaperMnist, """{"model": {"kind": "resnet"}}""", "f.json")).Message);
        // A DCGAN has no maxout pieces: the paper's key under a DCGAN model is an unknown key, not silently dropped.
        Assert.Contains("discriminator-pieces",
            Assert.Throws<InputException>(() => GanConfig.Overlay(Presets.PaperMnist, """{"model": {"kind": "dcgan", "discriminator-pieces": 5}}""", "f.json")).Message);
    }

    [Fact]
    public void A_duplicated_key_is_refused()
    {
        var e = Assert.Throws<InputException>(() => GanConfig.FromJson("""{"preset": "a", "preset": "b"}""", "d.json"));
        Assert.StartsWith("d.json:", e.Message);
    }

    [Fact]
    public void An_overlay_that_changes_a_kind_replaces_the_record_and_one_that_keeps_it_merges()
    {
        var dcgan = GanConfig.Overlay(Presets.PaperMnist, """{"model": {"kind": "dcgan", "generator-features": 32}}""", "f.json");
        var model = Assert.IsType<DcganModelConfig>(dcgan.Model);
        Assert.Equal((32, 64, NoiseKind.Gaussian), (model.GeneratorFeatures, model.DiscriminatorFeatures, model.Noise));

        var paper = GanConfig.Overlay(Presets.PaperMnist, """{"model": {"discriminator-units": 100}}""", "f.json");
        var p = Assert.IsType<PaperModelConfig>(paper.Model);
        Assert.Equal((100, 5), (p.DiscriminatorUnits, p.DiscriminatorPieces));
    }

    [Fact]
    public void A_config_file_in_the_shape_before_the_seam_still_applies()
    {
        // k, g-loss and update lived under "train" before the game seam.
        var c = GanConfig.Overlay(Presets.PaperMnist, """{"train": {"k": 3, "g-loss": "minimax", "batch": 64}}""", "old.json");
        Assert.Equal(3, Assert.IsType<Algorithm1Config>(c.Game).K);
        Assert.IsType<MinimaxLossConfig>(c.Loss);
        Assert.Equal(64, c.Train.Batch);
        Assert.IsType<SimultaneousConfig>(GanConfig.Overlay(Presets.PaperMnist, """{"train": {"update": "simultaneous"}}""", "old.json").Game);
    }

    [Fact]
    public void Every_preset_round_trips_through_json_and_cites_its_source()
    {
        foreach (var preset in Presets.All)
        {
            var json = preset.Config.ToJson();
            Assert.Equal(json, GanConfig.FromJson(json, preset.Name).ToJson());
            Assert.Equal(preset.Name, preset.Config.Preset);
            Assert.Contains("20", preset.Source);  // a year: the paper it follows
            Assert.DoesNotContain(preset.Config.Problems(), p => !p.Contains("image"));
        }
        Assert.Contains("unknown preset 'nope'", Assert.Throws<InputException>(() => Presets.Get("nope")).Message);
    }

    [Fact]
    public void Every_declared_loss_kind_has_a_loss()
    {
        foreach (var (name, _) in Kinds.Of<LossConfig>())
            Assert.NotNull(LossFactory.Create(Kinds.Create<LossConfig>(name, "test")));
    }

    [Fact]
    public void Every_declared_game_kind_has_a_game_except_a_callers_own()
    {
        using var images = TinySet();
        foreach (var (name, _) in Kinds.Of<GameConfig>())
        {
            if (name == "custom")
            {
                using var r = new TorchSharp.torch.Generator(1);
                Assert.Contains("is a caller's own", Assert.Throws<InputException>(() => GameFactory.Create(Tiny() with { Game = new CustomGameConfig() }, r, images, CPU)).Message);
                continue;
            }
            using var rng = new TorchSharp.torch.Generator(1);
            var game1 = Kinds.Create<GameConfig>(name, "test");
            var config = game1 switch  // the games with labels play on nets of their own, on labelled 28×28 images
            {
                AuxiliaryClassifierConfig => Tiny() with { Game = game1, Model = new AcganModelConfig { Classes = 2, GeneratorFeatures = 4, DiscriminatorFeatures = 4 } },
                SemiSupervisedConfig => Tiny() with { Game = new SemiSupervisedConfig { Labels = 2 }, Model = new SemiSupervisedMlpModelConfig { Classes = 2, NoiseDim = 3, GeneratorHidden = [4], DiscriminatorHidden = [4] } },
                CycleConsistentConfig => Tiny() with
                {
                    Game = game1, Loss = new LeastSquaresLossConfig(),
                    Model = new CycleGanModelConfig { GeneratorFeatures = 2, ResidualBlocks = 1, DiscriminatorFeatures = 2, DiscriminatorLayers = 1, Height = 28, Width = 28 },
                    Data = new TwoDomainsConfig(),
                },
                StackedConfig => Tiny() with
                {
                    Game = new StackedConfig { StageOneSteps = 1 }, Data = new CaptionedConfig { Images = new DataConfig { Dataset = "emoji-twitter", ImageSize = 16 } },
                    Model = new StackGanModelConfig { TextDim = 4, ConditionDim = 2, StageOneSize = 8, GeneratorFeatures = 2, DiscriminatorFeatures = 2, ResidualBlocks = 1, Height = 16, Width = 16, Channels = 3 },
                },
                _ => Tiny() with { Game = game1 },
            };
            Assert.Empty(config.Problems());
            using var data = config.Model.UsesClasses ? new ImageDataset("labelled", rand(6, 1, 28, 28), tensor(new long[] { 0, 1, 0, 1, 0, 1 })) : null;
            using var colour = config.Data is CaptionedConfig ? new ImageDataset("colour", rand(4, 3, 16, 16)) : null;
            using var captions = colour is null ? null : randn(4, 2, 4);
            TrainingSet set = config.Data switch
            {
                TwoDomainsConfig => new TwoDomains(images, images),
                CaptionedConfig => new CaptionedImages(colour!, captions!, 2),
                _ => data ?? images,
            };
            using var game = GameFactory.Create(config, rng, set, CPU);
            if (config.Game is StackedConfig) Assert.NotNull(game.Product(name).TextSamples("a test"));
            else if (config.Model.DrawsFromNoise) Assert.Same(game.Players[0].Module, game.Generator);
            else Assert.NotNull(game.Product(name).Translation(TranslationDirection.XToY, "a test"));
        }
    }

    [Fact]
    public void Every_declared_model_kind_builds_its_nets_except_a_callers_own()
    {
        foreach (var (name, _) in Kinds.Of<ModelConfig>())
        {
            var config = Kinds.Create<ModelConfig>(name, "test") with { NoiseDim = 4, Height = 28, Width = 28 };
            if (config is ToyModelConfig) config = config with { Height = 1, Width = 2 };  // points in ℝ²
            if (config.UsesClasses) config = config with { Classes = 3 };                 // taken from the data in a run
            if (config is CycleGanModelConfig cycle)   // translators: built by their game, no generator of noise
            {
                Assert.Contains("no generator of noise", Assert.Throws<InputException>(() => Nets.CreateGenerator(config)).Message);
                using var t = CycleGanNets.Translator(cycle with { Channels = 1 });
                using var images = rand(2, 1, 28, 28);
                using var translated = t.Translate(images);
                Assert.Equal(images.shape, translated.shape);
                continue;
            }
            if (config is StackGanModelConfig text)   // generators from text: built by their game
            {
                Assert.Contains("draw from text", Assert.Throws<InputException>(() => Nets.CreateGenerator(config)).Message);
                text = text with { Height = 16, Width = 16, StageOneSize = 8, Channels = 3, GeneratorFeatures = 4, DiscriminatorFeatures = 4, ConditionDim = 3 };
                using var g1 = new StageOneGenerator(text);
                using var g2 = new StageTwoGenerator(text);
                using var t2i = new TextToImage(g1, g2);
                using var phi = randn(2, text.TextDim);
                var (low, high) = t2i.Draw(phi);
                Assert.Equal([2L, 3, 8, 8], low.shape);
                Assert.Equal([2L, 3, 16, 16], high!.shape);
                continue;
            }
            if (config is CustomModelConfig)
            {
                Assert.Contains("factory", Assert.Throws<InputException>(() => Nets.CreateGenerator(config)).Message);
                Assert.Throws<InputException>(() => Nets.CreateDiscriminator(config));
                continue;
            }
            using var g = Nets.CreateGenerator(config);
            using var d = Nets.CreateDiscriminator(config);
            using var x = g.Sample(2);
            Assert.Equal([2L, config.Channels, config.Height, config.Width], x.shape);
            using var _ = no_grad();  // samples are inference tensors
            using var labels = config.Conditional ? tensor(new long[] { 0, 2 }) : null;
            using var y = d.forward(x, labels);
            Assert.Equal([2L], y.shape);
        }
    }

    [Fact]
    public void A_model_that_cannot_be_built_for_the_data_is_refused_with_the_reason()
    {
        var c = Presets.DcganMnist with { Model = Presets.DcganMnist.Model with { Height = 30, Width = 30 } };
        Assert.Contains("28, 32, 64", Assert.Throws<InputException>(c.Validate).Message);
    }
}

/// <summary>Adam's ε goes from the configuration to every optimizer; the semi-supervised preset uses the reference's floor.</summary>
public class OptimizerEpsilonTests
{
    [Fact]
    public void Adams_epsilon_reaches_every_optimizer()
    {
        var config = Tiny(optimizer: OptimizerKind.Adam) with { Optimizer = Tiny(optimizer: OptimizerKind.Adam).Optimizer with { Epsilon = 0.25 } };
        using var trainer = new TrainingCore(config);
        Assert.NotEmpty(trainer.Game.Optimizers);
        Assert.All(trainer.Game.Optimizers, o =>
            Assert.All(((TorchSharp.Modules.Adam)o.Optimizer).ParamGroups, g => Assert.Equal(0.25, ((TorchSharp.Modules.Adam.ParamGroup)g).Options.eps)));
        Assert.Equal(1e-8, new OptimizerConfig().Epsilon);
        Assert.Equal(1e-4, Presets.Get("sgan-mnist").Optimizer.Epsilon);
    }

    /// <summary>A trainer of the tiny set, disposed with its data.</summary>
    sealed class TrainingCore(GanConfig config) : IDisposable
    {
        readonly Training.Trainer trainer = new(config, TinySet());
        public Game Game => trainer.Game;
        public void Dispose() => trainer.Dispose();
    }
}
