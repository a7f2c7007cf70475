using GanSharp.Configuration;
using GanSharp.Models;
using GanSharp.Training;
using static TorchSharp.torch;
using Generator = GanSharp.Models.Generator;

namespace GanSharp.Evaluation;

/// <summary>
/// The paper's Parzen protocol as a measurement during training. Every evaluation draws the same noise (a fixed seed),
/// chooses σ on the first validation images, and reports:
/// <c>parzen_test</c> and <c>parzen_test_se</c> (the Table 1 number), <c>parzen_sigma</c>, and <c>parzen_valid</c>,
/// the mean log-likelihood of the validation images that did not choose σ, which ranks checkpoints — so that the
/// checkpoint kept as best is not chosen on the test set.
/// </summary>
public sealed class ParzenEvaluation : IPeriodicEvaluation
{
    private readonly Tensor validation, test;  // [V, C, H, W], [M, C, H, W] (owned copies)
    private readonly ParzenProtocol protocol;
    private readonly long seed;

    /// <summary>Measures against <paramref name="validation"/> and <paramref name="test"/> images (copied).</summary>
    public ParzenEvaluation(Tensor validation, Tensor test, ParzenProtocol? protocol = null, long seed = 1)
    {
        this.protocol = protocol ?? new ParzenProtocol();
        if (validation.shape[0] < 2) throw new InputException("the Parzen evaluation needs at least two validation images");
        this.validation = validation.clone();
        this.test = test.clone();
        this.seed = seed;
    }

    /// <inheritdoc/>
    public string SelectBy => MetricRegistry.Parzen.SelectBy;
    /// <inheritdoc/>
    public bool HigherIsBetter => MetricRegistry.Parzen.HigherIsBetter;

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, double> Evaluate(Games.GameProduct product)
    {
        using var scope = NewDisposeScope();
        using var rng = new TorchSharp.torch.Generator(unchecked((ulong)seed));  // the same noise at every evaluation
        var samples = product.Samples("eval: 'parzen'").Sample(protocol.Samples, rng);                     // [N, C, H, W]
        long v = Math.Min(protocol.ValidationImages, validation.shape[0] - 1);   // keep some validation images unseen by σ
        var result = ParzenWindow.Evaluate(samples, validation.narrow(0, 0, v), test, protocol with { ValidationImages = (int)v });
        var rest = validation.narrow(0, v, validation.shape[0] - v).flatten(1);
        double valid = ParzenWindow.LogLikelihood(samples.flatten(1), rest, result.Sigma).mean().item<double>();
        return new Dictionary<string, double>
        {
            ["parzen_test"] = result.LogLikelihood, ["parzen_test_se"] = result.StandardError,
            ["parzen_sigma"] = result.Sigma, ["parzen_valid"] = valid,
        };
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        validation.Dispose();
        test.Dispose();
    }
}
