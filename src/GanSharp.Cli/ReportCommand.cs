using System.CommandLine;
using GanSharp.Reports;
using Spectre.Console;

namespace GanSharp.Cli;

/// <summary><c>gan report RUN</c> (a run's self-contained report.html) and <c>gan compare RUN...</c> (runs side by side).</summary>
static class ReportCommand
{
    static readonly Argument<string> RunFolder = new("RUN") { Description = "The run folder" };
    static readonly Option<string?> ReportOut = CommonOptions.Out("Where to write the page (default RUN/report.html)");
    static readonly Argument<string[]> RunFolders = new("RUN") { Description = "The run folders (two or more)", Arity = ArgumentArity.OneOrMore };
    static readonly Option<string?> CompareOut = CommonOptions.Out("Where to write the page (default: compare-<time>.html beside the first run's folder; the table goes beside it as .md)");
    static readonly Option<bool> AgainstCpu = Cli.Option<bool>("--cpu-minutes", "Chart the evaluations against training CPU minutes (runs at an equal CPU budget) instead of iterations");

    public static Command Report()
    {
        var command = new Command("report", "Write a run's self-contained HTML report (images inlined, no network): curves, samples, evaluations, figures")
        {
            Arguments = { RunFolder }, Options = { ReportOut },
        };
        command.SetAction(p =>
        {
            var path = RunReport.Write(p.GetValue(RunFolder)!, p.GetValue(ReportOut));
            Console.WriteLine($"report {path}");
            return Cli.Success;
        });
        return command;
    }

    public static Command Compare()
    {
        var command = new Command("compare", "Compare runs on the same metrics: a text table and a page with their curves and samples side by side")
        {
            Arguments = { RunFolders }, Options = { CompareOut, AgainstCpu },
        };
        command.SetAction(p =>
        {
            var folders = p.GetValue(RunFolders)!;
            var comparison = RunComparison.Read(folders);
            var path = p.GetValue(CompareOut) ?? RunComparison.DefaultPath(folders);
            foreach (var w in comparison.Warnings) Console.Error.WriteLine($"gan: warning: {w}");
            comparison.WriteHtml(path, p.GetValue(AgainstCpu));
            var markdown = Path.ChangeExtension(path, ".md");
            if (Path.GetFullPath(markdown) != Path.GetFullPath(path)) AtomicFile.WriteText(markdown, comparison.ToMarkdown());
            var table = new Table();
            foreach (var h in comparison.Header) table.AddColumn(Markup.Escape(h));
            foreach (var row in comparison.Rows) table.AddRow(row.Select(Markup.Escape).ToArray());
            AnsiConsole.Write(table);
            Console.WriteLine($"page {Path.GetFullPath(path)}; table {Path.GetFullPath(markdown)}");
            return Cli.Success;
        });
        return command;
    }

    /// <summary>Writes a finished (or interrupted) run's report; a report that cannot be written is a warning, never a failed run.</summary>
    public static void AfterTraining(string folder)
    {
        try { Console.WriteLine($"report {RunReport.Write(folder)}"); }
        catch (Exception e) when (e is GanSharpException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"gan: warning: no report written: {e.Message.ReplaceLineEndings(" ")}");
        }
    }
}
