using System.CommandLine;

namespace GanSharp.Cli;

/// <summary>
/// The <c>gan</c> command's entry: parses flags, calls the library, prints. Exit codes: 0 success, 1 runtime failure,
/// 2 usage or input error, 130 interrupted (a checkpoint was saved). The process's <c>Main</c> calls it once; the tests
/// call it many times in one process (the command tree is built once and parses any number of command lines).
/// </summary>
static class GanProgram
{
    static readonly Lazy<RootCommand> Root = new(Cli.Root);

    public static int Run(string[] args)
    {
        var parse = Root.Value.Parse(args);
        if (parse.Errors.Count > 0)
        {
            Console.Error.WriteLine($"gan: {ParseErrors.Describe(parse).ReplaceLineEndings(" ")}");
            Console.Error.WriteLine("Run 'gan --help' (or 'gan COMMAND --help') for usage.");
            return Cli.UsageError;
        }
        // Into a file or a pipe, tables and lines are never wrapped at an assumed 80 columns (paths would break mid-word).
        if (Console.IsOutputRedirected) Spectre.Console.AnsiConsole.Profile.Width = 512;
        try
        {
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e)
        {
            return Cli.Fail(e, parse.GetValue(Cli.Verbose));
        }
    }
}
