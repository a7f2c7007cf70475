using GanSharp.Data;
using TorchSharp;
using static TorchSharp.torch;
using Generator = GanSharp.Models.Generator;

namespace GanSharp.Games;

/// <summary>
/// What a game's players are conditioned on, and where a step gets it — so that a game's step passes a condition along
/// without knowing what it is: nothing (<see cref="Unconditioned"/>: the paper's players), or a class
/// (<see cref="ClassConditioning"/>: Mirza &amp; Osindero's). Later kinds (a caption's embedding) come from their data.
/// </summary>
public interface IConditioning
{
    /// <summary>
    /// The condition of a real minibatch: what D judges it with, and what G is given for the generated half of D's update,
    /// so both halves are of the same classes (null: none).
    /// </summary>
    Tensor? OfData(Batch batch);

    /// <summary>Conditions for <paramref name="count"/> generated images of G's own update, drawn from <paramref name="rng"/> (null: none, nothing drawn).</summary>
    Tensor? Draw(long count, torch.Generator rng);
}

/// <summary>Players that take no condition: nothing is given, nothing drawn.</summary>
public sealed class Unconditioned : IConditioning
{
    /// <summary>The one instance.</summary>
    public static Unconditioned Instance { get; } = new();

    /// <inheritdoc/>
    public Tensor? OfData(Batch batch) => null;

    /// <inheritdoc/>
    public Tensor? Draw(long count, torch.Generator rng) => null;
}

/// <summary>
/// Players conditioned on a class (Mirza &amp; Osindero 2014): a real minibatch's own labels, and for G's own images
/// classes drawn as often as in the training data (<see cref="Generator.SampleLabels"/>) on G's device.
/// </summary>
public sealed class ClassConditioning(Generator g) : IConditioning
{
    /// <inheritdoc/>
    /// <exception cref="InputException">Data without labels.</exception>
    public Tensor? OfData(Batch batch) =>
        batch.Labels ?? throw new InputException("the conditional nets need class labels, and the training data has none");

    /// <inheritdoc/>
    public Tensor? Draw(long count, torch.Generator rng) => g.SampleLabels(count, rng, g.Device);

    /// <summary>The conditioning of <paramref name="g"/>'s kind: by class when it is conditional, else none.</summary>
    public static IConditioning Of(Generator g) => g.Classes > 0 ? new ClassConditioning(g) : Unconditioned.Instance;
}
