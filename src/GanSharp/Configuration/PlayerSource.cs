namespace GanSharp.Configuration;

/// <summary>
/// A player that starts from another run's trained weights instead of its initialisation (<c>"players-from"</c>): a
/// second stage that starts from a first, a discriminator warm-started from an earlier run. Loaded when the run starts
/// (a resume restores it from the run's own checkpoint, so the source may be gone by then); a frozen player keeps the
/// loaded weights for the whole run.
/// </summary>
/// <param name="Player">The player of this run's game (its checkpoint section's name: <c>generator</c>, <c>discriminator</c>, …).</param>
/// <param name="From">The other run's folder (its last checkpoint) or a checkpoint file.</param>
/// <param name="Section">The section of that checkpoint to load (default: <paramref name="Player"/>).</param>
/// <param name="Frozen">Keep the loaded weights: the player receives no gradient updates.</param>
public sealed record PlayerSource(string Player, string From, string? Section = null, bool Frozen = false)
{
    /// <summary>The problems of these settings (none: valid).</summary>
    public IEnumerable<string> Problems()
    {
        if (string.IsNullOrWhiteSpace(Player)) yield return "players-from: each entry names a player";
        if (string.IsNullOrWhiteSpace(From)) yield return $"players-from: say where player '{Text.Short(Player ?? "")}' comes from (a run folder or a checkpoint file)";
    }
}
