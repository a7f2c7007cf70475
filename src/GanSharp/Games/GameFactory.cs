using GanSharp.Configuration;
using GanSharp.Data;
using GanSharp.Losses;
using GanSharp.Models;
using TorchSharp;
using static TorchSharp.torch;
using Generator = GanSharp.Models.Generator;

namespace GanSharp.Games;

/// <summary>
/// The one factory of the built-in games: for each kind of <see cref="GameConfig"/>, its players built from the model
/// configuration, its loss and its optimizers. An unknown kind never falls back to another game.
/// </summary>
public static class GameFactory
{
    /// <summary>
    /// The game <paramref name="config"/> describes. Its nets are initialised on the CPU from <paramref name="rng"/> (so a
    /// seed gives the same nets on every device), initialised from <paramref name="set"/>'s images where the model does
    /// that, then moved to <paramref name="device"/>; the optimizers are built there.
    /// </summary>
    public static Game Create(GanConfig config, torch.Generator rng, TrainingSet set, Device device)
    {
        var dOptimizer = config.DiscriminatorOptimizer ?? config.Optimizer;
        if (config.Game is CycleConsistentConfig cycle) return Translation(config, cycle, rng, set, device);
        if (config.Game is StackedConfig stacked) return Stacked(config, stacked, rng, set, device);
        var train = set.Single ?? throw new InputException($"the {Kinds.NameOf<GameConfig>(config.Game)} game trains on one dataset, not {set.Name}");
        return config.Game switch
        {
            Algorithm1Config a => Pair(config.Model, rng, train, device,
                                       (g, d) => new Algorithm1(g, d, LossFactory.Create(config.Loss), a, config.Optimizer, dOptimizer)),
            SimultaneousConfig => Pair(config.Model, rng, train, device,
                                       (g, d) => new SimultaneousUpdates(g, d, LossFactory.Create(config.Loss), config.Optimizer, dOptimizer)),
            SemiSupervisedConfig s => Pair(config.Model, rng, train, device,
                                       (g, d) => new SemiSupervisedGan(g, d, s, train, config.Train.Batch, config.Train.Seed, config.Optimizer, dOptimizer,
                                                                       () => Nets.CreateDiscriminator(config.Model))),
            ImageHistoryConfig h => Pair(config.Model, rng, train, device,
                                       (g, d) => new ImageHistoryGan(g, d, LossFactory.Create(config.Loss), h, config.Optimizer, dOptimizer)),
            AuxiliaryClassifierConfig => Pair(config.Model, rng, train, device,
                                       (g, d) => new AuxiliaryClassifierGan(g, d, new AuxiliaryClassifierLoss(LossFactory.Create(config.Loss)), config.Optimizer, dOptimizer)),
            CustomGameConfig own => throw Own(own),
            _ => throw new InputException($"no game for kind {config.Game.GetType().Name}"),
        };
    }

    /// <summary>
    /// What the players saved by a run of <paramref name="saved"/>'s game can draw (<see cref="GameProduct"/>), loaded
    /// as <paramref name="options"/> say. An unknown kind never falls back to another game's product.
    /// </summary>
    /// <exception cref="InputException">Nets GanSharp cannot rebuild, or saved weights that do not fit or are not finite.</exception>
    public static LoadedProduct LoadProduct(ISavedPlayers saved, ProductOptions? options = null)
    {
        options ??= new ProductOptions();
        var game = saved.Config.Game;
        string kind = Kinds.NameOf<GameConfig>(game);
        return game switch
        {
            Algorithm1Config or SimultaneousConfig or ImageHistoryConfig => TwoPlayerProducts.Load(saved, options, kind, classifies: false),
            CycleConsistentConfig => TranslatorProducts.Load(saved, options, kind),
            StackedConfig => TextProducts.Load(saved, options, kind),
            AuxiliaryClassifierConfig or SemiSupervisedConfig => TwoPlayerProducts.Load(saved, options, kind, classifies: true),
            CustomGameConfig own => throw new InputException($"{saved.Where}: {Own(own).Message}; load its players with Checkpoint.LoadInto"),
            _ => throw new InputException($"{saved.Where}: no product for game kind {game.GetType().Name}"),
        };
    }

