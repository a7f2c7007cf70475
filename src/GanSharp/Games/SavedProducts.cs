using GanSharp.Configuration;
using GanSharp.Models;
using TorchSharp;
using static TorchSharp.torch;
using Generator = GanSharp.Models.Generator;

namespace GanSharp.Games;

/// <summary>A run's saved players, by checkpoint section: what a product is loaded from.</summary>
public interface ISavedPlayers
{
    /// <summary>Where they were saved (a checkpoint's path), for messages.</summary>
    string Where { get; }
    /// <summary>The configuration of the run that trained them.</summary>
    GanConfig Config { get; }
    /// <summary>Whether a player (or average) of this name was saved.</summary>
    bool Has(string name);
    /// <summary>Loads the player saved as <paramref name="name"/> into a net of the same architecture.</summary>
    void LoadInto(string name, nn.Module module);
    /// <summary>Iterations trained when they were saved (null: unknown) — what a staged game's product needs to know.</summary>
    long? StepsTrained => null;
}

/// <summary>How to load a product from saved players.</summary>
/// <param name="Device">Where the nets go (null: the CPU), whatever device they trained on.</param>
/// <param name="TrainedWeights">The players' own weights rather than the averages the run kept (of G; of the semi-supervised game's D).</param>
/// <param name="CreateGenerator">Builds the generator from the run's model configuration (null: GanSharp's nets); how nets of your own reload.</param>
/// <param name="Classifier">Load the classifying discriminator, where the game has one.</param>
/// <param name="Sampler">Load the generator of noise, where the game has one (a classifier alone does not need it).</param>
public sealed record ProductOptions(Device? Device = null, bool TrainedWeights = false, Func<ModelConfig, Generator>? CreateGenerator = null,
                                    bool Classifier = true, bool Sampler = true);

/// <summary>A product loaded from saved players: it owns their nets.</summary>
public sealed class LoadedProduct(GameProduct product) : IDisposable
{
    /// <summary>What can be drawn from the loaded players.</summary>
    public GameProduct Product { get; } = product;

    /// <summary>
    /// The one net <paramref name="pick"/> asks the product for (the caller owns it from here), the other loaded nets
    /// disposed; on a refusal every loaded net is disposed and the refusal passes on.
    /// </summary>
    public T Take<T>(Func<GameProduct, T> pick) where T : nn.Module
    {
        T net;
        try { net = pick(Product); }
        catch
        {
            Dispose();
            throw;
        }
        foreach (var other in Nets)
            if (!ReferenceEquals(other, net)) other.Dispose();
        return net;
    }

    IEnumerable<nn.Module> Nets =>
        new nn.Module?[] { Product.Sampler, Product.Classifier, Product.Text?.StageOne, Product.Text?.StageTwo }.Concat(Product.Translators?.Values ?? []).OfType<nn.Module>();

    /// <summary>Disposes the loaded nets.</summary>
    public void Dispose()
    {
        foreach (var net in Nets) net.Dispose();
    }
}

/// <summary>How the games of one generator and one discriminator load their product from a checkpoint.</summary>
public static class TwoPlayerProducts
{
    /// <summary>
    /// The generator (the moving average of its weights where the run kept one, unless <see cref="ProductOptions.TrainedWeights"/>)
    /// and, when <paramref name="classifies"/>, the classifying discriminator (the semi-supervised game's running average
    /// of D where it kept one, else D), rebuilt from the run's configuration, in evaluation mode on the options' device.
    /// </summary>
    /// <exception cref="InputException">Nets GanSharp cannot rebuild, weights that do not fit, or a generator that draws non-finite images.</exception>
    public static LoadedProduct Load(ISavedPlayers saved, ProductOptions options, string kind, bool classifies)
    {
        var g = options.Sampler ? LoadGenerator(saved, options) : null;
        try
        {
            Discriminator? d = classifies && options.Classifier ? LoadClassifier(saved, options) : null;
            return new LoadedProduct(new GameProduct(kind, g, d)
            {
                Supplies = GameProduct.Describe(true, saved.Config.Model.Conditional, classifies),
            });
        }
        catch
        {
            g?.Dispose();
            throw;
        }
    }

    static Generator LoadGenerator(ISavedPlayers saved, ProductOptions options)
    {
        var model = saved.Config.Model;
        var g = options.CreateGenerator?.Invoke(model) ?? Nets.CreateGenerator(model);
        try
        {
            // A run that keeps an average of G's weights samples from the average (the reason to keep one).
            bool average = saved.Has(Game.GeneratorAverageName) && !options.TrainedWeights;
            saved.LoadInto(average ? Game.GeneratorAverageName : TwoPlayerGame.GeneratorName, g);
            if (!Weights.AllFinite(g) || !g.ProducesFiniteSamples())
                throw new InputException($"{saved.Where}: the generator's weights or samples are not finite (NaN or infinity): the run diverged before this checkpoint");
            return Placed(g, options);
        }
        catch
        {
            g.Dispose();
            throw;
        }
    }

