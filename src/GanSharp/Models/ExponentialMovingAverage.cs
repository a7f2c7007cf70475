using GanSharp.Configuration;
using TorchSharp;
using static TorchSharp.torch;

namespace GanSharp.Models;

/// <summary>
/// An exponential moving average of a generator's weights: a shadow generator of the same architecture that, after every
/// update of the source, moves towards it:
/// <code>
/// θ_ema ← β_t θ_ema + (1 − β_t) θ_g        β_t = β, or min(β, (1 + t)/(10 + t)) with warm-up (t: updates so far)
/// </code>
/// Buffers (batch-norm running statistics) are copied from the source rather than averaged. The shadow starts as a copy
/// of the source, is never trained and stays in evaluation mode; samples drawn from it are usually cleaner than the
/// trained generator's, whose weights oscillate with the game.
/// </summary>
public sealed class ExponentialMovingAverage : IDisposable
{
    /// <summary>The averaged generator.</summary>
    public Generator Shadow { get; }
    /// <summary>The settings: β and the warm-up.</summary>
    public EmaConfig Config { get; }

    private readonly Tensor[] source, shadow;              // parameters, in the same order
    private readonly Tensor[] sourceBuffers, shadowBuffers;

    /// <summary>An average of <paramref name="g"/> kept in <paramref name="shadow"/> (same architecture; owned from here).</summary>
    public ExponentialMovingAverage(Generator g, Generator shadow, EmaConfig config)
    {
        Shadow = shadow;
        Config = config;
        source = g.parameters().Cast<Tensor>().ToArray();
        this.shadow = shadow.parameters().Cast<Tensor>().ToArray();
        sourceBuffers = g.buffers().ToArray();
        shadowBuffers = shadow.buffers().ToArray();
        if (source.Length != this.shadow.Length || sourceBuffers.Length != shadowBuffers.Length)
            throw new ArgumentException("the shadow generator must have the architecture of the source");
        foreach (var p in shadow.parameters()) p.requires_grad = false;
        using (no_grad())
        {
            for (int i = 0; i < source.Length; i++) this.shadow[i].copy_(source[i]);
            for (int i = 0; i < sourceBuffers.Length; i++) shadowBuffers[i].copy_(sourceBuffers[i]);
        }
        shadow.eval();
    }

    /// <summary>β_t after <paramref name="updates"/> updates of the source.</summary>
    public double Decay(long updates) => Config.Warmup ? Math.Min(Config.Beta, (1.0 + updates) / (10.0 + updates)) : Config.Beta;

    /// <summary>One step of the average, after the source's <paramref name="updates"/>-th update.</summary>
    public void Update(long updates)
    {
        double beta = Decay(updates);
        using var _ = no_grad();
        for (int i = 0; i < source.Length; i++) shadow[i].lerp_(source[i], 1 - beta);   // β θ_ema + (1 − β) θ_g
        for (int i = 0; i < sourceBuffers.Length; i++) shadowBuffers[i].copy_(sourceBuffers[i]);
    }

    /// <inheritdoc/>
    public void Dispose() => Shadow.Dispose();
}
