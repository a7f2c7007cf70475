using System.Text.Json;
using GanSharp.Configuration;
using GanSharp.Models;
using static GanSharp.Tests.TestSupport;
using Generator = GanSharp.Models.Generator;

namespace GanSharp.Tests;

/// <summary>
/// The run's files as every reader sees them (metrics.jsonl through <see cref="MetricsFile"/>), a kill before the first
/// checkpoint with evaluations, checkpoints read as streams, and what a run's game supplies (<see cref="GameProduct"/>).
/// </summary>
public class RunFilesTests
{
    static string Log(params string[] lines)
    {
        var path = Path.Combine(TempFolder(), "metrics.jsonl");
        File.WriteAllText(path, string.Concat(lines));
        return path;
    }

    [Fact]
    public void A_torn_last_row_is_left_out_and_named_and_a_bad_row_before_it_is_an_error_with_its_line()
    {
        var path = Log("{\"step\":1,\"d_loss\":0.5}\n", "{\"step\":2,\"d_loss\":0.25,\"eval_s\":1}\n", "{\"step\":3,\"d_lo");
        var log = MetricsFile.Read(path);
        Assert.Equal(2, log.Rows.Count);
        Assert.Equal($"{path}:3", log.Torn);
        Assert.Equal([0.5], log.TrainingRows.Select(r => r["d_loss"]));
        Assert.Equal([2.0], log.EvaluationRows.Select(r => r["step"]));
        Assert.Equal(0.25, log.Last("d_loss"));
        Assert.Equal(0.75, log.Sum("d_loss"));
        Assert.Equal([0.5], log.Values("d_loss", beforeStep: 2));

        // A last row whose newline is missing but which is whole is a row.
        Assert.Null(MetricsFile.Read(Log("{\"step\":1}\n{\"step\":2}")).Torn);
        Assert.Equal(2, MetricsFile.Read(Log("{\"step\":1}\n{\"step\":2}")).Rows.Count);
        // A bad row that ends with its newline is not a torn write: the log was edited or corrupted.
        var edited = Log("{\"step\":1}\n", "{\"step\":2,\n", "{\"step\":3}\n");
        Assert.StartsWith($"{edited}:2: not a JSON row", Assert.Throws<InputException>(() => MetricsFile.Read(edited)).Message);
        var stepless = Log("{\"d_loss\":1}\n");
        Assert.Equal($"{stepless}:1: a row without a step", Assert.Throws<InputException>(() => MetricsFile.Read(stepless)).Message);
    }

    [Fact]
    public void Truncation_keeps_a_checkpoints_rows_drops_a_torn_row_and_says_so()
    {
        var path = Log("{\"step\":0,\"eval_s\":1}\n", "{\"step\":5,\"a\":1}\n", "{\"step\":5,\"eval_s\":1}\n", "{\"step\":10,\"a\":2}\n", "{\"step\":1");
        Assert.Equal($"{path}:5: the last row was cut short (the run was killed while writing it) and was dropped",
                     MetricsFile.Truncate(path, 5, keepStep: true));
        Assert.Equal("{\"step\":0,\"eval_s\":1}\n{\"step\":5,\"a\":1}\n{\"step\":5,\"eval_s\":1}\n", File.ReadAllText(path));
        Assert.Null(MetricsFile.Truncate(path, 5, keepStep: true));          // nothing more to drop, nothing said
        Assert.Null(MetricsFile.Truncate(path, 0, keepStep: false));         // no checkpoint: the run starts from nothing
        Assert.Equal("", File.ReadAllText(path));
    }

    [Fact]
    public void A_run_killed_after_its_first_evaluation_and_before_its_first_checkpoint_resumes_to_an_uninterrupted_runs_rows()
    {
        var config = Tiny() with
        {
            Train = Tiny().Train with { Steps = 6 },
            Output = Tiny().Output with { EvalEvery = 3, LogEvery = 2, CheckpointEvery = 100 },
        };
        using var images = TinySet();
        var straight = Path.Combine(TempFolder(), "straight");
        using (var run = TrainingRun.Start(config, straight, images))
        {
            run.Evaluation = new SweepTests.SampleStatistics();
            run.Run();
        }
        // The killed run: its config.json, and the rows a kill after the step-0 evaluation leaves (one torn), no checkpoint.
        var killed = Path.Combine(TempFolder(), "killed");
        using (TrainingRun.Start(config, killed, images)) { }
        var rows = File.ReadAllLines(Path.Combine(straight, "metrics.jsonl"));
        File.WriteAllText(Path.Combine(killed, "metrics.jsonl"), rows[0] + "\n" + rows[1][..10]);
        using (var run = TrainingRun.Resume(killed, images))
        {
            Assert.Equal(["metrics.jsonl:2: the last row was cut short (the run was killed while writing it) and was dropped"],
                         run.Notices.Select(n => n[(n.LastIndexOf('/') + 1)..]));
            run.Evaluation = new SweepTests.SampleStatistics();
            run.Run();
        }
        string[] Measured(string folder) => MetricsFile.Read(new RunDirectory(folder).MetricsPath).Rows
            .Select(r => string.Join(",", r.Where(p => !MetricsFile.PlacingKeys.Contains(p.Key) && p.Key != "images_per_s").Select(p => $"{p.Key}={p.Value}")))
            .ToArray();
        Assert.Equal(Measured(straight), Measured(killed));
        Assert.Equal([0.0, 3, 6], MetricsFile.Read(new RunDirectory(killed).MetricsPath).EvaluationRows.Select(r => r["step"]));  // one at step 0
    }

