using GanSharp.Configuration;
using GanSharp.Data;
using GanSharp.Games;
using GanSharp.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Generator = GanSharp.Models.Generator;

namespace GanSharp.Training;

/// <summary>
/// Training produced a non-finite loss or non-finite weights; the nets are no longer usable, and nothing of the diverged
/// step was checkpointed.
/// </summary>
public sealed class TrainingDivergedException(string message) : GanSharpException(message);

/// <summary>
/// A game in training: its progress (iterations, data minibatches, epochs), the data in the run's order, the run's random
/// number generator, the schedules applied to every optimizer before each iteration, and the state a checkpoint holds.
/// One <see cref="TrainStep"/> is one iteration of the game (for <see cref="Algorithm1"/>: k discriminator updates and
/// one generator update). <see cref="TrainingRun"/> adds the run directory around it.
/// </summary>
public sealed class Trainer : IDisposable
{
    /// <summary>The game being trained: its players, optimizers, losses and step.</summary>
    public Game Game { get; }
    /// <summary>The game's generator of noise.</summary>
    /// <exception cref="InvalidOperationException">A game without one generator of noise.</exception>
    public Generator G => Game.Generator ?? throw new InvalidOperationException($"the {GameKind} game has no single generator of noise");
    /// <summary>The moving average of G's weights, when the configuration asks for one (<see cref="GanConfig.Ema"/>).</summary>
    public ExponentialMovingAverage? Ema { get; }
    /// <summary>The generator that samples and evaluations draw from: the average of G where there is one, else G.</summary>
    public Generator SamplingGenerator => Ema?.Shadow ?? G;
    /// <summary>What grids and evaluations draw from: the game's product, with the average of G in G's place where there is one.</summary>
    public GameProduct Product => Game.Product(GameKind, Ema?.Shadow);
    /// <summary>What the trained players themselves draw (no averages): what is checked before a checkpoint.</summary>
    public GameProduct TrainedProduct => Game.Product(GameKind, trainedWeights: true);
    /// <summary>The game's kind, as the configuration names it.</summary>
    public string GameKind => Kinds.NameOf<GameConfig>(Config.Game);
    /// <summary>The configuration being trained.</summary>
    public GanConfig Config { get; }
    /// <summary>Where the nets, the data and the noise live.</summary>
    public Device Device { get; }
    /// <summary>Completed iterations (generator updates).</summary>
    public long Step { get; private set; }
    /// <summary>Completed data minibatches; locates the position in the data.</summary>
    public long DataBatches => batches.Taken;
    /// <summary>Minibatches per epoch.</summary>
    public long BatchesPerEpoch => data.BatchesPerEpoch;
    /// <summary>Completed epochs (passes of the discriminator over the training images).</summary>
    public long Epoch => DataBatches / data.BatchesPerEpoch;
    /// <summary>What a step of the game draws on: the data in the run's order and the run's random number generator.</summary>
    public StepContext Context { get; }
    /// <summary>
    /// Iterations at which the run ends: <see cref="TrainConfig.Steps"/>, else its epochs in iterations
    /// (<see cref="long.MaxValue"/> for a CPU budget alone). What a schedule that needs the run's length scales to.
    /// </summary>
    public long TotalSteps { get; }
    /// <summary>The learning rate of the next update of the first optimizer (the generator's).</summary>
    public double LearningRate => Current.Progress(Step, TotalSteps) is var (step, total) ? Schedules.LearningRate(Current.Config, step, total) : 0;

    /// <summary>The first optimizer training now (a staged game's: the current stage's), whose rate the run logs.</summary>
    PlayerOptimizer Current => Game.Optimizers.FirstOrDefault(o => o.Window is not { } w || (Step >= w.First && (w.Count is not { } n || Step < w.First + n)))
                               ?? Game.Optimizers[0];
    /// <summary>The SGD momentum of the next update of the first optimizer (Adam: β₁).</summary>
    public double Momentum => Schedules.MomentumOf(Current.Config, Epoch);

    private readonly IMinibatches data;   // the training set's minibatches on Device, by its data kind
    private readonly BatchCursor batches;
    private readonly torch.Generator rng;

