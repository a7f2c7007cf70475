using System.Text.Json.Serialization;

namespace GanSharp.Configuration;

/// <summary>
/// What a run trains on, told apart in JSON by <c>"kind"</c>: one dataset (<see cref="DataConfig"/>, <c>"images"</c>:
/// its labels come along where it has them), two unpaired domains (<see cref="TwoDomainsConfig"/>), or images with
/// captions (<see cref="CaptionedConfig"/>). Each kind says
/// how its minibatches are drawn and what an epoch is; a game refuses a kind it does not play
/// (<see cref="GameConfig.ProblemsWith"/>).
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind", UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization)]
[JsonDerivedType(typeof(DataConfig), "images")]
[JsonDerivedType(typeof(TwoDomainsConfig), "two-domains")]
[JsonDerivedType(typeof(CaptionedConfig), "captioned")]
public abstract record StreamConfig
{
    /// <summary>The problems of these settings (none: valid).</summary>
    public abstract IEnumerable<string> Problems();

    /// <summary>The data in a few words, for messages and reports.</summary>
    [JsonIgnore] public abstract string Summary { get; }

    /// <summary>The side the images are resized to, where the settings say (image-size); null: known once they are loaded.</summary>
    [JsonIgnore] public abstract int? DeclaredImageSize { get; }
}

/// <summary>
/// Two unpaired image domains X and Y — what a translation between them trains on (CycleGAN): each domain a dataset of
/// its own, prepared the same way, with its own splits; an image of X has no partner in Y. An epoch is as many
/// minibatches as the larger domain fills; the smaller is reused within it (<c>Data.UnpairedSampler</c>).
/// </summary>
public sealed record TwoDomainsConfig : StreamConfig
{
    /// <summary>Domain X.</summary>
    public DataConfig X { get; init; } = new();
    /// <summary>Domain Y.</summary>
    public DataConfig Y { get; init; } = new();
    /// <summary>How the domains are split into training, validation and test images.</summary>
    public DomainSplit Split { get; init; } = DomainSplit.Each;

    /// <inheritdoc/>
    public override IEnumerable<string> Problems()
    {
        foreach (var p in X.Problems()) yield return $"data.x: {p}";
        foreach (var p in Y.Problems()) yield return $"data.y: {p}";
        if (X.ImageSize != Y.ImageSize || X.Color != Y.Color)
            yield return "data: domains x and y must be prepared alike (the same image-size and color): a translation maps images of one shape";
        if (Split == DomainSplit.EmojiPairs && !(IsEmoji(X.Dataset) && IsEmoji(Y.Dataset) && X.Dataset != Y.Dataset))
            yield return $"data: split emoji-pairs pairs the two emoji styles (x and y: emoji-twitter and emoji-google), not {X.Dataset} and {Y.Dataset}: use split each";
    }

    /// <summary>Whether <paramref name="dataset"/> names one of the emoji styles that <see cref="DomainSplit.EmojiPairs"/> pairs.</summary>
    public static bool IsEmoji(string dataset) => dataset is "emoji-twitter" or "emoji-google";

    /// <inheritdoc/>
    [JsonIgnore]
    public override string Summary => $"two domains, x: {X.Dataset} and y: {Y.Dataset}";

    /// <inheritdoc/>
    [JsonIgnore]
    public override int? DeclaredImageSize => X.ImageSize;   // the domains are prepared alike (Problems)
}

/// <summary>One dataset, and how its images are prepared for the nets (<c>"kind": "images"</c>).</summary>
public sealed record DataConfig : StreamConfig
{
    /// <summary>A catalogue name (mnist, fashion-mnist, emoji-twitter, emoji-google), or a folder of IDX or PNG/JPEG files.</summary>
    public string Dataset { get; init; } = "mnist";
    /// <summary>
    /// Side of the square images the nets see: image files are centre-cropped and resized to it (null: 64 for folders
    /// of image files, the emoji's own 64; IDX data keeps its size).
    /// </summary>
    public int? ImageSize { get; init; }
    /// <inheritdoc/>
    [JsonIgnore]
    public override int? DeclaredImageSize => ImageSize;
    /// <summary>Grey or colour images from image files (null: colour); IDX data keeps its channels.</summary>
    public ColorMode? Color { get; init; }
    /// <summary>The colour transparent pixels are composited onto, as #RRGGBB (default white, as emoji are drawn on a page).</summary>
    public string Background { get; init; } = "#FFFFFF";

    /// <inheritdoc/>
    [JsonIgnore]
    public override string Summary => Dataset;

    /// <summary>The problems of these settings (none: valid).</summary>
    public override IEnumerable<string> Problems()
    {
        if (ImageSize is < 4 or > 1024) yield return $"image-size must lie in 4…1024 (got {ImageSize})";
        if (!System.Text.RegularExpressions.Regex.IsMatch(Background, "^#[0-9A-Fa-f]{6}$"))
            yield return $"background must be a colour written #RRGGBB (got '{Background}')";
    }
}

/// <summary>How two domains are split into training, validation and test images.</summary>
public enum DomainSplit
{
    /// <summary>Each domain by its own dataset's split (a folder: tenths; a catalogue set: its own).</summary>
    Each,
    /// <summary>
    /// The two emoji styles paired by emoji (<c>Data.EmojiPairs</c>): a tenth of the emoji for test and a tenth for
    /// validation, drawn in both styles and aligned; the rest cut in two disjoint halves, X's training images from one
    /// and Y's from the other, so that no emoji is seen in both styles in training.
    /// </summary>
    EmojiPairs,
}

/// <summary>How image files become pixels.</summary>
public enum ColorMode
{
    /// <summary>One channel: luminance Y = 0.299 R + 0.587 G + 0.114 B (ITU-R BT.601), after compositing.</summary>
    Grey,
    /// <summary>Three channels, red, green, blue.</summary>
    Rgb,
}
