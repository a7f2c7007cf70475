using GanSharp.Training;
using Spectre.Console;

namespace GanSharp.Cli;

/// <summary>
/// The progress of <c>gan train</c>: one line that says where the run is — the step, the share done, the time left and
/// spent, the game's scalars and the speed — fitted to the terminal. Wide terminals get a bar beside it; at 80 columns
/// the line alone keeps step, share, ETA, d_loss, g_loss, D(x), D(G(z)) and images/s, with short labels (dL, gL),
/// dropping the epoch, the elapsed time and other scalars first.
/// </summary>
static class TrainingProgress
{
    /// <summary>Terminals at least this wide get a bar beside the line.</summary>
    const int WideTerminal = 120;
    const int BarWidth = 24;

    /// <summary>The short labels of the scalars every game of two players logs (others keep their names).</summary>
    static readonly Dictionary<string, string> Short = new()
    {
        ["d_loss"] = "dL", ["g_loss"] = "gL", ["d_real"] = "D(x)", ["d_fake"] = "D(G(z))", ["d_out_real"] = "D(x)", ["d_out_fake"] = "D(G(z))",
    };

    /// <summary>The scalars kept at 80 columns (the others go first when room runs out).</summary>
    static readonly HashSet<string> Kept = ["d_loss", "g_loss", "d_real", "d_fake", "d_out_real", "d_out_fake"];

    /// <summary>A part of the line: its text in full and short, and its rank (lower: kept longer).</summary>
    readonly record struct Part(string Full, string Brief, int Rank);

    /// <summary>
    /// Where the run is, in at most <paramref name="width"/> characters: the parts in full when they fit, else in short
    /// form, dropping the least needed ones until the line fits; <paramref name="eta"/> null where it is not known yet.
    /// </summary>
    public static string Describe(TrainingStatus s, int width, TimeSpan? eta = null)
    {
        var parts = new List<Part>
        {
            new($"step {s.Step:N0}" + (s.Bounded ? $"/{s.TotalSteps:N0}" : ""), $"step {s.Step:N0}", 0),
            new($"{100 * s.Fraction:F0}%", $"{100 * s.Fraction:F0}%", 1),
        };
        if (eta is { } left) parts.Add(new($"ETA {Cli.Duration(left)}", $"ETA {Cli.Duration(left)}", 2));
        if (s.CpuBudgetSeconds is { } budget) parts.Add(new($"{s.TrainingCpuSeconds / 60:F1}/{budget / 60:G4} CPU min", $"{s.TrainingCpuSeconds / 60:F1}/{budget / 60:G4}m CPU", 3));
        foreach (var (name, value) in s.Scalars)
        {
            bool output = name is "d_real" or "d_fake" or "d_out_real" or "d_out_fake";
            var brief = output && value is >= 0 and < 1 ? value.ToString(".00", System.Globalization.CultureInfo.InvariantCulture) : value.ToString("F3", System.Globalization.CultureInfo.InvariantCulture);
            parts.Add(new($"{name} {value:F3}", $"{Short.GetValueOrDefault(name, name)} {brief}", Kept.Contains(name) ? 4 : 8));
        }
        var speed = s.ImagesPerSecond > 0 ? $"{s.ImagesPerSecond:N0} img/s" : "– img/s";   // measured once per log interval
        parts.Add(new(speed, speed, 5));
        parts.Add(new($"epoch {s.Epoch:F2}", $"ep {s.Epoch:F2}", 6));
        parts.Add(new($"elapsed {Cli.Duration(s.Elapsed)}", $"{Cli.Duration(s.Elapsed)} in", 7));

        string Line(IEnumerable<Part> shown, bool brief) => string.Join(brief ? " " : "  ", shown.Select(p => brief ? p.Brief : p.Full));
        if (Line(parts, brief: false) is { } full && full.Length <= width) return full;
        var kept = parts.ToList();
        while (kept.Count > 1 && Line(kept, brief: true).Length > width)
        {
            int least = kept.Max(p => p.Rank);
            kept.Remove(kept.Last(p => p.Rank == least));                    // the least needed; of equals the last (scalars in order)
        }
        var line = Line(kept, brief: true);
        return line.Length <= width ? line : line[..Math.Max(0, width)];
    }

    /// <summary>
    /// The time left, from this process's pace since <paramref name="firstFraction"/> (where it started, as a share of
    /// the run); null until the run has moved.
    /// </summary>
    public static TimeSpan? Eta(TrainingStatus s, double firstFraction)
    {
        double done = s.Fraction;
        return done > firstFraction && s.Elapsed > TimeSpan.Zero
            ? TimeSpan.FromSeconds(s.Elapsed.TotalSeconds / (done - firstFraction) * (1 - done)) : null;
    }

    /// <summary>Where <paramref name="run"/> starts, as a share of its length (0 for a new run; more on resume).</summary>
    public static double StartFraction(TrainingRun run) =>
        new TrainingStatus(run.Trainer.Step, run.TotalSteps, 0, new Dictionary<string, double>(), 0, 0, 0, TimeSpan.Zero,
                           run.TrainingCpuSeconds(), run.CpuBudgetSeconds).Fraction;

    /// <summary>Trains <paramref name="run"/> with a live line (and, on a wide terminal, a bar) on <paramref name="console"/>.</summary>
    public static RunOutcome WithBar(IAnsiConsole console, TrainingRun run, CancellationToken cancel)
    {
        var outcome = RunOutcome.Completed;
        int width = console.Profile.Width;
        bool bar = width >= WideTerminal;
        int room = width - 1 - (bar ? BarWidth + 1 : 0);
        double first = StartFraction(run);
        var columns = new List<ProgressColumn> { new TaskDescriptionColumn { Alignment = Justify.Left } };
        if (bar) columns.Add(new ProgressBarColumn { Width = BarWidth });
        console.Progress()
            .AutoClear(false)
            .Columns([.. columns])
            .Start(ctx =>
            {
                const double Resolution = 10_000;  // the bar counts fractions of the run (iterations or CPU budget)
                var task = ctx.AddTask("starting", maxValue: Resolution);
                var progress = new Sync(s =>
                {
                    task.Value = s.Fraction * Resolution;
                    task.Description = Markup.Escape(Describe(s, room, Eta(s, first)));
                });
                outcome = run.Run(cancel, progress);
            });
        return outcome;
    }

    /// <summary>An IProgress that calls back on the reporting thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    public sealed class Sync(Action<TrainingStatus> report) : IProgress<TrainingStatus>
    {
        public void Report(TrainingStatus value) => report(value);
    }
}
