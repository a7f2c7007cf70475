using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace GanSharp.Configuration;

/// <summary>
/// Nets a caller built themselves (their own <c>Generator</c> and <c>Discriminator</c> subclasses). GanSharp records the
/// shared settings and <see cref="Settings"/> in checkpoints, but cannot rebuild the nets: reload them by giving a
/// factory (<c>Generator.Load(path, config =&gt; new MyGenerator(config))</c>).
/// </summary>
public sealed record CustomModelConfig : ModelConfig
{
    /// <summary>A name for the caller's architecture (shown in messages).</summary>
    public string Architecture { get; init; } = "custom";
    /// <summary>Whatever the caller's nets need to be rebuilt, as JSON (kept as given).</summary>
    public JsonObject? Settings { get; init; }
    /// <summary>How the caller's nets use class labels (default: not at all).</summary>
    [JsonPropertyName("conditioning")]
    public Conditioning Labels { get; init; }

    /// <inheritdoc/>
    [JsonIgnore]
    public override Conditioning Conditioning => Labels;
}
