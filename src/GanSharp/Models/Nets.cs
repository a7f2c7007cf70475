using GanSharp.Configuration;
using TorchSharp;

namespace GanSharp.Models;

/// <summary>
/// The one factory of the built-in nets: a generator and a discriminator for each kind of <see cref="ModelConfig"/>.
/// An unknown kind never falls back to another architecture.
/// </summary>
public static class Nets
{
    /// <summary>The generator <paramref name="config"/> describes, initialised from <paramref name="rng"/> (null: libtorch's global generator).</summary>
    /// <exception cref="InputException">A kind GanSharp cannot build (a caller's own nets).</exception>
    public static Generator CreateGenerator(ModelConfig config, torch.Generator? rng = null) => config switch
    {
        PaperModelConfig paper => new MlpGenerator(paper, rng),
        ToyModelConfig toy => new ToyGenerator(toy, rng),
        AcganModelConfig acgan => new AcganGenerator(acgan, rng),
        DcganModelConfig dcgan => new DcganGenerator(dcgan, rng),
        SnganModelConfig sngan => new SnganGenerator(sngan, rng),
        ConditionalMlpModelConfig conditional => new ConditionalMlpGenerator(conditional, rng),
        SemiSupervisedMlpModelConfig semi => new SemiSupervisedMlpGenerator(semi, rng),
        CustomModelConfig custom => throw CannotBuild(custom),
        CycleGanModelConfig => throw new InputException("a cyclegan model has no generator of noise: its translators map images to images (CycleGanNets.Translator)"),
        StackGanModelConfig => throw new InputException("a stackgan model has no generator of noise alone: its generators draw from text (StageOneGenerator, StageTwoGenerator)"),
        _ => throw new InputException($"no generator for model kind {config.GetType().Name}"),
    };

    /// <summary>The discriminator <paramref name="config"/> describes, initialised from <paramref name="rng"/>.</summary>
    /// <exception cref="InputException">A kind GanSharp cannot build (a caller's own nets).</exception>
    public static Discriminator CreateDiscriminator(ModelConfig config, torch.Generator? rng = null) => config switch
    {
        PaperModelConfig paper => new MaxoutDiscriminator(paper, rng),
        ToyModelConfig toy => new ToyDiscriminator(toy, rng),
        AcganModelConfig acgan => new AcganDiscriminator(acgan, rng),
        DcganModelConfig dcgan => new DcganDiscriminator(dcgan, rng),
        SnganModelConfig sngan => new SnganDiscriminator(sngan, rng),
        ConditionalMlpModelConfig conditional => new ConditionalMlpDiscriminator(conditional, rng),
        SemiSupervisedMlpModelConfig semi => new SemiSupervisedMlpDiscriminator(semi, rng),
        CustomModelConfig custom => throw CannotBuild(custom),
        CycleGanModelConfig => throw new InputException("a cyclegan model's discriminators judge patches, not images: CycleGanNets.Discriminator builds them"),
        StackGanModelConfig => throw new InputException("a stackgan model's discriminators judge an image with its text: TextDiscriminator builds them"),
        _ => throw new InputException($"no discriminator for model kind {config.GetType().Name}"),
    };

    static InputException CannotBuild(CustomModelConfig custom) =>
        new($"the model is a caller's own ('{custom.Architecture}'): GanSharp cannot rebuild it; load it with a factory, " +
            "e.g. Generator.Load(path, config => new MyGenerator(config))");
}