    [Fact]
    public void A_file_that_does_not_start_as_a_checkpoint_is_refused_before_it_is_read()
    {
        var e = Assert.Throws<InputException>(() => Checkpoint.Read("/dev/zero"));   // endless: reading it whole would never end
        Assert.Equal("/dev/zero: not a GanSharp checkpoint", e.Message);
        var empty = Path.Combine(TempFolder(), "empty.ckpt");
        File.WriteAllBytes(empty, []);
        Assert.Contains("not a GanSharp checkpoint", Assert.Throws<InputException>(() => Checkpoint.Read(empty)).Message);
    }

    [Fact]
    public void A_runs_product_says_what_it_supplies_and_refuses_what_it_does_not_in_one_line()
    {
        var folder = Path.Combine(TempFolder(), "run");
        using var images = TinySet();
        using (var run = TrainingRun.Start(Tiny() with { Train = Tiny().Train with { Steps = 2 } }, folder, images)) run.Run();

        using (var loaded = TrainedPlayers.LoadProduct(folder))                     // a run folder: its last checkpoint
        {
            var product = loaded.Product;
            Assert.Equal("samples from noise", product.Supplies);
            Assert.Same(product.Sampler, product.Samples("gan sample"));
            Assert.Equal("gan figure classes needs samples for a class (a conditional generator); the algorithm1 game supplies samples from noise",
                         Assert.Throws<InputException>(() => product.ClassSamples("gan figure classes")).Message);
            Assert.Equal("gan eval classify needs a discriminator that classifies; the algorithm1 game supplies samples from noise",
                         Assert.Throws<InputException>(() => product.Classifying("gan eval classify")).Message);
        }
        using (var g = Generator.Load(folder)) Assert.Equal([3L, 1, 4, 4], g.Sample(3).shape);
        var checkpoint = Checkpoint.Read(new RunDirectory(folder).LastCheckpointPath);
        Assert.Contains("a classifier needs a discriminator that classifies", Assert.Throws<InputException>(() => Discriminator.FromCheckpoint(checkpoint)).Message);

        var fresh = Path.Combine(TempFolder(), "fresh");
        using (TrainingRun.Start(Tiny(), fresh, images)) { }
        Assert.Contains("the run has no checkpoint yet", Assert.Throws<InputException>(() => Generator.Load(fresh)).Message);
        Assert.Contains("not a run folder", Assert.Throws<InputException>(() => Generator.Load(TempFolder())).Message);
    }

    [Fact]
    public void A_configuration_that_a_game_would_partly_ignore_is_refused()
    {
        var sgan = Presets.SganMnist with { Loss = new HingeLossConfig() };
        Assert.Contains("loss hinge would be ignored", Assert.Throws<InputException>(() => sgan.Validate()).Message);
        Presets.SganMnist.Validate();
        Assert.Empty(Presets.All.SelectMany(p => p.Config.Problems()));
    }

    [Fact]
    public void Nets_too_large_for_the_machine_are_refused_from_the_configuration_before_they_are_built()
    {
        var deep = Tiny() with { Model = new PaperModelConfig { GeneratorHidden = Enumerable.Repeat(1200, 20_000).ToArray() } };
        var message = Assert.Single(deep.Problems());
        Assert.Matches(@"^model: nets of about 28,\d{3} million weights would need [\d,.]+ GiB of memory; this machine has [\d,.]+ GiB: make the nets smaller$", message);
        // The estimate of the paper's nets is their exact weight count (biases included).
        var paper = new PaperModelConfig();
        using var g = Nets.CreateGenerator(paper);
        using var d = Nets.CreateDiscriminator(paper);
        Assert.Equal(g.parameters().Concat(d.parameters()).Sum(p => p.numel()), paper.EstimatedWeights());
    }
}
