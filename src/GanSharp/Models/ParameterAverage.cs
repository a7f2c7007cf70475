using GanSharp.Configuration;
using TorchSharp;
using static TorchSharp.torch;

namespace GanSharp.Models;

/// <summary>
/// An exponential moving average of one net's weights, kept in a second net of the same architecture:
/// <code>
/// θ_avg ← β_t θ_avg + (1 − β_t) θ        β_t = β, or min(β, (1 + t)/(10 + t)) with warm-up (t: updates of θ so far)
/// </code>
/// The average starts as a copy of the net (parameters and buffers), receives no gradients and stays in evaluation
/// mode. The arithmetic of <see cref="ExponentialMovingAverage"/> (the trainer's average of a noise generator) and of
/// the averages a game keeps of its own players (CycleGAN's translators); nothing here knows what the nets draw.
/// </summary>
public sealed class ParameterAverage
{
    private readonly Tensor[] source, average;   // parameters, in the same order

    /// <summary>β and the warm-up.</summary>
    public EmaConfig Config { get; }

    /// <summary>An average of <paramref name="net"/> kept in <paramref name="average"/> (not owned), which starts as its copy.</summary>
    /// <exception cref="ArgumentException">The two nets differ in their parameters' or buffers' count or shapes.</exception>
    public ParameterAverage(nn.Module net, nn.Module average, EmaConfig config)
    {
        Config = config;
        source = net.parameters().Cast<Tensor>().ToArray();
        this.average = average.parameters().Cast<Tensor>().ToArray();
        var sourceBuffers = net.buffers().ToArray();
        var averageBuffers = average.buffers().ToArray();
        if (source.Length != this.average.Length || sourceBuffers.Length != averageBuffers.Length
            || source.Zip(this.average).Any(p => !p.First.shape.SequenceEqual(p.Second.shape)))
            throw new ArgumentException("the average must have the architecture of the net it follows");
        foreach (var p in average.parameters()) p.requires_grad = false;
        using (no_grad())
        {
            for (int i = 0; i < source.Length; i++) this.average[i].copy_(source[i]);
            for (int i = 0; i < sourceBuffers.Length; i++) averageBuffers[i].copy_(sourceBuffers[i]);   // the same weights: the same statistics
        }
        average.eval();
    }

    /// <summary>β_t after <paramref name="updates"/> updates of the net.</summary>
    public double Decay(long updates) => Config.Warmup ? Math.Min(Config.Beta, (1.0 + updates) / (10.0 + updates)) : Config.Beta;

    /// <summary>One step of the average, after the net's <paramref name="updates"/>-th update.</summary>
    public void Update(long updates)
    {
        double beta = Decay(updates);
        using var _ = no_grad();
        for (int i = 0; i < source.Length; i++) average[i].lerp_(source[i], 1 - beta);   // β θ_avg + (1 − β) θ
    }
}
