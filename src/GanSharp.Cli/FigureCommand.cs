using System.CommandLine;
using GanSharp.Evaluation;
using GanSharp.Experiments;
using GanSharp.Imaging;
using GanSharp.Training;
using GanSharp.Models;

namespace GanSharp.Cli;

/// <summary><c>gan figure samples|interpolate|classes|metric</c>: the paper's Figures 2 and 3, class rows, and metric plots.</summary>
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
            using var g = Sources.Sampler(source, p, "gan figure samples");
            using var data = Sources.Dataset(Sources.DataOf(source, p.GetValue(dataset)), p);
            using var rng = new TorchSharp.torch.Generator(unchecked((ulong)p.GetValue(Seed)));
            var (images, ids, distances) = PaperFigures.SamplesWithNearestTrainingImages(g, data.Train.Images, rows, cols, rng);
            using var _ = images;
            var path = source.OutputPath(p.GetValue(samplesOut), "figure2-samples", "png", "--out");
            ImageGrid.SavePng(images, path, columns: cols + 1, scale: p.GetValue(Scale), highlightColumn: cols);
            Console.WriteLine($"{rows}×{cols} samples of {source.Path} (step {source.Checkpoint.Step:N0}), each row ending with the " +
                              $"nearest of {data.Train.Count:N0} images of {data.Train.Name} (L2 {distances.Min():F2}–{distances.Max():F2}) → {path}");
            return Cli.Success;
        });

        var translationOut = CommonOptions.Out("The PNG to write (default: the run's eval/translation-step-N.png)");
        var translation = new Command("translation", "A translation run's held-out images: input, translation and reconstruction both ways (paired domains: a row's two inputs are each other's true counterparts)")
        {
            Options = { CommonOptions.Run, Sources.CheckpointFile, Rows, Seed, Scale, translationOut, CommonOptions.Device, CommonOptions.DataDir },
        };
        translation.SetAction(p =>
        {
            var source = Sources.Generator(p);
            Cli.LoadTorch();
            using var loaded = Sources.Product(source, p);
            if (source.Checkpoint.Config.Data is not Configuration.TwoDomainsConfig domains)
                throw new InputException($"gan figure translation needs translations; the {Configuration.Kinds.NameOf(source.Checkpoint.Config.Game)} game supplies {loaded.Product.Supplies}");
            using var data = DataCommand.WithFetchProgress(progress => Data.TwoDomainData.Load(domains, p.GetValue(CommonOptions.DataDir), progress));
            using var rng = new TorchSharp.torch.Generator(unchecked((ulong)p.GetValue(Seed)));
            var (images, columns) = TranslationFigure.Rows(loaded.Product, data, p.GetValue(Rows), rng);
            using var _ = images;
            var path = source.OutputPath(p.GetValue(translationOut), "translation", "png", "--out");
            ImageGrid.SavePng(images, path, columns: columns, scale: p.GetValue(Scale));
            Console.WriteLine($"{images.shape[0] / columns} held-out images each way of {source.Path} (step {source.Checkpoint.Step:N0}): " +
                              "x | G(x) | F(G(x)) ‖ y | F(y) | G(F(y))" + (data.Paired ? ", x and y of a row the same emoji (each the other's true counterpart)" : "") + $" → {path}");
            return Cli.Success;
        });

        var textOut = CommonOptions.Out("The PNG to write (default: the run's eval/text-step-N.png)");
        var noises = new Option<int>("--columns") { Description = "Noises (columns) per caption and stage", DefaultValueFactory = _ => 4 }.Within(1, 16);
        var text = new Command("text", "A text-to-image run on held-out emoji's captions: the real emoji, then Stage-I's and Stage-II's images of its caption, a column per noise")
        {
            Options = { CommonOptions.Run, Sources.CheckpointFile, Rows, noises, Seed, Scale, textOut, CommonOptions.Device, CommonOptions.DataDir },
        };
        text.SetAction(p =>
        {
            var source = Sources.Generator(p);
            if (source.Checkpoint.Config.Data is not Configuration.CaptionedConfig captioned)
                throw new InputException($"gan figure text needs images from text; the {Configuration.Kinds.NameOf(source.Checkpoint.Config.Game)} game draws none");
            Cli.LoadTorch();
            using var loaded = Sources.Product(source, p);
            var t2i = loaded.Product.TextSamples("gan figure text");
            using var data = DataCommand.WithFetchProgress(progress => Data.CaptionedData.Load(captioned, p.GetValue(CommonOptions.DataDir), progress));
            using var rng = new TorchSharp.torch.Generator(unchecked((ulong)p.GetValue(Seed)));
            var (images, columns, captions) = TextFigure.Rows(t2i, data, p.GetValue(Rows), p.GetValue(noises), rng);
            using var _ = images;
            var path = source.OutputPath(p.GetValue(textOut), "text", "png", "--out");
            ImageGrid.SavePng(images, path, columns: columns, scale: p.GetValue(Scale));
            AtomicFile.WriteText(path + ".captions.txt", string.Concat(captions.Select(line => line + "\n")));
            for (int i = 0; i < captions.Count; i++) Console.WriteLine($"{i + 1,4}  {captions[i]}");
            var stages = t2i.StageTwo is not null && t2i.TrainedStages > 1 ? $"Stage-I ×{p.GetValue(noises)} | Stage-II ×{p.GetValue(noises)}" : $"Stage-I ×{p.GetValue(noises)}";
            Console.WriteLine($"{captions.Count} captions of held-out emoji, {source.Path} (step {source.Checkpoint.Step:N0}): real | {stages}, the same noise down each column → {path} (captions: {path}.captions.txt)");
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
            using var g = Sources.Sampler(source, p, "gan figure interpolate");
            using var rng = new TorchSharp.torch.Generator(unchecked((ulong)p.GetValue(Seed)));
            using var images = PaperFigures.Interpolations(g, rows, n, rng);
            var path = source.OutputPath(p.GetValue(interpolateOut), "figure3-interpolation", "png", "--out");
            ImageGrid.SavePng(images, path, columns: n, scale: p.GetValue(Scale));
            Console.WriteLine($"{rows} interpolations of {n} frames in z, {source.Path} (step {source.Checkpoint.Step:N0}) → {path}");
            return Cli.Success;
        });

        var perClass = new Option<int>("--columns") { Description = "Samples per class (per row)", DefaultValueFactory = _ => 10 }.Positive();
        var classesOut = CommonOptions.Out("The PNG to write (default: the run's eval/classes-step-N.png)");
        var classes = new Command("classes", "A conditional generator's classes: a row of samples per class, in label order")
        {
            Options = { CommonOptions.Run, Sources.CheckpointFile, perClass, Seed, Scale, classesOut, CommonOptions.Device },
        };
        classes.SetAction(p =>
        {
            int cols = p.GetValue(perClass);
            var source = Sources.Generator(p);
            var m = source.Checkpoint.Config.Model;
            Cli.LoadTorch();
            using var g = Sources.Sampler(source, p, "gan figure classes", forClass: true);
            ImageGrid.Size((long)m.Classes * cols, m.Height, m.Width, cols, scale: p.GetValue(Scale));
            using var rng = new TorchSharp.torch.Generator(unchecked((ulong)p.GetValue(Seed)));
            using var images = PaperFigures.ClassRows(g, cols, rng);
            var path = source.OutputPath(p.GetValue(classesOut), "classes", "png", "--out");
            ImageGrid.SavePng(images, path, columns: cols, scale: p.GetValue(Scale));
            Console.WriteLine($"{m.Classes} classes × {cols} samples, {source.Path} (step {source.Checkpoint.Step:N0}), rows top to bottom: " +
                              $"{string.Join(", ", Enumerable.Range(0, m.Classes).Select(m.ClassName))} → {path}");
            return Cli.Success;
        });

        var metric = new Option<string>("--metric") { Description = "A metrics.jsonl value, e.g. parzen_test, fid_valid, d_real", DefaultValueFactory = _ => "parzen_test" };
        var references = Cli.Option<string?>("--reference", "Horizontal reference lines, VALUE:LABEL[,VALUE:LABEL…] (e.g. 225:paper)");
        var runs = Cli.Option<string?>("--runs", "Several runs on one plot, comma-separated folders (instead of --run)");
        var axis = CommonOptions.Enum<MetricAxis>("--x", "What the metric is plotted against (default epoch)");
        var yRange = Cli.Option<string?>("--y-range", "Show only MIN:MAX of the metric's axis (e.g. 100:250: early values far below would squash the rest)");
        var curveOut = CommonOptions.Out("The PNG to write (default, for one run: its eval/METRIC-curve.png)");
        var curve = new Command("metric", "Plot one logged value of a run, or of several runs, against epochs, iterations or training CPU minutes")
        {
            Options = { CommonOptions.Run, runs, metric, axis, yRange, references, curveOut },
        };
        curve.SetAction(p =>
        {
            var one = p.GetValue(CommonOptions.Run);
            var many = p.GetValue(runs)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (one is not null && many is not null) throw new InputException("--run and --runs cannot be combined: give one run, or several");
            string[] folders = many ?? (one is null ? throw new InputException("say which run: --run DIR (or --runs DIR,DIR…)") : [one]);
            if (folders.Length == 0) throw new InputException("--runs names no folder");
            var name = p.GetValue(metric)!;
            var x = p.GetValue(axis) ?? MetricAxis.Epoch;
            var lines = new List<Imaging.Plots.ReferenceLine>();
            foreach (var part in (p.GetValue(references) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                var bits = part.Split(':', 2);
                if (!double.TryParse(bits[0], System.Globalization.CultureInfo.InvariantCulture, out var y))
                    throw new InputException($"--reference takes VALUE:LABEL pairs, not '{part}'");
                lines.Add(new(y, bits.Length > 1 ? bits[1] : bits[0]));
            }
            (double, double)? range = null;
            if (p.GetValue(yRange) is { } text)
            {
                var ends = text.Split(':');
                var inv = System.Globalization.CultureInfo.InvariantCulture;
                range = ends.Length == 2 && double.TryParse(ends[0], inv, out var lo) && double.TryParse(ends[1], inv, out var hi) && lo < hi
                    && double.IsFinite(lo) && double.IsFinite(hi) ? (lo, hi)
                    : throw new InputException($"--y-range takes MIN:MAX with MIN below MAX, not '{text}'");
            }
            var series = folders.Select(folder =>
            {
                var metrics = new RunDirectory(folder).MetricsPath;
                if (!File.Exists(metrics)) throw new InputException($"{folder}: not a run directory (no metrics.jsonl)");
                var points = MetricsFile.Read(metrics).Series(name, x);
                if (points.Count == 0) throw new InputException($"{metrics} has no '{name}' values");
                return (Name: Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder))), Points: points);
            }).ToList();
            var xLabel = x switch
            {
                MetricAxis.Epoch => "epoch",
                MetricAxis.Step => "iteration",
                MetricAxis.CpuMinutes => "training CPU minutes (all threads, evaluations excluded)",
                _ => throw new ArgumentOutOfRangeException(nameof(axis), x, null),
            };
            string path;
            if (folders.Length == 1)
            {
                var pts = series[0].Points;
                path = p.GetValue(curveOut) ?? new RunDirectory(folders[0]).EvalPath($"{name}-curve", "png");
                double[]? errors = pts.All(q => q.Error is not null) ? pts.Select(q => q.Error!.Value).ToArray() : null;
                Imaging.Plots.Line(path, pts.Select(q => q.X).ToArray(), pts.Select(q => q.Y).ToArray(),
                                   $"{name}: {series[0].Name}", xLabel, name, name, lines, errors, yRange: range);
            }
            else
            {
                path = CommonOptions.RequiredOut(p, curveOut, "where to write the plot of several runs");
                Imaging.Plots.Series(path, series.Select(s => (s.Name, s.Points.Select(q => (q.X, q.Y)).ToArray())).ToList(),
                                     $"{name} of {folders.Length} runs", xLabel, name, lines, range);
            }
            Console.WriteLine($"{series.Sum(s => s.Points.Count)} values of {name} from {folders.Length} run{(folders.Length == 1 ? "" : "s")} → {path}");
            return Cli.Success;
        });

        return new Command("figure", "The paper's figures for a trained generator, translations, and plots of a run's metrics") { Subcommands = { samples, interpolate, classes, translation, text, curve } };
    }
}
