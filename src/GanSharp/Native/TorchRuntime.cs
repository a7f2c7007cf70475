using System.Runtime.InteropServices;
using TorchSharp;

namespace GanSharp.Native;

/// <summary>
/// Loads libtorch through TorchSharp once, and when that fails, finds the real cause. TorchSharp reports every native
/// load failure as "doesn't contain a reference to libtorch-cpu", even when the library is there and the dynamic loader
/// rejected it (typically: the machine's libstdc++ is older than the one libLibTorchSharp.so was built against).
/// </summary>
public static class TorchRuntime
{
    static bool loaded;

    /// <summary>Makes sure libtorch is loaded.</summary>
    /// <exception cref="GanSharpException">It cannot be; the message names the cause and a fix.</exception>
    public static void EnsureLoaded()
    {
        if (loaded) return;
        try
        {
            torch.InitializeDeviceType(DeviceType.CPU);
            loaded = true;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new GanSharpException($"TorchSharp cannot load libtorch: {Diagnose()}", e);
        }
    }

    /// <summary>The most specific explanation available of why the native libraries do not load.</summary>
    public static string Diagnose()
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
            return "check that the libtorch-cpu package for this platform is referenced and its files are next to the program";
        var baseDir = AppContext.BaseDirectory;
        var rid = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "linux-arm64" : "linux-x64";
        string[] candidates = [Path.Combine(baseDir, "runtimes", rid, "native", "libLibTorchSharp.so"), Path.Combine(baseDir, "libLibTorchSharp.so")];
        var library = candidates.FirstOrDefault(File.Exists);
        if (library is null)
            return $"libLibTorchSharp.so is not in {baseDir} (or runtimes/{rid}/native): the TorchSharp package's native files were not copied";
        var folder = Path.GetDirectoryName(library)!;
        if (!File.Exists(Path.Combine(folder, "libtorch_cpu.so")) && !File.Exists(Path.Combine(folder, "libtorch_cuda.so")))
            return $"{folder} has libLibTorchSharp.so but no libtorch_cpu.so: reference the libtorch-cpu-{rid} package";
        var loaderMessage = "";
        try { NativeLibrary.Free(NativeLibrary.Load(library)); }
        catch (DllNotFoundException e) { loaderMessage = e.Message.ReplaceLineEndings(" ").Trim(); }
        var missing = MissingLibstdcxxVersions(library);
        if (missing.Count > 0)
        {
            var weak = missing.All(n => n.IsWeak);
            return $"the machine's libstdc++ lacks {string.Join(", ", missing.Select(n => n.Version))}, which {library} requires" +
                   (weak ? " (weakly); " : "; ") +
                   "rebuild with GanSharp's build targets (they patch a copy of the library where that is safe) or install a newer libstdc++6" +
                   (loaderMessage.Length > 0 ? $". Loader: {loaderMessage}" : "");
        }
        return loaderMessage.Length > 0 ? loaderMessage : "the native libraries load, but TorchSharp's initialisation failed";
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
