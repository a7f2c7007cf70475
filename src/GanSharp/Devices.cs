using TorchSharp;
using static TorchSharp.torch;

namespace GanSharp;

/// <summary>
/// Where tensors live: <c>cpu</c>, <c>cuda</c>, <c>cuda:N</c>, or <c>auto</c> (the first GPU when libtorch can see one,
/// else the CPU). GPUs need a build against TorchSharp's CUDA libtorch (<c>-p:GanSharpTorch=cuda</c>); the CPU build
/// never finds one. The CUDA path has not been run yet: no GPU was available where GanSharp was built.
/// </summary>
public static class Devices
{
    /// <summary>The device <paramref name="spec"/> names.</summary>
    /// <exception cref="InputException">The name is not a device, or it names a GPU that is not there.</exception>
    public static Device Resolve(string spec)
    {
        var s = spec.Trim().ToLowerInvariant();
        if (s == "cpu") return CPU;
        if (s == "auto") return CudaAvailable() ? CUDA : CPU;
        if (s == "cuda" || s.StartsWith("cuda:", StringComparison.Ordinal))
        {
            int index = 0;
            if (s.Length > 4 && (!int.TryParse(s[5..], out index) || index < 0))
                throw new InputException($"device '{spec}': the GPU index must be a whole number, as in cuda:0");
            if (!CudaAvailable())
                throw new InputException($"device '{spec}': libtorch sees no CUDA GPU. GanSharp's default build uses the CPU libtorch; " +
                                         "build with -p:GanSharpTorch=cuda on a machine with an NVIDIA driver, or use --device cpu");
            int count = cuda.device_count();
            if (index >= count) throw new InputException($"device '{spec}': there are {count} CUDA GPU(s), numbered from 0");
            return new Device(DeviceType.CUDA, index);
        }
        throw new InputException($"device must be cpu, cuda, cuda:N or auto, not '{spec}'");
    }

    /// <summary>The canonical name of a device, as written to config files (<c>cpu</c>, <c>cuda:0</c>).</summary>
    public static string Name(Device device) =>
        device.type == DeviceType.CPU ? "cpu" : $"{device.type.ToString().ToLowerInvariant()}:{Math.Max(device.index, 0)}";

    // On the CPU build this tries (and quietly fails) to load libtorch_cuda, then answers false.
    static bool CudaAvailable() => cuda.is_available();
}
