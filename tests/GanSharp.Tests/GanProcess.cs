using System.Diagnostics;
using GanSharp.Data;

namespace GanSharp.Tests;

/// <summary>The `gan` command as a separate process, as a user runs it.</summary>
static class GanProcess
{
    public record Result(int Code, string Out, string Err);

    public static Process Start(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "gan.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment[DatasetCatalog.DataEnvironmentVariable] = Path.Combine(Path.GetTempPath(), "gansharp-test-cache");
        psi.Environment["COLUMNS"] = "80";
        return Process.Start(psi)!;
    }

    public static Result Run(params string[] args)
    {
        using var p = Start(args);
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(TimeSpan.FromMinutes(3)), "gan did not finish");
        return new Result(p.ExitCode, output, err.Result);
    }

    /// <summary>
    /// The error contract: exit <paramref name="code"/>, the message naming the input, one line (and at most a pointer to
    /// --help), no .NET stack, no libtorch frames, no .NET type names.
    /// </summary>
    public static void AssertOneLineError(Result r, int code, string contains)
    {
        Assert.True(r.Code == code, $"exit {r.Code}, expected {code}: {r.Err}");
        var lines = r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(contains, r.Err);
        Assert.DoesNotContain("   at ", r.Err);        // no stack trace
        Assert.DoesNotContain("frame #", r.Err);       // no libtorch frames
        Assert.DoesNotContain("internal error", r.Err);
        Assert.DoesNotContain("System.", r.Err);       // no .NET type names
        Assert.True(lines.Length <= 2, r.Err);         // the error, and at most a pointer to --help
    }
}
