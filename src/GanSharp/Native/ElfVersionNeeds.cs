// Reads and patches the symbol-version requirements (.gnu.version_r) of an ELF64 little-endian shared library.
//
// Why: TorchSharp 0.107's libLibTorchSharp.so requires GLIBCXX_3.4.32 for a single symbol
// (_ZSt21ios_base_library_initv) that no relocation uses. On a libstdc++ without that version (Debian 12 has 3.4.30)
// the dynamic loader refuses the whole library. Marking that requirement weak (VER_FLG_WEAK) makes the loader accept
// it, which is safe exactly when no relocation binds a symbol of that version: nothing then ever looks the symbol up.
//
// This one file is compiled twice: into the GanSharp library (diagnostics and tests), and by MSBuild's
// RoslynCodeTaskFactory as the build task that writes the patched copy into obj/ (see build/GanSharp.targets).
// It therefore sticks to APIs available to netstandard2.0 and has no dependency on the rest of GanSharp.
#nullable enable
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace GanSharp.Native
{
    /// <summary>One required symbol version: <c>Version</c> from the library <c>File</c> (an entry of .gnu.version_r).</summary>
#if GANSHARP_LIBRARY
    internal sealed class ElfVersionNeed  // the library's diagnostics; not part of its public surface
#else
    public sealed class ElfVersionNeed    // the build task's compilation (RoslynCodeTaskFactory needs public types)
#endif
    {
        /// <summary>The needed library's soname, e.g. <c>libstdc++.so.6</c>.</summary>
        public string File { get; set; } = "";
        /// <summary>The version name, e.g. <c>GLIBCXX_3.4.32</c>.</summary>
        public string Version { get; set; } = "";
        /// <summary>vna_flags; bit 0x2 is VER_FLG_WEAK.</summary>
        public int Flags { get; set; }
        /// <summary>vna_other: the index that .gnu.version uses for symbols bound to this version.</summary>
        public int Index { get; set; }
        /// <summary>File offset of this entry's vna_flags field.</summary>
        public long FlagsOffset { get; set; }
        /// <summary>Whether the requirement is weak (a missing version is then tolerated by the loader).</summary>
        public bool IsWeak => (Flags & ElfVersionNeeds.VerFlagWeak) != 0;
    }

    /// <summary>Symbol-version requirements and definitions of ELF64 little-endian shared libraries.</summary>
#if GANSHARP_LIBRARY
    internal static class ElfVersionNeeds  // the library's diagnostics; not part of its public surface
#else
    public static class ElfVersionNeeds    // the build task's compilation (RoslynCodeTaskFactory needs public types)
#endif
    {
        /// <summary>VER_FLG_WEAK from elf.h.</summary>
        public const int VerFlagWeak = 0x2;
        const uint ShtRela = 4, ShtDynsym = 11, ShtRel = 9;
        const uint ShtVerdef = 0x6ffffffd, ShtVerneed = 0x6ffffffe, ShtVersym = 0x6fffffff;

        sealed class Section { public uint Type; public long Offset; public long Size; public int Link; public int Info; public long EntSize; }

        /// <summary>All version requirements of the library in <paramref name="elf"/>.</summary>
        public static List<ElfVersionNeed> Needs(byte[] elf)
        {
            var sections = ReadSections(elf);
            var result = new List<ElfVersionNeed>();
            foreach (var s in sections.Where(s => s.Type == ShtVerneed))
            {
                var strtab = sections[s.Link];
                long entry = s.Offset;
                for (int i = 0; i < s.Info; i++)
                {
                    int count = U16(elf, entry + 2);
                    string file = Str(elf, strtab, U32(elf, entry + 4));
                    long aux = entry + U32(elf, entry + 8);
                    for (int j = 0; j < count; j++)
                    {
                        result.Add(new ElfVersionNeed
                        {
                            File = file,
                            Flags = U16(elf, aux + 4),
                            Index = U16(elf, aux + 6) & 0x7fff,
                            Version = Str(elf, strtab, U32(elf, aux + 8)),
                            FlagsOffset = aux + 4,
                        });
                        aux += U32(elf, aux + 12);
                    }
                    long next = U32(elf, entry + 12);
                    if (next == 0) break;
                    entry += next;
                }
            }
            return result;
        }

        /// <summary>The version names the library defines (.gnu.version_d), e.g. every GLIBCXX_3.4.x of a libstdc++.</summary>
        public static HashSet<string> Definitions(byte[] elf)
        {
            var sections = ReadSections(elf);
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var s in sections.Where(s => s.Type == ShtVerdef))
            {
                var strtab = sections[s.Link];
                long entry = s.Offset;
                for (int i = 0; i < s.Info; i++)
                {
                    long aux = entry + U32(elf, entry + 12);
                    names.Add(Str(elf, strtab, U32(elf, aux)));  // the first aux names the version itself
                    long next = U32(elf, entry + 16);
                    if (next == 0) break;
                    entry += next;
                }
            }
            return names;
        }

        /// <summary>Names of the undefined dynamic symbols bound to version index <paramref name="index"/>.</summary>
        public static List<string> SymbolsOfVersion(byte[] elf, int index)
        {
            var sections = ReadSections(elf);
            var result = new List<string>();
            foreach (var (sym, i) in UndefinedSymbolsOfVersion(elf, sections, index))
                result.Add(Str(elf, sections[sym.Link], U32(elf, sym.Offset + i * 24)));
            return result;
        }

        /// <summary>
        /// Whether any relocation refers to a symbol bound to version index <paramref name="index"/>. When none does, the
        /// loader never resolves such a symbol and the version requirement can safely be made weak.
        /// </summary>
        public static bool RelocationsUseVersion(byte[] elf, int index)
        {
            var sections = ReadSections(elf);
            var bound = new HashSet<long>();
            int dynsymIndex = -1;
            foreach (var (sym, i) in UndefinedSymbolsOfVersion(elf, sections, index))
            {
                bound.Add(i);
                dynsymIndex = sections.IndexOf(sym);
            }
            if (bound.Count == 0) return false;
            foreach (var rel in sections.Where(s => (s.Type == ShtRela || s.Type == ShtRel) && s.Link == dynsymIndex))
            {
                long size = rel.EntSize > 0 ? rel.EntSize : (rel.Type == ShtRela ? 24 : 16);
                for (long at = rel.Offset; at + size <= rel.Offset + rel.Size; at += size)
                    if (bound.Contains((long)(U64(elf, at + 8) >> 32))) return true;
            }
            return false;
        }

        /// <summary>
        /// The requirements of <paramref name="elf"/> on <paramref name="soname"/> that <paramref name="provided"/> (the
        /// versions the machine's copy of that library defines) does not satisfy.
        /// </summary>
        public static List<ElfVersionNeed> Missing(byte[] elf, string soname, ICollection<string> provided) =>
            Needs(elf).Where(n => n.File == soname && !provided.Contains(n.Version)).ToList();

        /// <summary>
        /// A copy of <paramref name="elf"/> in which the given requirements carry VER_FLG_WEAK. Throws if any of them is
        /// used by a relocation: weakening such a requirement would trade a load error for a crash.
        /// </summary>
        public static byte[] MarkWeak(byte[] elf, IEnumerable<ElfVersionNeed> needs)
        {
            var patched = (byte[])elf.Clone();
            foreach (var need in needs)
            {
                if (RelocationsUseVersion(elf, need.Index))
                    throw new InvalidOperationException(
                        $"{need.File} {need.Version} is used by a relocation; it cannot be made weak safely");
                int flags = need.Flags | VerFlagWeak;
                patched[need.FlagsOffset] = (byte)(flags & 0xff);
                patched[need.FlagsOffset + 1] = (byte)(flags >> 8);
            }
            return patched;
        }

        /// <summary>The machine's libstdc++.so.6 in the usual library folders, or null when none is found.</summary>
        public static string? FindSystemLibrary(string soname)
        {
            string[] folders =
            {
                "/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/lib/aarch64-linux-gnu",
                "/usr/lib64", "/lib64", "/usr/lib", "/lib",
            };
            foreach (var folder in folders)
            {
                var path = Path.Combine(folder, soname);
                if (System.IO.File.Exists(path)) return path;
            }
            return null;
        }

        static IEnumerable<(Section sym, long i)> UndefinedSymbolsOfVersion(byte[] elf, List<Section> sections, int index)
        {
            var versym = sections.FirstOrDefault(s => s.Type == ShtVersym);
            var dynsym = sections.FirstOrDefault(s => s.Type == ShtDynsym);
            if (versym == null || dynsym == null) yield break;
            long count = dynsym.Size / 24;
            for (long i = 1; i < count; i++)
            {
                int v = U16(elf, versym.Offset + 2 * i) & 0x7fff;
                bool undefined = U16(elf, dynsym.Offset + i * 24 + 6) == 0;  // st_shndx == SHN_UNDEF
                if (v == index && undefined) yield return (dynsym, i);
            }
        }

        static List<Section> ReadSections(byte[] elf)
        {
            if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
                throw new InvalidDataException("not an ELF file");
            if (elf[4] != 2 || elf[5] != 1)
                throw new InvalidDataException("only 64-bit little-endian ELF files are supported");
            long shoff = (long)U64(elf, 0x28);
            int shentsize = U16(elf, 0x3a), shnum = U16(elf, 0x3c);
            if (shentsize < 64 || shoff <= 0 || shoff + (long)shnum * shentsize > elf.Length)
                throw new InvalidDataException("ELF section header table lies outside the file");
            var list = new List<Section>(shnum);
            for (int i = 0; i < shnum; i++)
            {
                long h = shoff + (long)i * shentsize;
                var s = new Section
                {
                    Type = U32(elf, h + 4), Offset = (long)U64(elf, h + 24), Size = (long)U64(elf, h + 32),
                    Link = (int)U32(elf, h + 40), Info = (int)U32(elf, h + 44), EntSize = (long)U64(elf, h + 56),
                };
                if (s.Type != 8 /* SHT_NOBITS */ && (s.Offset < 0 || s.Offset + s.Size > elf.Length))
                    throw new InvalidDataException($"ELF section {i} lies outside the file");
                list.Add(s);
            }
            return list;
        }

        static string Str(byte[] elf, Section strtab, uint offset)
        {
            long start = strtab.Offset + offset, end = start;
            while (end < strtab.Offset + strtab.Size && elf[end] != 0) end++;
            return Encoding.ASCII.GetString(elf, (int)start, (int)(end - start));
        }

        static int U16(byte[] b, long at) => b[at] | (b[at + 1] << 8);
        static uint U32(byte[] b, long at) => (uint)(b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24));
        static ulong U64(byte[] b, long at) => U32(b, at) | ((ulong)U32(b, at + 4) << 32);
    }

