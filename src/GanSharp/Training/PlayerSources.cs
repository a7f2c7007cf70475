using GanSharp.Configuration;
using GanSharp.Games;

namespace GanSharp.Training;

/// <summary>Loads players from other runs' checkpoints (<see cref="GanConfig.PlayersFrom"/>) and freezes those that say so.</summary>
internal static class PlayerSources
{
    /// <summary>
    /// For each source: the player's weights from its checkpoint when <paramref name="load"/>, then <see cref="Game.Freeze"/>
    /// when it is frozen.
    /// </summary>
    /// <exception cref="InputException">A player the game does not have, a source that is not a checkpoint, or weights that do not fit the player.</exception>
    public static void Apply(Game game, IEnumerable<PlayerSource> sources, bool load)
    {
        foreach (var source in sources)
        {
            var player = game.Players.FirstOrDefault(p => p.Name == source.Player)
                ?? throw new InputException($"players-from: the game has no player '{Text.Short(source.Player)}' (its players: {string.Join(", ", game.Players.Select(p => p.Name))})");
            if (load)
            {
                var checkpoint = TrainedPlayers.ReadCheckpoint(source.From);
                var section = source.Section ?? source.Player;
                try { checkpoint.LoadInto(section, player.Module); }
                catch (Exception e) when (e is not InputException)
                {
                    throw new InputException($"players-from: {checkpoint.Where}'s '{Text.Short(section)}' does not fit this run's {player.Name} " +
                                             $"(another architecture or image shape: {Text.Short(e.Message.Split('\n')[0], 120)})", e);
                }
            }
            if (source.Frozen) game.Freeze(player.Name);
        }
    }
}
