using GanSharp.Configuration;
using GanSharp.Data;
using GanSharp.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Generator = GanSharp.Models.Generator;

namespace GanSharp.Games;

/// <summary>A net that takes part in a game, under the name its checkpoint section carries.</summary>
public sealed record Player(string Name, nn.Module Module);

/// <summary>
/// A player's optimizer, its checkpoint section's name, and the settings its schedules follow — over the whole run, or
/// over the iterations of <see cref="Window"/> where the player trains in part of it (a stage).
/// </summary>
public sealed record PlayerOptimizer(string Name, OptimizerHelper Optimizer, OptimizerConfig Config)
{
    /// <summary>
    /// The iterations the optimizer's schedule spans: from <c>First</c>, <c>Count</c> of them (null: to the run's end);
    /// null, the default: the whole run.
    /// </summary>
    public (long First, long? Count)? Window { get; init; }

    /// <summary>(the iteration within the window, the window's length) for iteration <paramref name="step"/> of a run of <paramref name="totalSteps"/>.</summary>
    public (long Step, long Total) Progress(long step, long totalSteps) => Window is { } w
        ? (Math.Clamp(step - w.First, 0, w.Count ?? long.MaxValue), w.Count ?? (totalSteps == long.MaxValue ? long.MaxValue : Math.Max(1, totalSteps - w.First)))
        : (step, totalSteps);
}

/// <summary>Where a game's step gets its data from: the training minibatches, in the run's order.</summary>
public interface IBatchSource
{
    /// <summary>Minibatch size m (noise minibatches are drawn at the same size).</summary>
    int BatchSize { get; }
    /// <summary>The next minibatch of training data.</summary>
    Batch Next();
    /// <summary>Minibatches taken so far in the run (a resumed run counts on): what a game's other data streams follow.</summary>
    long Taken { get; }
}

/// <summary>What one step of a game may draw on: the data, and the run's random number generator (noise, masks).</summary>
public sealed record StepContext(IBatchSource Data, torch.Generator Rng);

/// <summary>
/// A training algorithm: it owns its named players (nets), their optimizers, its loss terms, and one training step,
/// <see cref="Step"/> → named scalars. Everything around a game — the loop, schedules, checkpoints (a section per
/// player and per optimizer), metrics, sampling and evaluation — is shared by every game. A new GAN family is a new
/// game beside the others, never a flag inside one.
/// </summary>
public abstract class Game : IDisposable
{
    private readonly List<Player> players = [];
    private readonly List<PlayerOptimizer> optimizers = [];
    private readonly List<(string Name, IGameState State)> states = [];
    private readonly HashSet<Parameter> frozen = new(ReferenceEqualityComparer.Instance);   // a net's parameters() hands out the same objects

    /// <summary>What a player's moving average is named after: its checkpoint section is the player's name and this.</summary>
    public const string AverageSuffix = "-ema";
    /// <summary>The checkpoint section of a moving average of <see cref="Generator"/>'s weights, in runs that keep one.</summary>
    public const string GeneratorAverageName = TwoPlayerGame.GeneratorName + AverageSuffix;

    /// <summary>The nets, in checkpoint order.</summary>
    public IReadOnlyList<Player> Players => players;
    /// <summary>Their optimizers, in checkpoint order.</summary>
    public IReadOnlyList<PlayerOptimizer> Optimizers => optimizers;
    /// <summary>The game's own state beyond players and optimizers (image pools), in checkpoint order.</summary>
    public IReadOnlyList<(string Name, IGameState State)> States => states;

    /// <summary>
    /// The game's one generator of noise, where it has one (null, the default: none, or several): the player a moving
    /// average of G follows (<c>ema</c>) and <see cref="Product"/>'s sampler.
    /// </summary>
    public virtual Generator? Generator => null;

    /// <summary>
    /// The discriminator that classifies in evaluation, in a game that trains one (null: none, the default): what the
    /// <c>classify</c> evaluation measures.
    /// </summary>
    public virtual Discriminator? Classifier => null;

    /// <summary>
    /// Whether the game keeps the moving averages the run's <c>ema</c> asks for itself, as players of its own (CycleGAN:
    /// of both translators); the trainer then keeps none. Default false: the trainer averages <see cref="Generator"/>.
    /// </summary>
    public virtual bool AveragesItsPlayers => false;

    /// <summary>
    /// What can be drawn from the players (<paramref name="kind"/>: the game's name in configurations), with
    /// <paramref name="average"/> sampling in G's place where the trainer keeps a moving average of G, and the averages
    /// the game keeps of its own players in theirs unless <paramref name="trainedWeights"/>. Default: samples from
    /// <see cref="Generator"/> and the <see cref="Classifier"/>; games of other products override it.
    /// </summary>
    public virtual GameProduct Product(string kind, Generator? average = null, bool trainedWeights = false) =>
        new(kind, trainedWeights ? Generator : average ?? Generator, Classifier);

    /// <summary>
    /// The fixed inputs of the run's sample grids: about <paramref name="count"/> images, chosen from <paramref name="seed"/>.
    /// Default: a grid of noise for <see cref="Generator"/> (<see cref="NoiseGrid"/>).
    /// </summary>
    /// <exception cref="InvalidOperationException">A game without a generator of noise that does not say what its grids show.</exception>
    public virtual IFixedGrid CreateGrid(int count, long seed) =>
        Generator is { } g ? new NoiseGrid(g, count, seed) : throw new InvalidOperationException($"{GetType().Name}: say what the sample grids show (override CreateGrid)");

