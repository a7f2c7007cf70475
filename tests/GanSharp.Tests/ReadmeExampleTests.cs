using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;
using SkiaSharp;
using static GanSharp.Tests.TestSupport;

namespace GanSharp.Tests;

/// <summary>
/// The documentation's C# examples compile and run: each ```csharp block of README.md and docs/*.md is, verbatim, the
/// Program.cs of a project under samples/ (built with the suite), and the test runs it as a user would.
/// </summary>
public class ReadmeExampleTests : TempFolders
{
    static string Normalise(string code) =>
        string.Join("\n", code.Replace("\r\n", "\n").Split('\n').Select(l => l.TrimEnd())).Trim();

    static string[] ReadmeBlocks() =>
        Directory.GetFiles(Path.Combine(RepositoryRoot, "docs"), "*.md").Prepend(Path.Combine(RepositoryRoot, "README.md"))
            .SelectMany(f => Regex.Matches(File.ReadAllText(f), "```csharp\n(.*?)```", RegexOptions.Singleline))
            .Select(m => Normalise(m.Groups[1].Value)).ToArray();

    static string Sample(string name) => Normalise(File.ReadAllText(Path.Combine(RepositoryRoot, "samples", name, "Program.cs")));

    [Fact]
    public void Every_csharp_block_of_the_readme_is_a_sample_program()
    {
        var samples = Directory.GetDirectories(Path.Combine(RepositoryRoot, "samples")).Select(d => Sample(Path.GetFileName(d))).ToList();
        var blocks = ReadmeBlocks();
        Assert.True(blocks.Length >= 3, $"{blocks.Length} C# blocks");   // README's, and docs/library.md's
        foreach (var block in blocks)
            Assert.True(samples.Contains(block), $"a README block is not the Program.cs of any samples/ project:\n{block[..Math.Min(200, block.Length)]}");
    }

    /// <summary>Runs the built sample <paramref name="name"/> in <paramref name="folder"/>.</summary>
    static (int Code, string Out, string Err) Run(string name, string folder)
    {
        var configuration = typeof(ReadmeExampleTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;
        var dll = Path.Combine(RepositoryRoot, "samples", name, "bin", configuration, "net10.0", $"{name}.dll");
        Assert.True(File.Exists(dll), $"{dll} was not built");
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(dll);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(TimeSpan.FromMinutes(3)));
        return (p.ExitCode, output, err.GetAwaiter().GetResult());
    }

    [Fact]
    public void The_sampling_example_draws_a_grid_from_a_trained_run()
    {
        var folder = TempFolder();
        var run = Path.Combine(folder, "runs", "first");
        var r = Gan.Run("train", "--dataset", MnistFixture, "--steps", "4", "--batch", "50", "--threads", "1", "--out", run);
        Assert.True(r.Code == 0, r.Err);

        var (code, output, err) = Run("Sampling", folder);
        Assert.True(code == 0, err);
        Assert.Contains("a pair of 2×1×28×28", output);
        Assert.Contains($"{Path.Combine(run, "checkpoints", "last.ckpt")} (iteration 4): G's trained weights", output);
        using var grid = SKBitmap.Decode(Path.Combine(folder, "digits.png"));
        Assert.Equal(8 * 30 + 2, grid.Width);  // 8×8 digits of 28 pixels with 2-pixel gaps
        using var samples = Data.SampleFiles.Read(Path.Combine(folder, "digits.npy"));
        Assert.Equal([64L, 1, 28, 28], samples.shape);
    }

    [MnistFact]
    public void The_custom_nets_example_trains_checkpoints_and_reloads()
    {
        var folder = TempFolder();
        var (code, output, err) = Run("CustomNets", folder);
        Assert.True(code == 0, err);
        Assert.Contains("trained 300 steps; samples 16×1×28×28", output);
        Assert.Equal(300, Checkpoint.Read(Path.Combine(folder, "runs", "mine", "checkpoints", "last.ckpt")).Step);
        Assert.True(File.Exists(Path.Combine(folder, "runs", "mine", "samples", "step-0000300.png")));
    }
}