    /// <summary>
    /// Builds the game <paramref name="config"/> describes over <paramref name="train"/> (not owned), seeding every
    /// random number generator from the configuration's seed.
    /// </summary>
    public Trainer(GanConfig config, ImageDataset train) : this(config, train, GameBuilder.BuiltIn) { }

    /// <summary>
    /// Trains a game built by the caller — players, losses and optimizers of their own — over <paramref name="train"/>
    /// (not owned). The game's nets must already be on <see cref="TrainConfig.Device"/>. The configuration supplies the
    /// batch size, seed, device and schedules; its model, loss and game sections are recorded in checkpoints as given.
    /// With <see cref="GanConfig.Ema"/>, <paramref name="createGenerator"/> builds the average's copy of your generator.
    /// </summary>
    public Trainer(GanConfig config, ImageDataset train, Game game, Func<ModelConfig, Generator>? createGenerator = null)
        : this(config, train, (_, _) => game, createGenerator) { }

    /// <summary>
    /// Trains the game <paramref name="builder"/> builds for <paramref name="config"/> over <paramref name="train"/> (not
    /// owned): GanSharp's own (<see cref="GameBuilder.BuiltIn"/>) or a caller's.
    /// </summary>
    public Trainer(GanConfig config, TrainingSet train, GameBuilder builder) : this(config, train, builder, loadPlayers: true) { }

    /// <summary>
    /// The game of <paramref name="builder"/>; its <see cref="GanConfig.PlayersFrom"/> loaded from their runs when
    /// <paramref name="loadPlayers"/> (a run's start; a resume restores them from its own checkpoint), and frozen where
    /// they say so either way.
    /// </summary>
    internal Trainer(GanConfig config, TrainingSet train, GameBuilder builder, bool loadPlayers)
        : this(config, train, (rng, device) => builder.Build(config, rng, train, device), builder.CreateGenerator, loadPlayers) { }

    private Trainer(GanConfig config, TrainingSet train, Func<torch.Generator, Device, Game> build, Func<ModelConfig, Generator>? createGenerator,
                    bool loadPlayers = true)
    {
        Config = config;
        var t = config.Train;
        Device = Devices.Resolve(t.Device);
        // One generator for every random draw of the run (initialisation, noise, dropout masks), in program order;
        // the data order is a function of (seed, epoch). Nothing depends on libtorch's process-wide generator.
        // The nets are initialised on the CPU whatever the device, so a seed gives the same initial nets everywhere;
        // on a GPU, noise and dropout masks come from a generator of that device, seeded alike.
        var initRng = new torch.Generator(unchecked((ulong)t.Seed));
        try { Game = build(initRng, Device); }
        catch
        {
            initRng.Dispose();
            throw;
        }
        rng = Device.type == DeviceType.CPU ? initRng : new torch.Generator(unchecked((ulong)t.Seed), Device);
        if (rng != initRng) initRng.Dispose();
        try { PlayerSources.Apply(Game, config.PlayersFrom ?? [], loadPlayers); }   // before the average copies G
        catch
        {
            Game.Dispose();
            rng.Dispose();
            throw;
        }
        foreach (var player in Game.Players)
        {
            if (player.Module is IRandomDraws net) net.Rng = rng;
            player.Module.train();
        }
        if (config.Ema is { } ema && !Game.AveragesItsPlayers)
        {
            var g = Game.Generator ?? throw new InputException($"ema: the {GameKind} game has no single generator of noise to average");
            var create = createGenerator ?? throw new InputException("ema: pass createGenerator to build the average's copy of your generator");
            var shadow = create(config.Model);
            shadow.to(Device);
            Ema = new ExponentialMovingAverage(g, shadow, ema);
        }
        data = train.Minibatches(Device, t.Batch, t.Seed);
        TotalSteps = t.Steps ?? (t.CpuMinutes is not null ? long.MaxValue  // a budget alone: the budget ends the run
            : (long)Math.Ceiling((double)t.Epochs * data.BatchesPerEpoch / Game.BatchesPerStep));
        batches = new BatchCursor(data);
        Context = new StepContext(batches, rng);
        Game.AtIteration(0);
    }

