using System.CommandLine;
using GanSharp.Evaluation;
using GanSharp.Experiments;
using GanSharp.Imaging;
using GanSharp.Training;
using GanSharp.Models;

namespace GanSharp.Cli;

/// <summary><c>gan figure samples|interpolate</c>: the paper's Figures 2 and 3 for a trained generator.</summary>
static class FigureCommand
{
    static readonly Option<int> Rows = new Option<int>("--rows") { Description = "Rows of the figure", DefaultValueFactory = _ => 8 }.Positive();
    static readonly Option<long> Seed = CommonOptions.Seed;
    static readonly Option<int> Scale = new Option<int>("--scale") { Description = "Pixels per image pixel", DefaultValueFactory = _ => 2 }.Positive();

    public static Command Create()
    {
        var columns = new Option<int>("--columns") { Description = "Samples per row (a nearest training image follows them)", DefaultValueFactory = _ => 7 }.Positive();
        var dataset = Cli.Option<string?>("--dataset", "Training images to search for neighbours (default: the run's dataset)");
        var samplesOut = CommonOptions.Out("The PNG to write (default: the run's eval/figure2-samples-step-N.png)");
        var samples = new Command("samples", "Figure 2: random samples; the last column is the training image nearest to its neighbour")
        {
            Options = { CommonOptions.Run, Sources.CheckpointFile, Rows, columns, Seed, Scale, samplesOut, dataset, CommonOptions.Device, CommonOptions.DataDir },
        };
        samples.SetAction(p =>
        {
            int rows = p.GetValue(Rows), cols = p.GetValue(columns);
            var source = Sources.Generator(p);
            var m = source.Checkpoint.Config.Model;
            ImageGrid.Size((long)rows * (cols + 1), m.Height, m.Width, cols + 1, scale: p.GetValue(Scale));  // refused before any work
            Cli.LoadTorch();
            using var data = Sources.Dataset(Sources.DataOf(source, p.GetValue(dataset)), p);
            using var g = Sources.Load(source, p);
            using var rng = new TorchSharp.torch.Generator(unchecked((ulong)p.GetValue(Seed)));
            var (images, ids, distances) = PaperFigures.SamplesWithNearestTrainingImages(g, data.Train.Images, rows, cols, rng);
            using var _ = images;
            var path = source.OutputPath(p.GetValue(samplesOut), "figure2-samples", "png", "--out");
            ImageGrid.SavePng(images, path, columns: cols + 1, scale: p.GetValue(Scale), highlightColumn: cols);
            Console.WriteLine($"{rows}×{cols} samples of {source.Path} (step {source.Checkpoint.Step:N0}), each row ending with the " +
                              $"nearest of {data.Train.Count:N0} images of {data.Train.Name} (L2 {distances.Min():F2}–{distances.Max():F2}) → {path}");
            return Cli.Success;
        });

        var frames = new Option<int>("--frames") { Description = "Images per interpolation, both ends included", DefaultValueFactory = _ => 10 }.Within(2);
        var interpolateOut = CommonOptions.Out("The PNG to write (default: the run's eval/figure3-interpolation-step-N.png)");
        var interpolate = new Command("interpolate", "Figure 3: linear interpolations between random pairs of z")
        {
            Options = { CommonOptions.Run, Sources.CheckpointFile, Rows, frames, Seed, Scale, interpolateOut, CommonOptions.Device },
        };
        interpolate.SetAction(p =>
        {
            int rows = p.GetValue(Rows), n = p.GetValue(frames);
            var source = Sources.Generator(p);
            var m = source.Checkpoint.Config.Model;
            ImageGrid.Size((long)rows * n, m.Height, m.Width, n, scale: p.GetValue(Scale));
            Cli.LoadTorch();
            using var g = Sources.Load(source, p);
            using var rng = new TorchSharp.torch.Generator(unchecked((ulong)p.GetValue(Seed)));
            using var images = PaperFigures.Interpolations(g, rows, n, rng);
            var path = source.OutputPath(p.GetValue(interpolateOut), "figure3-interpolation", "png", "--out");
            ImageGrid.SavePng(images, path, columns: n, scale: p.GetValue(Scale));
            Console.WriteLine($"{rows} interpolations of {n} frames in z, {source.Path} (step {source.Checkpoint.Step:N0}) → {path}");
            return Cli.Success;
        });

        var metric = new Option<string>("--metric") { Description = "A metrics.jsonl value, e.g. parzen_test, fid_valid, d_real", DefaultValueFactory = _ => "parzen_test" };
        var references = Cli.Option<string?>("--reference", "Horizontal reference lines, VALUE:LABEL[,VALUE:LABEL…] (e.g. 225:paper)");
        var curveOut = CommonOptions.Out("The PNG to write (default: the run's eval/METRIC-curve.png)");
        var curve = new Command("metric", "Plot one logged value of a run against epochs")
        {
            Options = { CommonOptions.Run, metric, references, curveOut },
        };
        curve.SetAction(p =>
        {
            var folder = p.GetValue(CommonOptions.Run) ?? throw new InputException("say which run: --run DIR");
            var run = new RunDirectory(folder);
            var name = p.GetValue(metric)!;
            var metrics = run.MetricsPath;
            if (!File.Exists(metrics)) throw new InputException($"{folder}: not a run directory (no metrics.jsonl)");
            var rows = File.ReadLines(metrics).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement)
                           .Where(r => r.TryGetProperty(name, out _)).ToList();
            if (rows.Count == 0) throw new InputException($"{metrics} has no '{name}' values");
            var lines = new List<Imaging.Plots.ReferenceLine>();
            foreach (var part in (p.GetValue(references) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                var bits = part.Split(':', 2);
                if (!double.TryParse(bits[0], System.Globalization.CultureInfo.InvariantCulture, out var y))
                    throw new InputException($"--reference takes VALUE:LABEL pairs, not '{part}'");
                lines.Add(new(y, bits.Length > 1 ? bits[1] : bits[0]));
            }
            double[]? errors = rows.All(r => r.TryGetProperty(name + "_se", out _)) ? rows.Select(r => r.GetProperty(name + "_se").GetDouble()).ToArray() : null;
            var path = p.GetValue(curveOut) ?? run.EvalPath($"{name}-curve", "png");
            Imaging.Plots.Line(path, rows.Select(r => r.GetProperty("epoch").GetDouble()).ToArray(),
                               rows.Select(r => r.GetProperty(name).GetDouble()).ToArray(),
                               $"{name}: {Path.GetFileName(Path.GetFullPath(folder).TrimEnd('/'))}", "epoch", name, name, lines, errors);
            Console.WriteLine($"{rows.Count} values of {name} → {path}");
            return Cli.Success;
        });

        return new Command("figure", "The paper's figures for a trained generator, and plots of a run's metrics") { Subcommands = { samples, interpolate, curve } };
    }
}
