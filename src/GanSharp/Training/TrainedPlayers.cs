using GanSharp.Configuration;
using GanSharp.Games;
using GanSharp.Models;
using static TorchSharp.torch;
using Generator = GanSharp.Models.Generator;

namespace GanSharp.Training;

/// <summary>
/// Trained players, from a run folder or a checkpoint file: what C# programs load. <see cref="LoadProduct"/> gives the run's
/// whole product (<see cref="GameProduct"/>: what its game can draw); <c>Generator.Load(run)</c> the generator alone.
/// </summary>
public static class TrainedPlayers
{
    /// <summary>
    /// The checkpoint <paramref name="runOrCheckpoint"/> names: a checkpoint file, or a run folder's last checkpoint
    /// (<c>checkpoints/last.ckpt</c>).
    /// </summary>
    /// <exception cref="InputException">Neither a checkpoint nor a run folder with one, or a checkpoint that does not verify.</exception>
    public static Checkpoint ReadCheckpoint(string runOrCheckpoint)
    {
        if (Directory.Exists(runOrCheckpoint))
        {
            var run = new RunDirectory(runOrCheckpoint);
            if (!File.Exists(run.LastCheckpointPath))
                throw new InputException(run.HoldsRun
                    ? $"{runOrCheckpoint}: the run has no checkpoint yet ({run.LastCheckpointPath} is written at its first checkpoint)"
                    : $"{runOrCheckpoint}: not a run folder (no config.json) and not a checkpoint file");
            return Checkpoint.Read(run.LastCheckpointPath);
        }
        if (!File.Exists(runOrCheckpoint)) throw new InputException($"{runOrCheckpoint}: no such run folder or checkpoint file");
        return Checkpoint.Read(runOrCheckpoint);
    }

    /// <summary>
    /// What the players of a run (folder) or checkpoint (file) can draw, loaded as <paramref name="options"/> say (default:
    /// on the CPU, the averages the run kept, GanSharp's nets). Dispose it to free the nets.
    /// </summary>
    /// <exception cref="InputException">No such run or checkpoint, nets GanSharp cannot rebuild (pass a factory), or non-finite weights.</exception>
    public static LoadedProduct LoadProduct(string runOrCheckpoint, ProductOptions? options = null) =>
        GameFactory.LoadProduct(ReadCheckpoint(runOrCheckpoint), options);

    extension(Generator)
    {
        /// <summary>
        /// Loads the generator of a run folder (its last checkpoint) or of a checkpoint file (<c>checkpoints/last.ckpt</c>
        /// or any periodic one) onto <paramref name="device"/> (default: the CPU), whatever device it was trained on — the
        /// moving average of its weights when the run kept one (<see cref="Checkpoint.HasEma"/>), else the trained
        /// weights; <see cref="Generator.LoadedFrom"/> says which. The architecture is rebuilt from the checkpoint's
        /// configuration; for nets of your own, pass a factory.
        /// </summary>
        /// <exception cref="InputException">No such run or checkpoint, a corrupt one, a game without a generator of noise, or non-finite weights.</exception>
        public static Generator Load(string runOrCheckpoint, Device? device = null) =>
            FromCheckpoint(ReadCheckpoint(runOrCheckpoint), device);

        /// <summary>
        /// Loads the generator of a run or checkpoint into the net <paramref name="create"/> builds from the run's model
        /// configuration: how a caller reloads an architecture of their own.
        /// </summary>
        public static Generator Load(string runOrCheckpoint, Func<ModelConfig, Generator> create, Device? device = null) =>
            FromCheckpoint(ReadCheckpoint(runOrCheckpoint), create, device);

        /// <summary>The generator of a checkpoint already read, on <paramref name="device"/> (default: the CPU).</summary>
        public static Generator FromCheckpoint(Checkpoint checkpoint, Device? device = null) => SamplerOf(checkpoint, new ProductOptions(device, Classifier: false));

        /// <summary>The generator of a checkpoint already read, built by <paramref name="create"/>.</summary>
        public static Generator FromCheckpoint(Checkpoint checkpoint, Func<ModelConfig, Generator> create, Device? device = null) =>
            SamplerOf(checkpoint, new ProductOptions(device, CreateGenerator: create, Classifier: false));
    }

    extension(Discriminator)
    {
        /// <summary>
        /// The classifying discriminator of a checkpoint, rebuilt from its configuration, in evaluation mode on
        /// <paramref name="device"/> (default: the CPU) — for a semi-supervised run the running average of D's weights
        /// when the run kept one, unless <paramref name="trainedWeights"/>; else D's own weights.
        /// </summary>
        /// <exception cref="InputException">A game whose discriminator does not classify, nets GanSharp cannot rebuild, or weights that do not fit.</exception>
        public static Discriminator FromCheckpoint(Checkpoint checkpoint, Device? device = null, bool trainedWeights = false)
            => GameFactory.LoadProduct(checkpoint, new ProductOptions(device, trainedWeights, Sampler: false))
                          .Take(p => p.Classifying($"{checkpoint.Where}: a classifier"));
    }

    static Generator SamplerOf(Checkpoint checkpoint, ProductOptions options)
    {
        var g = GameFactory.LoadProduct(checkpoint, options).Take(p => p.Samples($"{checkpoint.Where}: a generator"));
        bool average = checkpoint.HasEma && !options.TrainedWeights;
        g.LoadedFrom = $"{checkpoint.Where} (iteration {checkpoint.Step:N0}): " +
                       (average ? $"the moving average of G's weights (β = {checkpoint.Config.Ema?.Beta:G4}) the run kept" : "G's trained weights");
        return g;
    }
}
