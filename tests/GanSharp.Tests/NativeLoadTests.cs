using System.Diagnostics;
using GanSharp.Native;
using static GanSharp.Tests.TestSupport;

namespace GanSharp.Tests;

/// <summary>What a user sees when TorchSharp's native library cannot load.</summary>
public class NativeLoadTests
{
    [Fact]
    public void Without_the_patch_the_error_names_the_real_cause()
    {
        // A copy of the CLI's output whose libLibTorchSharp.so is the package's own. Links spare copying 600 MB of
        // libtorch; gan.* are real copies, since the .NET host takes the application's folder from gan.dll's real path.
        var app = TempFolder();
        foreach (var file in Directory.EnumerateFiles(AppContext.BaseDirectory, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(AppContext.BaseDirectory, file);
            var target = Path.Combine(app, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            if (Path.GetFileName(file) == "libLibTorchSharp.so")
                File.Copy(Path.Combine(NuGetPackageRoot, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so"), target);
            else if (Path.GetFileName(file).StartsWith("gan.")) File.Copy(file, target);
            else File.CreateSymbolicLink(target, file);
        }
        var psi = new ProcessStartInfo("dotnet", [Path.Combine(app, "gan.dll"), "data", "export", MnistFixture, "--count", "1", "--out", Path.Combine(app, "x.npy")])
        {
            RedirectStandardError = true, RedirectStandardOutput = true,
        };
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();

        bool machineLacksVersion = !ElfVersionNeeds.Definitions(File.ReadAllBytes(ElfVersionNeeds.FindSystemLibrary("libstdc++.so.6")!)).Contains("GLIBCXX_3.4.32");
        if (machineLacksVersion)
        {
            Assert.Equal(1, p.ExitCode);
            Assert.Contains("lacks GLIBCXX_3.4.32", err);
            Assert.DoesNotContain("doesn't contain a reference", err);
            Assert.DoesNotContain("   at ", err);
            Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Equal("", output.Result);                              // none of TorchSharp's loader trace
            Assert.False(Directory.Exists(Path.Combine(app, "cpu")));    // nor its 600 MB fallback copy
        }
        else
        {
            // libtorch loads, and the command works.
            Assert.True(p.ExitCode == 0, err);
            Assert.True(File.Exists(Path.Combine(app, "x.npy")));
        }
    }
}