    static Discriminator LoadClassifier(ISavedPlayers saved, ProductOptions options)
    {
        var d = Nets.CreateDiscriminator(saved.Config.Model);
        try
        {
            bool average = saved.Has(SemiSupervisedGan.DiscriminatorAverageName) && !options.TrainedWeights;
            saved.LoadInto(average ? SemiSupervisedGan.DiscriminatorAverageName : TwoPlayerGame.DiscriminatorName, d);
            return Placed(d, options);
        }
        catch
        {
            d.Dispose();
            throw;
        }
    }

    static T Placed<T>(T net, ProductOptions options) where T : nn.Module
    {
        if (options.Device is { } device) net.to(device);
        net.eval();
        return net;
    }
}

/// <summary>How a game between two domains loads its product, the two translators, from a checkpoint.</summary>
public static class TranslatorProducts
{
    /// <summary>
    /// Both translators (X → Y from <c>generator-x-to-y</c>, Y → X from <c>generator-y-to-x</c>; the moving averages of
    /// their weights where the run kept them, unless <see cref="ProductOptions.TrainedWeights"/>), rebuilt from the run's
    /// CycleGAN configuration, checked finite, in evaluation mode on the options' device.
    /// </summary>
    /// <exception cref="InputException">Not CycleGAN's nets, weights that do not fit, or a translator whose weights are not finite.</exception>
    public static LoadedProduct Load(ISavedPlayers saved, ProductOptions options, string kind)
    {
        if (saved.Config.Model is not CycleGanModelConfig model)
            throw new InputException($"{saved.Where}: the {kind} game's nets are CycleGAN's (model kind cyclegan), not {Kinds.NameOf(saved.Config.Model)}");
        var translators = new Dictionary<TranslationDirection, Translator>();
        try
        {
            foreach (var (direction, name) in new[] { (TranslationDirection.XToY, CycleConsistentGan.XToYName), (TranslationDirection.YToX, CycleConsistentGan.YToXName) })
            {
                var t = CycleGanNets.Translator(model);
                translators[direction] = t;
                bool average = saved.Has(name + Game.AverageSuffix) && !options.TrainedWeights;
                saved.LoadInto(average ? name + Game.AverageSuffix : name, t);
                if (!Weights.AllFinite(t))
                    throw new InputException($"{saved.Where}: the {GameProduct.Name(direction)} translator's weights are not finite (NaN or infinity): the run diverged before this checkpoint");
                if (options.Device is { } device) t.to(device);
                t.eval();
            }
            return new LoadedProduct(new GameProduct(kind, null, Translators: translators));
        }
        catch
        {
            foreach (var t in translators.Values) t.Dispose();
            throw;
        }
    }
}

/// <summary>How a text-to-image game loads its product, the generators of both stages, from a checkpoint.</summary>
public static class TextProducts
{
    /// <summary>
    /// Stage-I's generator (<c>stage1-generator</c>) and, for a two-stage model, Stage-II's (<c>stage2-generator</c>),
    /// rebuilt from the run's StackGAN configuration, checked finite, in evaluation mode on the options' device; Stage-II
    /// counts as trained once the checkpoint is past Stage-I's iterations.
    /// </summary>
    /// <exception cref="InputException">Not StackGAN's nets, weights that do not fit, or weights that are not finite.</exception>
    public static LoadedProduct Load(ISavedPlayers saved, ProductOptions options, string kind)
    {
        if (saved.Config.Model is not StackGanModelConfig model)
            throw new InputException($"{saved.Where}: the {kind} game's nets are StackGAN's (model kind stackgan), not {Kinds.NameOf(saved.Config.Model)}");
        var one = new StageOneGenerator(model);
        StageTwoGenerator? two = null;
        try
        {
            two = model.TwoStages ? new StageTwoGenerator(model) : null;
            foreach (var (net, name) in new (nn.Module?, string)[] { (one, StackedGan.StageOneGeneratorName), (two, StackedGan.StageTwoGeneratorName) })
            {
                if (net is null) continue;
                saved.LoadInto(name, net);
                if (!Weights.AllFinite(net))
                    throw new InputException($"{saved.Where}: {name}'s weights are not finite (NaN or infinity): the run diverged before this checkpoint");
                if (options.Device is { } device) net.to(device);
                net.eval();
            }
            var stageOneSteps = (saved.Config.Game as StackedConfig)?.StageOneSteps;
            var text = new TextToImage(one, two) { TrainedStages = two is not null && (saved.StepsTrained is not { } s || s > stageOneSteps) ? 2 : 1 };
            return new LoadedProduct(new GameProduct(kind, null, Text: text));
        }
        catch
        {
            one.Dispose();
            two?.Dispose();
            throw;
        }
    }
}
