using GanSharp.Training;
using Spectre.Console;

namespace GanSharp.Cli;

/// <summary>
/// The live progress bar of <c>gan train</c> on a terminal, fitted to its width: at 80 columns the bar narrows and the
/// description keeps the step and as many of the game's scalars as fit, so that the display stays on one line.
/// </summary>
static class TrainingProgress
{
    // The columns after the description: bar, percentage, remaining and elapsed time, and the gaps between columns.
    const int Percentage = 4, Remaining = 8, Elapsed = 8, Gaps = 4;

    /// <summary>Width of the bar on a console of <paramref name="width"/> columns: an eighth of it, 8 to 40.</summary>
    public static int BarWidth(int width) => Math.Clamp(width / 8, 8, 40);

    /// <summary>Room left for the description on a console of <paramref name="width"/> columns.</summary>
    public static int DescriptionWidth(int width) => width - BarWidth(width) - Percentage - Remaining - Elapsed - Gaps - 1;

    /// <summary>
    /// What the run is doing in at most <paramref name="width"/> characters: the step, then the epoch, the game's scalars
    /// as it names them (d_loss, g_loss, d_real, d_fake, …) and the speed, as many as fit, in that order.
    /// </summary>
    public static string Describe(TrainingStatus s, int width, bool percent = false)
    {
        var parts = new List<string> { $"epoch {s.Epoch:F2}" };
        parts.AddRange(s.Scalars.Select(x => $"{x.Key} {x.Value:F3}"));
        parts.Add(s.ImagesPerSecond > 0 ? $"{s.ImagesPerSecond:N0} img/s" : "– img/s");  // measured once per log interval
        var text = $"step {s.Step:N0}" + (s.Bounded ? $"/{s.TotalSteps:N0}" : "") + (percent ? $" ({100 * s.Fraction:F0}%)" : "");
        if (s.CpuBudgetSeconds is { } budget) parts.Insert(0, $"{s.TrainingCpuSeconds / 60:F1}/{budget / 60:G4} CPU min");
        if (text.Length > width) return text[..Math.Max(0, width)];
        foreach (var part in parts)
        {
            if (text.Length + 2 + part.Length > width) continue;  // a shorter later part may still fit
            text += "  " + part;
        }
        return text;
    }

    /// <summary>Trains <paramref name="run"/> with a live bar on <paramref name="console"/>.</summary>
    public static RunOutcome WithBar(IAnsiConsole console, TrainingRun run, CancellationToken cancel)
    {
        var outcome = RunOutcome.Completed;
        int width = console.Profile.Width;
        console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn { Width = BarWidth(width) },
                     new PercentageColumn(), new RemainingTimeColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                const double Resolution = 10_000;  // the bar counts fractions of the run (iterations or CPU budget)
                var task = ctx.AddTask("starting", maxValue: Resolution);
                var progress = new Sync(s =>
                {
                    task.Value = s.Fraction * Resolution;
                    task.Description = Markup.Escape(Describe(s, DescriptionWidth(width)));
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
