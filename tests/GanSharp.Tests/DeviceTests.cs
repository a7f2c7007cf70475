using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace GanSharp.Tests;

/// <summary>Device names, and the build property that picks the CPU or the CUDA libtorch.</summary>
public class DeviceTests
{
    [Fact]
    public void Device_names_resolve_or_are_refused_with_the_reason()
    {
        Assert.Equal(DeviceType.CPU, Devices.Resolve(" CPU ").type);
        Assert.Equal("cpu", Devices.Name(Devices.Resolve("cpu")));
        Assert.Equal(cuda.is_available() ? DeviceType.CUDA : DeviceType.CPU, Devices.Resolve("auto").type);
        Assert.Contains("not 'tpu'", Assert.Throws<InputException>(() => Devices.Resolve("tpu")).Message);
        Assert.Contains("whole number", Assert.Throws<InputException>(() => Devices.Resolve("cuda:x")).Message);
        if (!cuda.is_available())
            Assert.Contains("-p:GanSharpTorch=cuda", Assert.Throws<InputException>(() => Devices.Resolve("cuda")).Message);
        Assert.Equal("cuda:1", Devices.Name(new Device(DeviceType.CUDA, 1)));
    }

    [Fact]
    public void A_generator_draws_its_noise_on_the_cpu_and_generates_on_its_own_device()
    {
        using var g = Models.Nets.CreateGenerator(new Configuration.PaperModelConfig(), new torch.Generator(3));
        Assert.Equal(DeviceType.CPU, g.Device.type);
        using var rng = new torch.Generator(5);
        using var sampled = g.Sample(4, rng);                    // noise drawn by Sample
        using var again = new torch.Generator(5);
        using var z = g.Prior.Sample(4, g.NoiseDim, again);      // the same noise drawn by hand
        using var generated = g.Generate(z.to(Devices.Resolve("cpu")));
        Assert.Equal(DeviceType.CPU, sampled.device_type);
        Assert.True(TestSupport.Equal(sampled, generated));
    }

    static string PackageReferences(params string[] properties)
    {
        var library = Path.GetFullPath(Path.Combine(TestSupport.RepositoryRoot, "src", "GanSharp.Cli", "GanSharp.Cli.csproj"));  // a program picks its libtorch
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "msbuild", library, "-getItem:PackageReference", "-t:GanSharpCheckTorchBackend" }.Concat(properties))
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return output + err.Result;
    }

    [Fact]
    public void The_build_property_swaps_the_cpu_libtorch_for_the_cuda_one()
    {
        var cpu = PackageReferences();
        Assert.Contains("\"libtorch-cpu-linux-x64\"", cpu);
        Assert.DoesNotContain("libtorch-cuda", cpu);
        var gpu = PackageReferences("-p:GanSharpTorch=cuda");
        Assert.Contains("\"libtorch-cuda-12.8-linux-x64\"", gpu);
        Assert.DoesNotContain("libtorch-cpu", gpu);
        Assert.Contains("GanSharpTorch must be cpu or cuda, not 'rocm'", PackageReferences("-p:GanSharpTorch=rocm"));
    }
}
