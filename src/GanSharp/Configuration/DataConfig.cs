namespace GanSharp.Configuration;

/// <summary>Which data, and how images are prepared for the nets.</summary>
public sealed record DataConfig
{
    /// <summary>A catalogue name (mnist, fashion-mnist, emoji-twitter, emoji-google), or a folder of IDX or PNG/JPEG files.</summary>
    public string Dataset { get; init; } = "mnist";
    /// <summary>
    /// Side of the square images the nets see: image files are centre-cropped and resized to it (null: 64 for folders
    /// of image files, the emoji's own 64; IDX data keeps its size).
    /// </summary>
    public int? ImageSize { get; init; }
    /// <summary>Grey or colour images from image files (null: colour); IDX data keeps its channels.</summary>
    public ColorMode? Color { get; init; }
    /// <summary>The colour transparent pixels are composited onto, as #RRGGBB (default white, as emoji are drawn on a page).</summary>
    public string Background { get; init; } = "#FFFFFF";

    /// <summary>The problems of these settings (none: valid).</summary>
    public IEnumerable<string> Problems()
    {
        if (ImageSize is < 4 or > 1024) yield return $"image-size must lie in 4…1024 (got {ImageSize})";
        if (!System.Text.RegularExpressions.Regex.IsMatch(Background, "^#[0-9A-Fa-f]{6}$"))
            yield return $"background must be a colour written #RRGGBB (got '{Background}')";
    }
}

/// <summary>How image files become pixels.</summary>
public enum ColorMode
{
    /// <summary>One channel: luminance Y = 0.299 R + 0.587 G + 0.114 B (ITU-R BT.601), after compositing.</summary>
    Grey,
    /// <summary>Three channels, red, green, blue.</summary>
    Rgb,
}
