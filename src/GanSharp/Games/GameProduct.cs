using GanSharp.Models;
using static TorchSharp.torch;
using Generator = GanSharp.Models.Generator;

namespace GanSharp.Games;

/// <summary>
/// What can be drawn from a game's trained players, by kind: samples from noise (<see cref="Sampler"/>; for a class too
/// where that generator is conditional), a classifier where the game trains one, and translations of images from one
/// domain to the other (<see cref="Translators"/>). Sampling, figures, <c>gan sample</c>, evaluations (periodic ones and
/// <c>gan eval</c>) and HYPE ask for the kind they need through <see cref="Samples"/>, <see cref="ClassSamples"/>,
/// <see cref="Classifying"/>, <see cref="Translation"/> or <see cref="TextSamples"/>, and a run whose game does not supply
/// it is refused in one line that says what the run does supply.
/// </summary>
/// <param name="Game">The game's kind, as configurations name it (for messages).</param>
/// <param name="Sampler">The generator that draws samples from noise (the moving average of G where the run keeps one), or null.</param>
/// <param name="Classifier">The discriminator that classifies, in a game that trains one (the semi-supervised GAN, ACGAN), or null.</param>
/// <param name="Translators">The translators of a game between two domains, by direction, or null.</param>
/// <param name="Text">The generators of images from text of a text-to-image game, or null.</param>
public sealed record GameProduct(string Game, Generator? Sampler, Discriminator? Classifier = null,
                                 IReadOnlyDictionary<TranslationDirection, Translator>? Translators = null, TextToImage? Text = null)
{
    /// <summary>
    /// What the game supplies, in words ("samples from noise, samples for a class") — also what was left unloaded (a loader
    /// that skips a part says so here); by default what the product holds.
    /// </summary>
    public string Supplies { get; init; } = Describe(Sampler is not null, Sampler is { Classes: > 0 }, Classifier is not null, Translators?.Keys, Text is not null);

    /// <summary>The words of <see cref="Supplies"/> for a product of these kinds.</summary>
    public static string Describe(bool samples, bool classSamples, bool classifier, IEnumerable<TranslationDirection>? translations = null, bool text = false) =>
        string.Join(", ", new[]
        {
            samples ? "samples from noise" : null, classSamples ? "samples for a class" : null, classifier ? "a classifier" : null,
            translations?.Any() == true ? $"translations {string.Join(" and ", translations.Order().Select(Name))}" : null,
            text ? "images from text" : null,
        }.Where(s => s is not null)) is { Length: > 0 } s ? s : "nothing to draw";

    /// <summary>The generators of images from text, for <paramref name="asker"/>.</summary>
    /// <exception cref="InputException">The game draws no images from text.</exception>
    public TextToImage TextSamples(string asker) =>
        Text ?? throw Refusal(asker, "images from text (a text-to-image run)");

    /// <summary>A direction as the command line names it: x-to-y, y-to-x.</summary>
    public static string Name(TranslationDirection direction) => direction switch
    {
        TranslationDirection.XToY => "x-to-y",
        TranslationDirection.YToX => "y-to-x",
        _ => throw new ArgumentOutOfRangeException(nameof(direction), direction, null),
    };

    /// <summary>The translator of <paramref name="direction"/>, for <paramref name="asker"/>.</summary>
    /// <exception cref="InputException">The game translates nothing, or not that way.</exception>
    public Translator Translation(TranslationDirection direction, string asker) =>
        Translators?.GetValueOrDefault(direction) ?? throw Refusal(asker, $"translations {Name(direction)}");

    /// <summary>The generator that samples from noise, for <paramref name="asker"/>.</summary>
    /// <exception cref="InputException">The game draws no samples from noise.</exception>
    public Generator Samples(string asker) =>
        Sampler ?? throw Refusal(asker, "samples from noise");

    /// <summary>The conditional generator that samples for a class, for <paramref name="asker"/>.</summary>
    /// <exception cref="InputException">The game's generator is not conditional (or there is none).</exception>
    public Generator ClassSamples(string asker) =>
        Sampler is { Classes: > 0 } g ? g : throw Refusal(asker, "samples for a class (a conditional generator)");

    /// <summary>The classifying discriminator, for <paramref name="asker"/>.</summary>
    /// <exception cref="InputException">The game trains no classifier.</exception>
    public Discriminator Classifying(string asker) =>
        Classifier ?? throw Refusal(asker, "a discriminator that classifies");

    InputException Refusal(string asker, string what) => new($"{asker} needs {what}; the {Game} game supplies {Supplies}");
}

/// <summary>Which way a translation goes between a run's two domains (its <c>data.x</c> and <c>data.y</c>).</summary>
public enum TranslationDirection
{
    /// <summary>From domain X to domain Y (CycleGAN's G).</summary>
    XToY,
    /// <summary>From domain Y to domain X (CycleGAN's F).</summary>
    YToX,
}
