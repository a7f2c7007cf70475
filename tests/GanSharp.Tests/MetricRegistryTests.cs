using GanSharp.Configuration;
using GanSharp.Evaluation;
using GanSharp.Experiments;
using GanSharp.Models;
using static GanSharp.Tests.TestSupport;

namespace GanSharp.Tests;

/// <summary>The one list of evaluations and metrics, against what the evaluations write and who reads it.</summary>
public class MetricRegistryTests
{
    [Fact]
    public void The_registry_names_exactly_what_an_evaluation_writes_and_what_picks_its_best_checkpoint()
    {
        using var images = TinyImages(60);
        using var evaluation = new ParzenEvaluation(images.narrow(0, 0, 30), images.narrow(0, 30, 30),
                                                    new ParzenProtocol { Samples = 50, ValidationImages = 10 });
        using var g = Nets.CreateGenerator(Tiny().Model, new TorchSharp.torch.Generator(3));
        var values = evaluation.Evaluate(new GameProduct("algorithm1", g));
        Assert.Equal(MetricRegistry.Parzen.Metrics.Select(m => m.Name), values.Keys);
        Assert.Equal(MetricRegistry.Parzen.SelectBy, evaluation.SelectBy);
        Assert.True(evaluation.HigherIsBetter);
        // No evaluation ranks checkpoints by a test-set value, and each selecting metric says which way is better.
        Assert.All(MetricRegistry.Evaluations, e => Assert.DoesNotContain("_test", e.SelectBy));
        Assert.All(MetricRegistry.Evaluations, e => Assert.NotEqual(Better.Neither, e.Metrics.Single(m => m.Name == e.SelectBy).Better));
        Assert.Equal(MetricRegistry.Metrics.Count, MetricRegistry.Metrics.Select(m => m.Name).Distinct().Count());
    }

    [Fact]
    public void The_sweep_tabulates_every_registered_metric_its_runs_measured_not_a_fixed_few()
    {
        var keys = SweepSummary.Metrics.Select(m => m.Key).ToList();
        foreach (var name in new[] { "classify_error_valid", "classify_error_test", "class_accuracy", "class_accuracy_worst", "parzen_test", "fid_valid" })
            Assert.Contains(name, keys);
        Assert.DoesNotContain("parzen_test_se", keys);
        Assert.Equal("classifier error ↓", SweepSummary.Label("classify_error_test"));
        Assert.Equal("my_metric", SweepSummary.Label("my_metric"));
    }

    [Fact]
    public void A_configuration_names_only_evaluations_that_exist_and_that_its_game_can_give()
    {
        var bogus = Tiny() with { Output = Tiny().Output with { EvalEvery = 5, Eval = ["parzen", "fidd"] } };
        Assert.Equal("eval: unknown evaluation 'fidd' (known: parzen, features, classes, classify)", Assert.Single(bogus.Problems()));
        var classes = Tiny() with { Output = Tiny().Output with { EvalEvery = 5, Eval = ["classes"] } };
        Assert.Contains("not conditional", Assert.Single(classes.Problems()));
        Assert.Empty((Presets.CganMnist with { Output = Presets.CganMnist.Output with { Eval = ["parzen", "classes"] } }).Problems());
    }
}
