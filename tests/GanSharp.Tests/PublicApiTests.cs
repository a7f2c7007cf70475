namespace GanSharp.Tests;

/// <summary>
/// The library's public surface is a decision, not an accident: the exported types are listed in PublicApi.txt, and a
/// type that becomes public (or stops being) fails this test until the list is updated on purpose.
/// </summary>
public class PublicApiTests
{
    static string ApprovedPath => Path.Combine(RepositoryRoot, "tests", "GanSharp.Tests", "PublicApi.txt");
    static string RepositoryRoot => TestSupport.RepositoryRoot;

    static string[] Exported() =>
        typeof(Checkpoint).Assembly.GetExportedTypes().Select(t => t.FullName!.Replace('+', '.'))
            .Where(n => !n.Contains('<'))   // the compiler's types behind C# 14 extension blocks (named by hashes)
            .Order(StringComparer.Ordinal).ToArray();

    /// <remarks>GANSHARP_APPROVE_API=1 rewrites the list from the build (then review the diff).</remarks>
    [Fact]
    public void The_exported_types_are_the_approved_ones()
    {
        if (Environment.GetEnvironmentVariable("GANSHARP_APPROVE_API") == "1")
            File.WriteAllLines(ApprovedPath, ["# The library's exported types (tests/GanSharp.Tests/PublicApiTests.cs).", .. Exported()]);
        var approved = File.ReadAllLines(ApprovedPath).Where(l => l.Length > 0 && !l.StartsWith('#')).ToArray();
        var exported = Exported();
        var added = exported.Except(approved).ToArray();
        var removed = approved.Except(exported).ToArray();
        Assert.True(added.Length == 0 && removed.Length == 0,
            $"public surface changed; if intended, update {ApprovedPath}. New: {string.Join(", ", added)}. Gone: {string.Join(", ", removed)}");
    }
}
