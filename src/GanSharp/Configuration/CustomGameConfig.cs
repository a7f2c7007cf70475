using System.Text.Json.Serialization;

namespace GanSharp.Configuration;

/// <summary>
/// A caller's own game, trained through a <c>GanSharp.Training.GameBuilder</c> (a translation between two domains, a new
/// family being tried): GanSharp records its name and leaves the rules to the game — it takes any data kind and any nets
/// — and cannot build or load it by itself; <c>gan train --resume</c> says so, a C# resume passes the builder again.
/// </summary>
public sealed record CustomGameConfig : GameConfig
{
    /// <summary>The game's name, as its author calls it.</summary>
    public string Name { get; init; } = "custom";

    /// <inheritdoc/>
    protected override IEnumerable<string> DataProblems(GanConfig run) => [];

    /// <inheritdoc/>
    protected override IEnumerable<string> Rules(GanConfig run) => [];

    /// <inheritdoc/>
    [JsonIgnore]
    public override string Summary => $"custom ('{Text.Short(Name)}')";
}