    /// <summary>
    /// Told how many iterations the run has done when that changes other than by <see cref="Step"/>: at the start (0), and
    /// after a resume (the checkpoint's). Default: nothing; a game whose product depends on where the run is (StackGAN's
    /// stages) sets it here.
    /// </summary>
    public virtual void AtIteration(long iterations) { }

    /// <summary>Data minibatches one <see cref="Step"/> consumes (Algorithm 1: k); an epoch is counted in them.</summary>
    public abstract int BatchesPerStep { get; }

    /// <summary>
    /// One training iteration. Returns its measurements by name (<c>d_loss</c>, <c>g_loss</c>, …), in the order they are
    /// logged; each game says what its names mean.
    /// </summary>
    public abstract IReadOnlyDictionary<string, double> Step(StepContext context);

    /// <summary>Registers a player; its parameters and buffers are checkpointed under <paramref name="name"/>.</summary>
    protected T AddPlayer<T>(string name, T module) where T : nn.Module
    {
        if (players.Any(p => p.Name == name)) throw new ArgumentException($"two players named '{name}'");
        players.Add(new Player(name, module));
        return module;
    }

    /// <summary>Registers a state of the game's own (an image pool), checkpointed under <paramref name="name"/>.</summary>
    protected T AddState<T>(string name, T state) where T : IGameState
    {
        if (players.Any(p => p.Name == name) || states.Any(s => s.Name == name)) throw new ArgumentException($"two parts of the game named '{name}'");
        states.Add((name, state));
        return state;
    }

    /// <summary>
    /// Freezes the player <paramref name="name"/> for the rest of the run: its parameters receive no gradients (so its
    /// optimizer leaves them alone), and no game step unfreezes them — a player loaded from another run as it was
    /// trained there (a first stage under a second).
    /// </summary>
    /// <exception cref="ArgumentException">No player of that name.</exception>
    public void Freeze(string name)
    {
        var player = players.FirstOrDefault(p => p.Name == name) ?? throw new ArgumentException($"no player named '{name}'", nameof(name));
        foreach (var p in player.Module.parameters())
        {
            p.requires_grad = false;
            frozen.Add(p);
        }
    }

    /// <summary>Whether the player <paramref name="name"/> is frozen (<see cref="Freeze"/>).</summary>
    public bool IsFrozen(string name) => players.FirstOrDefault(p => p.Name == name) is { } player && player.Module.parameters().Any(frozen.Contains);

    /// <summary>
    /// Builds and registers the optimizer of <paramref name="parameters"/>, checkpointed under <paramref name="name"/>, its
    /// schedule over <paramref name="window"/>'s iterations (null: the run's).
    /// </summary>
    protected OptimizerHelper AddOptimizer(string name, IEnumerable<Parameter> parameters, OptimizerConfig config, (long First, long? Count)? window = null)
    {
        var optimizer = config.Kind switch
        {
            OptimizerKind.Sgd => (OptimizerHelper)optim.SGD(parameters, config.LearningRate, config.MomentumStart),
            OptimizerKind.Adam => optim.Adam(parameters, config.LearningRate, config.Beta1, config.Beta2, config.Epsilon),
            _ => throw new ArgumentOutOfRangeException(nameof(config), config.Kind, "unknown optimizer"),
        };
        optimizers.Add(new PlayerOptimizer(name, optimizer, config) { Window = window });
        return optimizer;
    }

    /// <summary>
    /// One update of a player: its gradients of <paramref name="loss"/> (dropped first, not zeroed: backward writes fresh
    /// ones), then its optimizer's step — or nothing for a frozen player (<see cref="Freeze"/>), whose loss is still measured.
    /// </summary>
    protected void Descend(Tensor loss, OptimizerHelper optimizer, Parameter[] parameters)
    {
        if (IsFrozen(parameters)) return;
        ClearGradients(parameters);
        loss.backward();
        optimizer.step();
    }

    /// <summary>Whether <paramref name="parameters"/> (a player's) are frozen.</summary>
    protected bool IsFrozen(Parameter[] parameters) => parameters.Length > 0 && parameters.All(frozen.Contains);

    /// <summary>Drops the gradients instead of zeroing them: backward then writes fresh ones, saving a pass over every parameter.</summary>
    protected static void ClearGradients(Parameter[] parameters)
    {
        foreach (var p in parameters) p.grad = null;
    }

    /// <summary>Freezes or unfreezes parameters (a frozen player passes gradients through but receives none).</summary>
    protected void SetRequiresGrad(Parameter[] parameters, bool value)
    {
        foreach (var p in parameters) p.requires_grad = value && !frozen.Contains(p);   // a frozen player stays frozen
    }

    /// <summary>Disposes the optimizers and the players.</summary>
    public void Dispose()
    {
        DisposeBuffers();
        foreach (var (_, state) in states) (state as IDisposable)?.Dispose();
        foreach (var o in optimizers) o.Optimizer.Dispose();
        foreach (var p in players) p.Module.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Disposes what a game holds besides its players and optimizers (noise buffers).</summary>
    protected virtual void DisposeBuffers() { }
}
