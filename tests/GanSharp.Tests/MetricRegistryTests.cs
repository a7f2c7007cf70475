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
        Assert.Equal("eval: unknown evaluation 'fidd' (known: parzen, features, resnet18, classes, classify, translation, text)", Assert.Single(bogus.Problems()));
        var translation = Tiny() with { Output = Tiny().Output with { EvalEvery = 5, Eval = ["translation"] } };
        Assert.Contains("only paired domains have", Assert.Single(translation.Problems()));
        var classes = Tiny() with { Output = Tiny().Output with { EvalEvery = 5, Eval = ["classes"] } };
        Assert.Contains("not conditional", Assert.Single(classes.Problems()));
        Assert.Empty((Presets.CganMnist with { Output = Presets.CganMnist.Output with { Eval = ["parzen", "classes"] } }).Problems());
    }

    [Fact]
    public void Result_files_are_typed_records_with_the_keys_gan_eval_has_always_written()
    {
        var parzen = new ParzenResultFile("mnist", "mnist/test", 225.1, 2.0, 0.17, [], 10_000, 1_000, 10_000, 3.5)
        {
            Checkpoint = "run/checkpoints/last.ckpt", GeneratorWeights = "trained", Step = 5, Seed = 1,
        };
        using var json = System.Text.Json.JsonDocument.Parse(System.Text.Json.JsonSerializer.Serialize<object>(parzen, EvaluationFiles.Json));
        Assert.Equal(["checkpoint", "dataset", "generator_weights", "log_likelihood", "metric", "samples", "samples_file", "seconds", "seed",
                      "sigma", "sigma_search", "standard_error", "step", "test_images", "test_set", "validation_images"],
                     json.RootElement.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal("parzen", json.RootElement.GetProperty("metric").GetString());
    }

    [Fact]
    public void Beside_a_measurement_stands_the_other_held_out_split()
    {
        using var data = Data.DatasetLoader.Load(MnistFixture);
        Assert.Same(data.Validation, RealReference.Beside(data, data.Test!));   // gan eval: against test, validation beside
        Assert.Same(data.Test, RealReference.Beside(data, data.Validation));    // during training: against validation, test beside
    }
}
