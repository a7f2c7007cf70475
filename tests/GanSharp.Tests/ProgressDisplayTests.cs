using System.Text.RegularExpressions;
using GanSharp.Cli;
using GanSharp.Training;
using Spectre.Console;
using static GanSharp.Tests.TestSupport;

namespace GanSharp.Tests;

/// <summary>The live progress bar of gan train, rendered into a terminal of a given width.</summary>
public class ProgressDisplayTests
{
    [Theory]
    [InlineData(80)]
    [InlineData(60)]
    [InlineData(200)]
    public void The_progress_bar_stays_on_one_line_of_the_terminal(int width)
    {
        var screen = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.Yes, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.Yes,
            Out = new AnsiConsoleOutput(screen),
        });
        console.Profile.Width = width;
        console.Profile.Capabilities.Interactive = true;

        var config = Tiny() with { Train = Tiny().Train with { Steps = 30, Epochs = 1 } };
        using var images = TinySet();
        using (var run = TrainingRun.Start(config, Path.Combine(TempFolder(), "run"), images))
            Assert.Equal(RunOutcome.Completed, TrainingProgress.WithBar(console, run, CancellationToken.None));

        // Every line drawn, escape sequences removed, fits the terminal; the last frame shows the finished step.
        var lines = Regex.Replace(screen.ToString(), @"\x1b\[[0-9;?]*[A-Za-z]", "").Split('\n', '\r');  // \r: back to column 0
        Assert.All(lines, l => Assert.True(l.Length <= width, $"{l.Length} columns: '{l}'"));
        var last = lines.Last(l => l.Contains("step "));
        Assert.Contains("step 30/30", last);
        Assert.Contains("100%", last);
        if (width >= 80) Assert.Contains("d_loss", last);  // at 80 columns the losses still fit
    }

    [Fact]
    public void The_description_keeps_what_fits_in_order()
    {
        var status = new TrainingStatus(1234, 25_000, 2.47, new Dictionary<string, double> { ["d_loss"] = 1.2345, ["g_loss"] = 0.6931 }, 0.1, 0.5, 1234, TimeSpan.Zero);
        Assert.Equal("step 1,234/25,000  epoch 2.47  d_loss 1.234  g_loss 0.693  1,234 img/s", TrainingProgress.Describe(status, 1000));
        Assert.Equal("step 1,234/25,000  epoch 2.47  d_loss 1.234", TrainingProgress.Describe(status, 44));
        Assert.Equal("step 1,234/25,000", TrainingProgress.Describe(status, 20));
        Assert.True(TrainingProgress.DescriptionWidth(80) + TrainingProgress.BarWidth(80) + 24 < 80);
    }
}
