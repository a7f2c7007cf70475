using System.Text.Json;
using GanSharp.Configuration;
using GanSharp.Data;
using GanSharp.Models;
using GanSharp.Training;
using static GanSharp.Tests.TestSupport;
using Generator = GanSharp.Models.Generator;

namespace GanSharp.Tests;

/// <summary>
/// A run written by the release before the game seam (commit c4aba59: `gan train --config tiny.json --dataset
/// mnist-500 --steps 6 --threads 1`, a small paper-kind model, k = 2, minimax, Adam) loads, samples and resumes as that
/// release did. The expected numbers were printed by that release.
/// </summary>
public class LegacyRunTests
{
    static string Fixture => Path.Combine(AppContext.BaseDirectory, "Fixtures", "legacy-run-v1");

    [Fact]
    public void Its_checkpoint_loads_in_todays_shape_and_samples_what_it_sampled()
    {
        var path = Path.Combine(Fixture, "checkpoints", "last.ckpt");
        var checkpoint = Checkpoint.Read(path);
        Assert.Equal(6, checkpoint.Step);
        Assert.Equal(2, Assert.IsType<Algorithm1Config>(checkpoint.Config.Game).K);
        Assert.IsType<MinimaxLossConfig>(checkpoint.Config.Loss);
        Assert.Equal([16], Assert.IsType<PaperModelConfig>(checkpoint.Config.Model).GeneratorHidden);

        using var g = Generator.Load(path);
        using var rng = new TorchSharp.torch.Generator(5);
        using var samples = g.Sample(4, rng);  // as `gan sample --run legacy-run --count 4 --seed 5` did
        using var expected = SampleFiles.Read(Path.Combine(AppContext.BaseDirectory, "Fixtures", "legacy-run-v1-samples-seed5.npy"));
        Assert.True(Equal(samples, expected));
    }

    [Fact]
    public void Its_run_folder_resumes_to_the_numbers_the_old_release_reached()
    {
        var folder = Path.Combine(TempFolder(), "legacy");
        foreach (var file in Directory.EnumerateFiles(Fixture, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(folder, Path.GetRelativePath(Fixture, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        Assert.IsType<PaperModelConfig>(new RunDirectory(folder).ReadConfig().Model);
        int threads = TorchSharp.torch.get_num_threads();
        try
        {
            using var data = DatasetLoader.Load(MnistFixture);
            using (var run = TrainingRun.Resume(folder, data.Train, t => t with { Steps = 10 })) run.Run();
        }
        finally { TorchSharp.torch.set_num_threads(threads); }
        var last = JsonDocument.Parse(File.ReadLines(Path.Combine(folder, "metrics.jsonl")).Last()).RootElement;
        // `gan train --resume legacy-run --steps 10` with the release before the seam: its last metrics row.
        Assert.Equal(10, last.GetProperty("step").GetInt64());
        Assert.Equal(1.386279284954071, last.GetProperty("d_loss").GetDouble());
        Assert.Equal(-0.6931171417236328, last.GetProperty("g_loss").GetDouble());
        Assert.Equal(0.5000100880861282, last.GetProperty("d_real").GetDouble());
        Assert.Equal(0.5000025629997253, last.GetProperty("d_fake").GetDouble());
        // config.json is rewritten in today's shape.
        Assert.Contains("\"game\"", File.ReadAllText(Path.Combine(folder, "config.json")));
    }
}
