using GanSharp.Native;

namespace GanSharp.Tests;

/// <summary>The libstdc++ compatibility step, on TorchSharp's real native library.</summary>
public class ElfVersionNeedsTests
{
    const string Soname = "libstdc++.so.6", Missing = "GLIBCXX_3.4.32";

    static string PackageLibrary => Path.Combine(TestSupport.NuGetPackageRoot, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    [Fact]
    public void The_package_library_needs_GLIBCXX_3_4_32_for_one_unrelocated_symbol()
    {
        var elf = File.ReadAllBytes(PackageLibrary);
        var need = ElfVersionNeeds.Needs(elf).Single(n => n.File == Soname && n.Version == Missing);
        Assert.False(need.IsWeak);
        Assert.Equal(["_ZSt21ios_base_library_initv"], ElfVersionNeeds.SymbolsOfVersion(elf, need.Index));
        Assert.False(ElfVersionNeeds.RelocationsUseVersion(elf, need.Index));
    }

    [Fact]
    public void Versions_that_relocations_use_are_detected_and_never_weakened()
    {
        var elf = File.ReadAllBytes(PackageLibrary);
        // GLIBC_2.2.5 of libc binds dozens of relocated symbols (memcpy, malloc, …).
        var used = ElfVersionNeeds.Needs(elf).First(n => n.File == "libc.so.6" && n.Version == "GLIBC_2.2.5");
        Assert.True(ElfVersionNeeds.RelocationsUseVersion(elf, used.Index));
        Assert.Throws<InvalidOperationException>(() => ElfVersionNeeds.MarkWeak(elf, [used]));
    }

    [Fact]
    public void Marking_weak_changes_only_that_entrys_flags()
    {
        var elf = File.ReadAllBytes(PackageLibrary);
        var need = ElfVersionNeeds.Needs(elf).Single(n => n.Version == Missing);
        var patched = ElfVersionNeeds.MarkWeak(elf, [need]);
        var changed = Enumerable.Range(0, elf.Length).Where(i => elf[i] != patched[i]).ToArray();
        Assert.Equal([need.FlagsOffset], changed.Select(i => (long)i));
        var after = ElfVersionNeeds.Needs(patched);
        Assert.True(after.Single(n => n.Version == Missing).IsWeak);
        Assert.All(after.Where(n => n.Version != Missing), n => Assert.False(n.IsWeak));
    }

    [Fact]
    public void The_build_output_is_patched_exactly_when_this_machines_libstdcxx_lacks_the_version()
    {
        var system = ElfVersionNeeds.FindSystemLibrary(Soname);
        Assert.NotNull(system);
        bool lacks = !ElfVersionNeeds.Definitions(File.ReadAllBytes(system!)).Contains(Missing);
        var copied = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        var output = ElfVersionNeeds.Needs(File.ReadAllBytes(copied)).Single(n => n.Version == Missing);
        Assert.Equal(lacks, output.IsWeak);
        if (!lacks) Assert.Equal(File.ReadAllBytes(PackageLibrary), File.ReadAllBytes(copied));
    }

    [Fact]
    public void The_system_libstdcxx_definitions_are_read()
    {
        var defs = ElfVersionNeeds.Definitions(File.ReadAllBytes(ElfVersionNeeds.FindSystemLibrary(Soname)!));
        Assert.Contains("GLIBCXX_3.4", defs);
        Assert.Contains("CXXABI_1.3", defs);
    }

    [Fact]
    public void A_non_ELF_file_is_refused()
    {
        Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.Needs("not an elf file at all, just text............................."u8.ToArray()));
    }
}