    static InputException Own(CustomGameConfig game) =>
        new($"game {game.Summary} is a caller's own: GanSharp cannot build it; train and resume it with its GameBuilder (TrainingRun.Start, TrainingRun.Resume)");

    /// <summary>CycleGAN's four nets (G, F, D_X, D_Y, initialised in that order), placed, in its game over two domains.</summary>
    static Game Translation(GanConfig config, CycleConsistentConfig game, torch.Generator rng, TrainingSet set, Device device)
    {
        if (set is not TwoDomains domains) throw new InputException($"the cycle-consistent game translates between two domains, not {set.Name}");
        if (config.Model is not CycleGanModelConfig model) throw new InputException($"game cycle-consistent needs translating nets (model kind cyclegan), not {Kinds.NameOf(config.Model)}");
        var nets = new List<nn.Module<Tensor, Tensor>>();
        try
        {
            nets.Add(CycleGanNets.Translator(model, rng));
            nets.Add(CycleGanNets.Translator(model, rng));
            nets.Add(CycleGanNets.Discriminator(model, rng));
            nets.Add(CycleGanNets.Discriminator(model, rng));
            foreach (var net in nets) net.to(device);
            return new CycleConsistentGan((Translator)nets[0], (Translator)nets[1], nets[2], nets[3], LossFactory.Create(config.Loss), game,
                                          config.Optimizer, config.DiscriminatorOptimizer ?? config.Optimizer, domains,
                                          config.Ema, () => CycleGanNets.Translator(model));   // the averages' nets: copies, not draws of the run's rng
        }
        catch
        {
            foreach (var net in nets) net.Dispose();
            throw;
        }
    }

    /// <summary>StackGAN's nets (Stage-I's G and D, then Stage-II's, initialised in that order), placed, in its game on captioned images.</summary>
    static Game Stacked(GanConfig config, StackedConfig game, torch.Generator rng, TrainingSet set, Device device)
    {
        if (set is not CaptionedImages captioned) throw new InputException($"the stacked game draws images from text and trains on captioned images, not {set.Name}");
        if (config.Model is not StackGanModelConfig model) throw new InputException($"game stacked needs text-conditional nets (model kind stackgan), not {Kinds.NameOf(config.Model)}");
        if (model.Problems().FirstOrDefault() is { } problem) throw new InputException($"model: {problem}");
        if (captioned.Dimension != model.TextDim)
            throw new InputException($"model: text-dim {model.TextDim} but the captions are embedded in {captioned.Dimension} dimensions");
        var nets = new List<nn.Module>();
        try
        {
            var g1 = new StageOneGenerator(model, rng);
            nets.Add(g1);
            var d1 = new TextDiscriminator(model, model.StageOneSize, rng);
            nets.Add(d1);
            (StageTwoGenerator, TextDiscriminator)? two = null;
            if (model.TwoStages)
            {
                var g2 = new StageTwoGenerator(model, rng);
                nets.Add(g2);
                var d2 = new TextDiscriminator(model, model.Height, rng, withUnconditional: true);
                nets.Add(d2);
                two = (g2, d2);
            }
            foreach (var net in nets) net.to(device);
            return new StackedGan((g1, d1), two, LossFactory.Create(config.Loss), game, config.Optimizer, config.DiscriminatorOptimizer ?? config.Optimizer, captioned);
        }
        catch
        {
            foreach (var net in nets) net.Dispose();
            throw;
        }
    }

    /// <summary>A generator and a discriminator for <paramref name="model"/>, placed, handed to <paramref name="play"/>.</summary>
    static Game Pair(ModelConfig model, torch.Generator rng, ImageDataset train, Device device, Func<Generator, Discriminator, Game> play)
    {
        var g = Nets.CreateGenerator(model, rng);
        Discriminator? d = null;
        try
        {
            d = Nets.CreateDiscriminator(model, rng);
            g.InitialiseFromData(train);
            d.InitialiseFromData(train, rng);
            g.to(device);
            d.to(device);
            return play(g, d);
        }
        catch
        {
            g.Dispose();
            d?.Dispose();
            throw;
        }
    }
}
