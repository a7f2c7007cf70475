using System.Reflection;
using GanSharp.Configuration;
using GanSharp.Data;
using GanSharp.Games;
using GanSharp.Native;
using GanSharp.Training;
using static TorchSharp.torch;

namespace GanSharp.Tests;

/// <summary>Fixtures and small configurations shared by the tests.</summary>
static class TestSupport
{
    static TestSupport() => TorchRuntime.EnsureLoaded();

    /// <summary>Folder of the 500-digit MNIST fixture (first 500 training and 100 test images, gzip IDX).</summary>
    public static string MnistFixture => Path.Combine(AppContext.BaseDirectory, "Fixtures", "mnist-500");

    /// <summary>NuGet's package folder, as the build saw it.</summary>
    public static string NuGetPackageRoot =>
        typeof(TestSupport).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "NuGetPackageRoot").Value!;

    /// <summary>The repository's root folder, as the build saw it.</summary>
    public static string RepositoryRoot =>
        typeof(TestSupport).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepositoryRoot").Value!;

    /// <summary>Root of this test process's temporary folders, deleted when the process exits.</summary>
    static readonly Lazy<string> TempRoot = new(() =>
    {
        RemoveRootsOfDeadProcesses();
        var root = Directory.CreateTempSubdirectory($"gansharp-tests-{Environment.ProcessId}-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        };
        return root;
    });

    /// <summary>
    /// Temporary roots of earlier test processes that were killed (their exit handler never ran): a killed run of the
    /// suite leaves its runs and checkpoints behind, gigabytes over a few kills.
    /// </summary>
    static void RemoveRootsOfDeadProcesses()
    {
        foreach (var folder in Directory.EnumerateDirectories(Path.GetTempPath(), "gansharp-tests-*-*"))
        {
            var parts = Path.GetFileName(folder).Split('-');
            if (parts.Length < 4 || !int.TryParse(parts[2], out var pid) || pid == Environment.ProcessId) continue;
            bool alive;
            try { using var p = System.Diagnostics.Process.GetProcessById(pid); alive = !p.HasExited; }
            catch (ArgumentException) { alive = false; }
            if (!alive)
                try { Directory.Delete(folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>A fresh temporary folder (removed with the others when the test process exits).</summary>
    public static string TempFolder() => Directory.CreateDirectory(Path.Combine(TempRoot.Value, Guid.NewGuid().ToString("N")[..12])).FullName;

    /// <summary>A tiny configuration (4×4 images, small nets) whose steps take microseconds.</summary>
    public static GanConfig Tiny(int k = 1, bool simultaneous = false, OptimizerKind optimizer = OptimizerKind.Sgd) => new()
    {
        Model = new PaperModelConfig
        {
            NoiseDim = 3, GeneratorHidden = [8], DiscriminatorUnits = 4, DiscriminatorPieces = 2, Height = 4, Width = 4,
            GeneratorInitRange = 0.3, DiscriminatorInitRange = 0.3,
        },
        Game = simultaneous ? new SimultaneousConfig() : new Algorithm1Config { K = k },
        Train = new TrainConfig { Batch = 5, Steps = 10, Seed = 7 },
        Optimizer = new OptimizerConfig { Kind = optimizer, LearningRate = optimizer == OptimizerKind.Adam ? 1e-3 : 0.1 },
        Output = new OutputConfig { LogEvery = 2, SampleEvery = 5, CheckpointEvery = 5, SampleCount = 4, TensorBoard = false },
    };

    /// <summary>Synthetic 4×4 images in [0, 1], <c>[n, 1, 4, 4]</c>, from a fixed seed.</summary>
    public static Tensor TinyImages(int n = 40)
    {
        using var rng = new TorchSharp.torch.Generator(123);
        return rand([n, 1, 4, 4], generator: rng);
    }

    /// <summary><see cref="TinyImages"/> as a dataset.</summary>
    public static ImageDataset TinySet(int n = 40) => new("tiny", TinyImages(n));

    /// <summary>The game of a trainer of <see cref="Tiny"/>'s alternating kind.</summary>
    public static Algorithm1 Alg(Trainer t) => (Algorithm1)t.Game;

    /// <summary>
    /// Trains <paramref name="steps"/> iterations straight, and again with a checkpoint written after
    /// <paramref name="at"/> and restored into a fresh trainer; asserts that the restored one's scalars continue the
    /// straight run's exactly. Returns both trainers (the caller disposes them) for further comparisons.
    /// </summary>
    public static (Trainer Straight, Trainer Resumed) ResumeExactly(GanConfig config, ImageDataset data, int steps = 8, int at = 4)
    {
        var straight = new Trainer(config, data);
        var expected = Enumerable.Range(0, steps).Select(_ => Line(straight.TrainStep())).ToArray();
        var path = Path.Combine(TempFolder(), "resume.ckpt");
        using (var first = new Trainer(config, data))
        {
            for (int i = 0; i < at; i++) first.TrainStep();
            first.ToCheckpoint().Write(path);
        }
        var resumed = new Trainer(config, data);
        resumed.Restore(Checkpoint.Read(path));
        Assert.Equal(expected[at..], Enumerable.Range(at, steps - at).Select(_ => Line(resumed.TrainStep())));
        return (straight, resumed);
    }

    /// <summary>A step's scalars as one comparable line.</summary>
    public static string Line(IReadOnlyDictionary<string, double> scalars) => string.Join(", ", scalars.Select(s => $"{s.Key}={s.Value:R}"));

    /// <summary>All parameters of a module, copied.</summary>
    public static Tensor[] Snapshot(nn.Module module) => module.parameters().Select(p => p.detach().clone()).ToArray();

    /// <summary>Whether two snapshots are equal element for element.</summary>
    public static bool Same(Tensor[] a, Tensor[] b) => a.Length == b.Length && a.Zip(b).All(p => Equal(p.First, p.Second));

    /// <summary>Whether two tensors have the same shape and elements.</summary>
    public static bool Equal(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    /// <summary>A metrics.jsonl row without its times (<c>*_s</c>): what two runs of one configuration must share exactly.</summary>
    public static string WithoutTimes(string row) => System.Text.RegularExpressions.Regex.Replace(row, "\"[a-z_]*_s\":[^,}]*,?", "");
}

/// <summary>Cancels a run when it reports step <paramref name="step"/> (synchronously, unlike Progress&lt;T&gt;).</summary>
public sealed class StopAt(long step, CancellationTokenSource cancel) : IProgress<TrainingStatus>
{
    /// <inheritdoc/>
    public void Report(TrainingStatus value)
    {
        if (value.Step == step) cancel.Cancel();
    }
}
