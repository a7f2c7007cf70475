using System.Runtime.InteropServices;
using TorchSharp;

namespace GanSharp.Native;

/// <summary>
/// Loads libtorch through TorchSharp once, and when that fails, finds the real cause. TorchSharp reports every native
/// load failure as "doesn't contain a reference to libtorch-cpu", even when the library is there and the dynamic loader
/// rejected it (typically: the machine's libstdc++ is older than the one libLibTorchSharp.so was built against).
/// </summary>
internal static class TorchRuntime
{
    static bool loaded;

    /// <summary>
    /// Makes sure libtorch is loaded. On Linux the application's own libLibTorchSharp.so is loaded first, directly:
    /// when the dynamic loader refuses it, its reason is reported, and TorchSharp's fallback (a long trace on standard
    /// output, and a 600 MB copy of libtorch into the application folder) never runs.
    /// </summary>
    /// <exception cref="GanSharpException">It cannot be; the message names the cause and a fix.</exception>
    public static void EnsureLoaded()
    {
        if (loaded) return;
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Linux) && FindLibTorchSharp() is { } library)
        {
            try { NativeLibrary.Load(library); }
            catch (DllNotFoundException e)
            {
                throw new GanSharpException($"TorchSharp cannot load libtorch: {Explain(library, LoaderReason(e.Message))}", e);
            }
        }
        try
        {
            torch.InitializeDeviceType(DeviceType.CPU);
            loaded = true;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            var found = FindLibTorchSharp();
            var why = found is null
                ? $"libLibTorchSharp.so is not in {AppContext.BaseDirectory} (or runtimes/{Rid}/native): the TorchSharp package's native files were not copied"
                : Explain(found, e.Message.Split('\n')[0].Trim());
            throw new GanSharpException($"TorchSharp cannot load libtorch: {why}", e);
        }
    }

    static string Rid => RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "linux-arm64" : "linux-x64";

    /// <summary>The application's copy of libLibTorchSharp.so, or null.</summary>
    static string? FindLibTorchSharp()
    {
        var baseDir = AppContext.BaseDirectory;
        string[] candidates = [Path.Combine(baseDir, "runtimes", Rid, "native", "libLibTorchSharp.so"), Path.Combine(baseDir, "libLibTorchSharp.so")];
        return candidates.FirstOrDefault(File.Exists);
    }

    /// <summary>The dynamic loader's own words, without .NET's generic advice around them.</summary>
    static string LoaderReason(string message)
    {
        var flat = message.ReplaceLineEndings(" ");
        int colon = flat.LastIndexOf("environment variable:", StringComparison.Ordinal);
        return (colon >= 0 ? flat[(colon + "environment variable:".Length)..] : flat).Trim();
    }

    /// <summary>The most specific explanation of why <paramref name="library"/> does not load.</summary>
    static string Explain(string library, string reason)
    {
        var folder = Path.GetDirectoryName(library)!;
        if (!File.Exists(Path.Combine(folder, "libtorch_cpu.so")) && !File.Exists(Path.Combine(folder, "libtorch_cuda.so")))
            return $"{folder} has libLibTorchSharp.so but no libtorch_cpu.so: reference the libtorch-cpu-{Rid} package";
        var missing = MissingLibstdcxxVersions(library);
        if (missing.Count > 0)
            return $"the machine's libstdc++ lacks {string.Join(", ", missing.Select(n => n.Version))}, which {library} requires" +
                   (missing.All(n => n.IsWeak) ? " weakly" : "") +
                   ". Build with GanSharp's build targets (they use a patched copy where that is safe) or install a newer libstdc++6" +
                   $" (loader: {reason})";
        return reason;
    }

    static List<ElfVersionNeed> MissingLibstdcxxVersions(string library)
    {
        const string soname = "libstdc++.so.6";
        var system = ElfVersionNeeds.FindSystemLibrary(soname);
        if (system is null) return [];
        try
        {
            return ElfVersionNeeds.Missing(File.ReadAllBytes(library), soname, ElfVersionNeeds.Definitions(File.ReadAllBytes(system)));
        }
        catch (InvalidDataException) { return []; }
    }
}
