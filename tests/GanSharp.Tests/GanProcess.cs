using System.Diagnostics;
using GanSharp.Cli;
using GanSharp.Data;
using Spectre.Console;

namespace GanSharp.Tests;

/// <summary>
/// The <c>gan</c> command with the arguments a user types, run inside the test process (<see cref="GanProgram.Run"/>,
/// what the tool's <c>Main</c> calls): the same parsing, exit codes and output, without a .NET start-up per command
/// line. Console, environment and libtorch's thread count are the process's, so command lines run one at a time (see
/// <see cref="Gate"/>). Tests that signal or kill a run start a real process (<see cref="GanProcess"/>).
/// </summary>
static class Gan
{
    public record Result(int Code, string Out, string Err);

    /// <summary>Held while a command line runs; a test that changes the environment the command reads takes it too.</summary>
    public static readonly object Gate = new();

    /// <summary>The data cache every test's command lines share (a user's would be $GANSHARP_DATA or ~/.cache/gansharp).</summary>
    public static string DataCache => Path.Combine(Path.GetTempPath(), "gansharp-test-cache");

    public static Result Run(params string[] args)
    {
        lock (Gate)
        {
            var (stdout, stderr) = (Console.Out, Console.Error);
            // The test cache for this command line only: left set, it would move every later in-process reader of the
            // data cache (the captioned-data tests under GANSHARP_REQUIRE_DATA) away from the fetched data.
            var userCache = Environment.GetEnvironmentVariable(DatasetCatalog.DataEnvironmentVariable);
            using var output = new StringWriter();
            using var error = new StringWriter();
            Environment.SetEnvironmentVariable(DatasetCatalog.DataEnvironmentVariable, DataCache);
            Environment.SetEnvironmentVariable("COLUMNS", "80");
            // As into a pipe: no colours, no live progress, lines never wrapped (GanProgram widens a redirected console).
            AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No,
                Out = new AnsiConsoleOutput(output),
            });
            AnsiConsole.Profile.Width = 512;
            Console.SetOut(output);
            Console.SetError(error);
            try
            {
                int code = GanProgram.Run(args);
                return new Result(code, output.ToString(), error.ToString());
            }
            finally
            {
                Console.SetOut(stdout);
                Console.SetError(stderr);
                Environment.SetEnvironmentVariable(DatasetCatalog.DataEnvironmentVariable, userCache);
                AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(stdout) });
            }
        }
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

/// <summary>The `gan` command as a separate process, as a user runs it: for the tests that signal, kill or lock against a run.</summary>
static class GanProcess
{
    public static Process Start(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "gan.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment[DatasetCatalog.DataEnvironmentVariable] = Gan.DataCache;
        psi.Environment["COLUMNS"] = "80";
        return Process.Start(psi)!;
    }

    public static Gan.Result Run(params string[] args)
    {
        using var p = Start(args);
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(TimeSpan.FromMinutes(3)), "gan did not finish");
        return new Gan.Result(p.ExitCode, output, err.Result);
    }
}