#if !GANSHARP_LIBRARY
    /// <summary>
    /// MSBuild task: writes a copy of <c>Source</c> to <c>Output</c> in which the libstdc++ version requirements the
    /// machine's libstdc++ lacks are weak, when that is safe. Sets <c>Patched</c> only when a patch was needed.
    /// </summary>
    public sealed class GanSharpWeakenMissingVersions : Microsoft.Build.Utilities.Task
    {
        [Microsoft.Build.Framework.Required] public string Source { get; set; } = "";
        [Microsoft.Build.Framework.Required] public string Output { get; set; } = "";
        [Microsoft.Build.Framework.Output] public bool Patched { get; set; }

        public override bool Execute()
        {
            const string soname = "libstdc++.so.6";
            var system = ElfVersionNeeds.FindSystemLibrary(soname);
            if (system == null) return true;  // nothing to compare with: leave the library as shipped
            var elf = System.IO.File.ReadAllBytes(Source);
            var missing = ElfVersionNeeds.Missing(elf, soname, ElfVersionNeeds.Definitions(System.IO.File.ReadAllBytes(system)));
            if (missing.Count == 0) return true;
            var unsafeNeeds = missing.Where(n => ElfVersionNeeds.RelocationsUseVersion(elf, n.Index)).ToList();
            if (unsafeNeeds.Count > 0)
            {
                Log.LogWarning($"GanSharp: {system} lacks {string.Join(", ", unsafeNeeds.Select(n => n.Version))}, " +
                               $"which {Path.GetFileName(Source)} really uses; TorchSharp will not load until libstdc++ is upgraded.");
                return true;
            }
            Directory.CreateDirectory(Path.GetDirectoryName(Output)!);
            var temp = Output + ".tmp";
            System.IO.File.WriteAllBytes(temp, ElfVersionNeeds.MarkWeak(elf, missing));
            if (System.IO.File.Exists(Output)) System.IO.File.Delete(Output);
            System.IO.File.Move(temp, Output);
            Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Normal,
                $"GanSharp: {system} lacks {string.Join(", ", missing.Select(n => n.Version))}; using a copy of " +
                $"{Path.GetFileName(Source)} whose requirement is weak: {Output}");
            Patched = true;
            return true;
        }
    }
#endif
}
