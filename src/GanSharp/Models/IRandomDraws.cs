namespace GanSharp.Models;

/// <summary>
/// A net that draws random numbers in training (dropout masks) from a generator it is given, so that a trainer owning
/// one generator for the whole run makes the run reproducible, whatever else the process draws.
/// </summary>
public interface IRandomDraws
{
    /// <summary>The source of the net's random draws (null: libtorch's global generator).</summary>
    TorchSharp.torch.Generator? Rng { get; set; }
}
