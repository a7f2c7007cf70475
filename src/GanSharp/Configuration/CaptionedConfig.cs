using System.Text.Json.Serialization;

namespace GanSharp.Configuration;

/// <summary>
/// Images with captions (<c>"kind": "captioned"</c>) — what a text-to-image game trains on: one dataset of images, each
/// with its captions embedded once by a frozen text encoder (all-MiniLM-L6-v2, <c>Captions.MiniLmEncoder</c>; cached by
/// <c>Captions.EmbeddingCache</c>). Captions come from the emoji catalogue (an emoji style: its names and CLDR's,
/// <c>Captions.EmojiCaptions</c>), split by emoji as CycleGAN's pairs are, so that no test emoji's name is seen in
/// training. A minibatch holds the images and, as the condition, the mean embedding of up to
/// <see cref="CaptionsPerStep"/> of each image's captions (the reference's birds: 4 of 10), plus the same of another
/// image's captions (the matching-aware discriminator's wrong text).
/// </summary>
public sealed record CaptionedConfig : StreamConfig
{
    /// <summary>The images and how they are prepared (an emoji style: emoji-twitter or emoji-google).</summary>
    public DataConfig Images { get; init; } = new() { Dataset = "emoji-twitter" };
    /// <summary>Captions averaged per image and minibatch (an image with fewer averages all of its own).</summary>
    public int CaptionsPerStep { get; init; } = 4;

    /// <inheritdoc/>
    public override IEnumerable<string> Problems()
    {
        foreach (var p in Images.Problems()) yield return $"data.images: {p}";
        if (!TwoDomainsConfig.IsEmoji(Images.Dataset))
            yield return $"data.images: captions come with the emoji styles (emoji-twitter, emoji-google), not {Images.Dataset}";
        if (CaptionsPerStep is < 1 or > 10) yield return $"data.captions-per-step must lie in 1…10 (got {CaptionsPerStep})";
    }

    /// <inheritdoc/>
    [JsonIgnore]
    public override string Summary => $"{Images.Dataset} with captions";

    /// <inheritdoc/>
    [JsonIgnore]
    public override int? DeclaredImageSize => Images.ImageSize;
}
