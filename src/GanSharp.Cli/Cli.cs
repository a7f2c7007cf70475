using System.CommandLine;
using System.Runtime.InteropServices;
using GanSharp.Native;
using GanSharp.Training;
using Spectre.Console;

namespace GanSharp.Cli;

/// <summary>Shared pieces of the commands: exit codes, error reporting, option helpers.</summary>
static class Cli
{
    public const int Success = 0, RuntimeError = 1, UsageError = 2, Interrupted = 130;

    public static readonly Option<bool> Verbose = new("--verbose")
    {
        Description = "Show stack traces of errors", Recursive = true,
    };

    /// <summary>Prints one line for <paramref name="e"/> (and its stack trace with --verbose) and returns the exit code.</summary>
    public static int Fail(Exception e, bool verbose)
    {
        var (code, message) = e switch
        {
            InputException => (UsageError, e.Message),
            TrainingDivergedException => (RuntimeError, e.Message),
            GanSharpException => (RuntimeError, e.Message),
            OperationCanceledException => (Interrupted, "interrupted"),
            UnauthorizedAccessException or IOException => (RuntimeError, e.Message),
            ExternalException native => Native(native),
            _ => (RuntimeError, $"internal error ({e.GetType().Name}): {e.Message}"),
        };
        Console.Error.WriteLine($"gan: error: {Text.Short(message.ReplaceLineEndings(" "), 2_000)}");  // never a 50 MB echo of a flag
        if (verbose) Console.Error.WriteLine(e);
        return code;
    }

    /// <summary>
    /// A libtorch failure that no check caught, in one line: its first sentence, never its native frames. Running out of
    /// memory is the user's to fix (a net, a batch or a count too large for the machine) and exits with 2.
    /// </summary>
    static (int Code, string Message) Native(ExternalException e)
    {
        var allocation = System.Text.RegularExpressions.Regex.Match(e.Message, @"tried to allocate (\d+) bytes");
        if (allocation.Success)
            return (UsageError, $"not enough memory: libtorch could not allocate {double.Parse(allocation.Groups[1].Value) / (1L << 30):N1} GiB " +
                                "(the nets, minibatch or sample count asked for are too large for this machine)");
        var first = e.Message.Split(["Exception raised from", "frame #", "\n"], StringSplitOptions.None)[0].Trim();
        return (RuntimeError, $"libtorch failed: {first}");
    }

    /// <summary>Loads libtorch, or fails with the real reason.</summary>
    public static void LoadTorch() => TorchRuntime.EnsureLoaded();

    /// <summary>Whether progress can be drawn in place (a terminal), or should be printed as lines (logs, CI).</summary>
    public static bool Interactive => AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected;

    /// <summary>
    /// A cancellation token fired by Ctrl-C (SIGINT) or SIGTERM instead of the default abrupt exit, so that a training
    /// run can save its checkpoint. A second Ctrl-C while the first is being handled exits at once (a person who will not
    /// wait); further SIGTERMs are ignored, because a scheduler's SIGTERM often comes twice — Slurm signals every process of
    /// a job that it preempts, requeues or cancels, and the job script forwards its own to gan (docs/scale.md) — and a
    /// scheduler that will not wait sends SIGKILL. Disposing it gives the signals back to their default handling.
    /// </summary>
    public static CancellationTokenSource CancelOnSignal() => new SignalCancellation();

    sealed class SignalCancellation : CancellationTokenSource
    {
        readonly PosixSignalRegistration[] registrations;

        public SignalCancellation() =>
            registrations = [.. new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM }.Select(signal => PosixSignalRegistration.Create(signal, ctx =>
            {
                ctx.Cancel = signal == PosixSignal.SIGTERM || !IsCancellationRequested;
                Cancel();
            }))];

        protected override void Dispose(bool disposing)
        {
            if (disposing) foreach (var r in registrations) r.Dispose();
            base.Dispose(disposing);
        }
    }

    /// <summary>The <c>gan</c> command and its subcommands, with their help polished (<see cref="Help.Polish"/>).</summary>
    public static RootCommand Root()
    {
        var root = new RootCommand("GanSharp: generative adversarial nets (Goodfellow et al., 2014) for .NET")
        {
            Options = { Verbose },
            Subcommands =
            {
                TrainCommand.Create(), SweepCommand.Create(), SampleCommand.Create(), ExportCommand.Create(), EvalCommand.Create(),
                FigureCommand.Create(), ReportCommand.Report(), ReportCommand.Compare(), Hype.HypeCommand.Create(), ToyCommand.Create(),
                DataCommand.Create(), BenchCommand.Create(), TranslateCommand.Create(),
            },
        };
        Help.Polish(root);
        return root;
    }

    public static Option<T> Option<T>(string name, string description) => new(name) { Description = description };

    /// <summary>
    /// Prints <paramref name="text"/>, on a terminal wrapped at spaces to its width with <paramref name="indent"/> before
    /// every line but the first (so that a long line never breaks inside a word); into a file or pipe, as it is.
    /// </summary>
    public static void Say(string text, string indent = "    ")
    {
        if (!Interactive) { Console.WriteLine(text); return; }
        foreach (var line in Wrap(text, Math.Max(40, AnsiConsole.Profile.Width) - 1, indent)) Console.WriteLine(line);
    }

    /// <summary><paramref name="text"/> in lines of at most <paramref name="width"/> characters, broken at spaces (a word longer than a line stands alone).</summary>
    public static IEnumerable<string> Wrap(string text, int width, string indent = "    ")
    {
        var trimmed = text.TrimStart(' ');
        var current = text[..(text.Length - trimmed.Length)];               // the text's own leading spaces
        bool empty = true;
        foreach (var word in trimmed.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!empty && current.Length + 1 + word.Length > width)
            {
                yield return current;
                current = indent + word;
            }
            else current += (empty ? "" : " ") + word;
            empty = false;
        }
        yield return current;
    }

    /// <summary>Progress lines printed as they are reported (<c>Progress&lt;T&gt;</c> would post them to the thread pool, late).</summary>
    public static readonly IProgress<string> Lines = new PrintedLines();

    sealed class PrintedLines : IProgress<string>
    {
        public void Report(string value) => Console.WriteLine(value);
    }

    public static string Duration(TimeSpan t) =>
        t.TotalHours >= 1 ? $"{(int)t.TotalHours}h{t.Minutes:D2}m" : t.TotalMinutes >= 1 ? $"{(int)t.TotalMinutes}m{t.Seconds:D2}s" : $"{t.Seconds}s";
}
