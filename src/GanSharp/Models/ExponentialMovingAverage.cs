using GanSharp.Configuration;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GanSharp.Models;

/// <summary>
/// An exponential moving average of a generator's weights: a shadow generator of the same architecture that, after every
/// update of the source, moves towards it:
/// <code>
/// θ_ema ← β_t θ_ema + (1 − β_t) θ_g        β_t = β, or min(β, (1 + t)/(10 + t)) with warm-up (t: updates so far)
/// </code>
/// The shadow starts as a copy of the source, is never trained and stays in evaluation mode; samples drawn from it are
/// usually cleaner than the trained generator's, whose weights oscillate with the game. Batch-norm running statistics
/// are the shadow's own: the source's belong to other weights (its recent ones), and drawn through averaged weights they
/// ruin the samples of a fast-moving net such as DCGAN's early on. Whenever the shadow is read after an update its
/// statistics are recomputed from its own activations ("standing statistics", Brock et al. 2019): the plain average
/// over <see cref="StatisticsBatches"/> minibatches of fixed noise, in training mode, without gradients — deterministic,
/// and nothing for nets without batch norm (the paper's).
/// </summary>
public sealed class ExponentialMovingAverage : IDisposable
{
    /// <summary>The averaged generator, its batch-norm statistics recomputed for its weights if they moved since last read.</summary>
    public Generator Shadow
    {
        get
        {
            if (stale) RefreshStatistics();
            return shadowNet;
        }
    }

    /// <summary>Minibatches (of <see cref="StatisticsBatchSize"/> noise vectors) that the shadow's batch-norm statistics average over.</summary>
    public const int StatisticsBatches = 16, StatisticsBatchSize = 64;

    private readonly Generator shadowNet;
    private readonly BatchNorm[] norms;  // the shadow's batch-norm layers (none: nothing to recompute)
    private readonly ParameterAverage average;
    private bool stale;                  // the weights moved since the statistics were computed
    /// <summary>The settings: β and the warm-up.</summary>
    public EmaConfig Config => average.Config;

    /// <summary>An average of <paramref name="g"/> kept in <paramref name="shadow"/> (same architecture; owned from here).</summary>
    public ExponentialMovingAverage(Generator g, Generator shadow, EmaConfig config)
    {
        shadowNet = shadow;
        average = new ParameterAverage(g, shadow, config);
        norms = shadow.modules().OfType<BatchNorm>().ToArray();
    }

    /// <summary>β_t after <paramref name="updates"/> updates of the source.</summary>
    public double Decay(long updates) => average.Decay(updates);

    /// <summary>One step of the average, after the source's <paramref name="updates"/>-th update.</summary>
    public void Update(long updates)
    {
        average.Update(updates);
        stale = norms.Length > 0;
    }

    /// <summary>
    /// The shadow's batch-norm running statistics, recomputed as the plain average (momentum null: a cumulative mean)
    /// of <see cref="StatisticsBatches"/> minibatches of noise from a fixed seed, in training mode and without gradients.
    /// </summary>
    void RefreshStatistics()
    {
        using var scope = NewDisposeScope();
        using var rng = new torch.Generator(0x5EED);
        var momenta = norms.Select(n => n.momentum).ToArray();
        try
        {
            foreach (var n in norms)
            {
                n.reset_running_stats();
                n.momentum = null;                  // running = the mean over the batches seen since the reset
            }
            shadowNet.train();
            using var _ = no_grad();
            var device = shadowNet.parameters().First().device;
            for (int b = 0; b < StatisticsBatches; b++)
            {
                var z = shadowNet.Prior.Sample(StatisticsBatchSize, shadowNet.NoiseDim, rng).to(device);
                var y = shadowNet.SampleLabels(StatisticsBatchSize, rng)?.to(device);   // a conditional G's classes, as in the data
                shadowNet.forward(z, y);                                                // training mode: updates the statistics
            }
        }
        finally
        {
            for (int i = 0; i < norms.Length; i++) norms[i].momentum = momenta[i];
            shadowNet.eval();
        }
        stale = false;
    }

    /// <inheritdoc/>
    public void Dispose() => shadowNet.Dispose();
}
