using GanSharp.Configuration;
using GanSharp.Data;
using GanSharp.Games;
using GanSharp.Models;
using TorchSharp;
using static TorchSharp.torch;
using Generator = GanSharp.Models.Generator;

namespace GanSharp.Training;

/// <summary>
/// How a run builds its game from its resolved configuration: GanSharp's own games (<see cref="BuiltIn"/>), or a
/// caller's nets, losses or game, which then train through the same run — folder, metrics, TensorBoard, grids,
/// checkpoints, Ctrl-C and exact resume, reports.
/// </summary>
/// <param name="Build">
/// The game for a configuration (its model's image shape taken from the data), its nets initialised from the run's
/// generator and placed on the run's device. Called once per process: at the start, and again on every resume (the
/// checkpoint's weights are then loaded into what it builds).
/// </param>
/// <param name="CreateGenerator">
/// Builds a generator like the game's from a model configuration: the copy a moving average of G (<c>ema</c>) keeps,
/// and how <c>Generator.Load(run, create)</c> reloads it. Null: GanSharp's nets.
/// </param>
public sealed record GameBuilder(Func<GanConfig, torch.Generator, TrainingSet, Device, Game> Build, Func<ModelConfig, Generator>? CreateGenerator = null)
{
    /// <summary>GanSharp's games, built from the configuration by <see cref="GameFactory"/>.</summary>
    public static GameBuilder BuiltIn { get; } = new(GameFactory.Create, model => Nets.CreateGenerator(model));
}