    /// <summary>The data in the run's order: the n-th minibatch the game asks for is the run's n-th.</summary>
    sealed class BatchCursor(IMinibatches sampler) : IBatchSource
    {
        public long Taken { get; set; }
        public int BatchSize => sampler.BatchSize;
        public Batch Next() => sampler.Batch(Taken++);
    }

    /// <summary>
    /// One iteration of the game, after the schedules are applied. Returns its named scalars. The losses are measured
    /// before the step's updates, so the weights are checked after them too: an update can turn finite weights into NaN
    /// from finite losses (a huge learning rate), and such weights must never reach a checkpoint.
    /// </summary>
    /// <exception cref="TrainingDivergedException">A measurement or a weight became NaN or infinite.</exception>
    public IReadOnlyDictionary<string, double> TrainStep()
    {
        ApplySchedules();
        var scalars = Game.Step(Context);
        Step++;
        Ema?.Update(Step);                                   // after the iteration's generator update
        if (scalars.Values.Any(v => !double.IsFinite(v)))
            throw new TrainingDivergedException(
                $"training diverged at step {Step}: {string.Join(", ", scalars.Select(s => $"{s.Key} {s.Value}"))}");
        if (!Weights.AllFinite(Game.Players.Select(p => p.Module)))
            throw new TrainingDivergedException($"training diverged at step {Step}: the update made the weights non-finite (NaN or infinity)");
        return scalars;
    }

    /// <summary>Each optimizer's learning rate (and SGD momentum) for the next update, from its own schedule.</summary>
    private void ApplySchedules()
    {
        foreach (var o in Game.Optimizers)
        {
            var (step, total) = o.Progress(Step, TotalSteps);   // a stage's optimizer: over its stage
            double lr = Schedules.LearningRate(o.Config, step, total), momentum = Schedules.MomentumOf(o.Config, Epoch);
            foreach (var group in o.Optimizer.ParamGroups)
            {
                group.LearningRate = lr;
                if (group is ParamGroup { Options: SGD.Options sgd }) sgd.momentum = momentum;
            }
        }
    }

    /// <summary>The state needed to continue exactly: every player, every optimizer, the random number generator.</summary>
    /// <exception cref="TrainingDivergedException">The weights are not finite: such a state is never checkpointed.</exception>
    public Checkpoint ToCheckpoint()
    {
        if (!Weights.AllFinite(Game.Players.Select(p => p.Module)))
            throw new TrainingDivergedException($"the weights at step {Step} are not finite (NaN or infinity); no checkpoint was written");
        using var rngState = rng.get_state();
        var sections = new Dictionary<string, byte[]>();
        foreach (var p in Game.Players) sections[p.Name] = Checkpoint.Save(p.Module);
        foreach (var o in Game.Optimizers) sections[o.Name] = Checkpoint.Save(o.Optimizer);
        sections[Checkpoint.RngSection] = rngState.data<byte>().ToArray();
        if (Ema is not null) sections[Checkpoint.GeneratorEmaSection] = Checkpoint.Save(Ema.Shadow);
        foreach (var (name, state) in Game.States) sections[name] = Checkpoint.Save(state);
        return new Checkpoint { Config = Config, Step = Step, DataBatches = DataBatches, Sections = sections };
    }

    /// <summary>Restores the state of a checkpoint of the same configuration.</summary>
    public void Restore(Checkpoint checkpoint)
    {
        foreach (var p in Game.Players) checkpoint.LoadInto(p.Name, p.Module);
        foreach (var o in Game.Optimizers) checkpoint.LoadInto(o.Name, o.Optimizer);
        if (Ema is not null) checkpoint.LoadInto(Checkpoint.GeneratorEmaSection, Ema.Shadow);
        foreach (var (name, gameState) in Game.States) checkpoint.LoadInto(name, gameState);
        using (var state = tensor(checkpoint.Section(Checkpoint.RngSection), dtype: ScalarType.Byte))
            rng.set_state(state);
        Step = checkpoint.Step;
        batches.Taken = checkpoint.DataBatches;
        Game.AtIteration(Step);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        rng.Dispose();
        data.Dispose();
        Ema?.Dispose();
        Game.Dispose();
    }
}
