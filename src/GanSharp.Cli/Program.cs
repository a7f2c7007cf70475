using System.CommandLine;
using GanSharp;
using GanSharp.Cli;

// The `gan` command: parses flags, calls the library, prints. Exit codes: 0 success, 1 runtime failure,
// 2 usage or input error, 130 interrupted (a checkpoint was saved).
var root = Cli.Root();
var parse = root.Parse(args);
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
