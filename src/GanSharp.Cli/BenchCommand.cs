using System.CommandLine;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using GanSharp.Configuration;
using GanSharp.Data;
using GanSharp.Evaluation;
using GanSharp.Experiments;
using GanSharp.Training;
using Spectre.Console;
using TorchSharp;
using static TorchSharp.torch;

namespace GanSharp.Cli;

/// <summary>
/// <c>gan bench</c>: the speed of the training step beside the machine's matrix-product rate, and of sampling and the
/// Parzen evaluation, for each thread count asked for. Prints a table and, with --json, writes the numbers.
/// </summary>
static class BenchCommand
{
    static readonly Option<string> Threads = new("--threads") { Description = "Thread counts to measure, comma-separated", DefaultValueFactory = _ => "1,2" };
    static readonly Option<int> Steps = new Option<int>("--steps") { Description = "Timed training iterations per thread count", DefaultValueFactory = _ => 300 }.Positive();
    static readonly Option<int> Warmup = new Option<int>("--warmup") { Description = "Untimed iterations first", DefaultValueFactory = _ => 20 }.Within(0);
    static readonly Option<int> ParzenSize = new Option<int>("--parzen-size") { Description = "Kernel centres and points of the Parzen timing (N × N × 784)", DefaultValueFactory = _ => 10_000 }.Positive();
    static readonly Option<int> Samples = new Option<int>("--samples") { Description = "Images drawn for the sampling rate", DefaultValueFactory = _ => 10_000 }.Positive();
    static readonly Option<string?> Json = Cli.Option<string?>("--json", "Also write the results to this JSON file");
    static readonly Option<string> Preset = new("--preset") { Description = $"Whose training step to time (known: {string.Join(", ", Presets.Names)})", DefaultValueFactory = _ => Presets.Default };
    static readonly Option<string?> ConfigFile = Cli.Option<string?>("--config", "JSON laid over the preset (other nets, say), as gan train --config");
    static readonly Option<int> RssSteps = new("--rss-check")
    {
        Description = "Instead: train N iterations on MNIST and check that RSS at the end is within 5% of RSS after 1,000 (a leak check)",
    };

    public static Command Create()
    {
        var command = new Command("bench", "Measure training, sampling and evaluation speed on this machine")
        {
            Options = { Preset, ConfigFile, Threads, Steps, Warmup, ParzenSize, Samples, Json, RssSteps, CommonOptions.Device },
        };
        command.SetAction(Run);
        return command;
    }

    /// <summary>One thread count's measurements.</summary>
    record Row(int Threads, double GemmGflops, double TrainImagesPerSecond, double TrainGflops, double TrainShareOfGemm,
               double ProductsMsPerStep, double ProductsBoundImagesPerSecond, double TrainShareOfProductsBound,
               double SampleImagesPerSecond, double ParzenSeconds);

    static int Run(ParseResult p)
    {
        int[] threadCounts;
        try { threadCounts = p.GetValue(Threads)!.Split(',').Select(s => int.Parse(s.Trim())).ToArray(); }
        catch (FormatException) { throw new InputException($"--threads takes comma-separated whole numbers, not '{p.GetValue(Threads)}'"); }
        if (threadCounts.Any(t => t < 1)) throw new InputException("--threads must be positive");
        int steps = p.GetValue(Steps), warmup = p.GetValue(Warmup), parzen = p.GetValue(ParzenSize), samples = p.GetValue(Samples);
        if (steps < 1 || warmup < 0 || parzen < 1 || samples < 1) throw new InputException("--steps, --parzen-size and --samples must be positive");

        Cli.LoadTorch();
        var device = CommonOptions.ResolveDevice(p);
        if (p.GetValue(RssSteps) is > 0 and var rssSteps) return RssCheck(rssSteps, p.GetValue(Json));
        var preset = Presets.Get(p.GetValue(Preset)!);
        if (p.GetValue(ConfigFile) is { } file)
            preset = GanConfig.Overlay(preset, File.Exists(file) ? File.ReadAllText(file) : throw new InputException($"{file}: config file not found"), file);
        var images = preset.Data switch { DataConfig d => d, TwoDomainsConfig two => two.X, CaptionedConfig captioned => captioned.Images, _ => throw new InputException($"gan bench: no images for {preset.Data.Summary}") };
        var (c, h, w) = DatasetLoader.ImageShape(images);   // the loader's rule, without the data
        var config = preset with
        {
            Model = preset.Model with { Channels = c, Height = h, Width = w },
            Train = preset.Train with { Steps = steps + warmup, Device = Devices.Name(device) },
        };
        if (config.Game is StackedConfig { StageOneSteps: not null } stacked)   // a two-stage text run: Stage-II's iteration, the costly one, is timed
        {
            if (warmup < 1) throw new InputException("gan bench: a two-stage run is timed in Stage-II, after one Stage-I iteration: give --warmup 1 or more");
            config = config with { Game = stacked with { StageOneSteps = 1 } };
        }
        double flopsPerImage = FlopsPerImage(config);  // NaN where the step's products are not counted (convolutions)
        var machine = Machine();
        Console.WriteLine($"{Devices.Name(device)}: {machine["cpu"]}, {machine["cores"]} cores; {machine["os"]}; .NET {machine["dotnet"]}; TorchSharp {machine["torchsharp"]}, libtorch {machine["libtorch"]}");
        Console.WriteLine($"{config.Preset} step on {c}×{h}×{w} images: " + (double.IsNaN(flopsPerImage) ? "FLOPs not counted" : $"{flopsPerImage / 1e6:F2} MFLOP per image") +
                          $" (batch {config.Train.Batch}, {config.Game.Summary})");

        var rows = new List<Row>();
        foreach (int t in threadCounts)
        {
            torch.set_num_threads(t);
            double gemm = GemmGflops(device);
            double train = TrainImagesPerSecond(config, warmup, steps);
            double gflops = train * flopsPerImage / 1e9;
            double productsMs = double.IsNaN(flopsPerImage) ? double.NaN : StepProductsMilliseconds(config, device);
            double bound = config.Train.Batch / (productsMs / 1000);
            rows.Add(new Row(t, gemm, train, gflops, gflops / gemm, productsMs, bound, train / bound,
                             config.Model.DrawsFromNoise && config.Data is not CaptionedConfig ? SampleImagesPerSecond(config, samples, device) : double.NaN, ParzenSeconds(parzen, device)));
            Console.WriteLine($"  measured {t} thread(s)");
        }
        double peakRssMb = PeakRssMb();

        var table = new Table().AddColumns("threads", "matmul 2048³ GFLOP/s", "train img/s", "train GFLOP/s", "share of matmul",
                                           "products alone ms", "products-only img/s", "share of that",
                                           "sample img/s", $"Parzen {parzen / 1000}k×{parzen / 1000}k s");
        foreach (var r in rows)
            table.AddRow($"{r.Threads}", $"{r.GemmGflops:F1}", $"{r.TrainImagesPerSecond:N0}", Shown(r.TrainGflops, "F1"),
                         Shown(r.TrainShareOfGemm, "P0"), Shown(r.ProductsMsPerStep, "F2"), Shown(r.ProductsBoundImagesPerSecond, "N0"),
                         Shown(r.TrainShareOfProductsBound, "P0"), Shown(r.SampleImagesPerSecond, "N0"), $"{r.ParzenSeconds:F2}");
        AnsiConsole.Write(table);
        Console.WriteLine($"peak RSS {peakRssMb:N0} MB");

        if (p.GetValue(Json) is { } path)
        {
            var document = new Dictionary<string, object>
            {
                ["machine"] = machine, ["device"] = Devices.Name(device), ["preset"] = config.Preset, ["mflop_per_image"] = flopsPerImage / 1e6,
                ["steps"] = steps, ["warmup"] = warmup, ["parzen_size"] = parzen, ["samples"] = samples,
                ["rows"] = rows, ["peak_rss_mb"] = peakRssMb,
            };
            AtomicFile.WriteText(path, JsonSerializer.Serialize(document, new JsonSerializerOptions
            {
                WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
                NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
            }) + "\n");
            Console.WriteLine($"results → {path}");
        }
        return Cli.Success;
    }

    /// <summary>A measurement in a table cell; "–" where it was not taken.</summary>
    static string Shown(double value, string format) => double.IsNaN(value) ? "–" : value.ToString(format);

    /// <summary>
    /// Trains the paper's preset for <paramref name="steps"/> iterations on MNIST and compares the resident set early
    /// and late: a step that leaks native memory makes it grow with the iteration count. RSS is sampled every 100
    /// iterations and each end is the median of ten samples (iterations 1,001–2,000, and the last 1,000), because the
    /// allocator returns memory to the system in bursts and single readings swing by a hundred megabytes.
    /// </summary>
    static int RssCheck(int steps, string? json)
    {
        if (steps < 3000) throw new InputException("--rss-check needs at least 3,000 iterations");
        var config = Presets.PaperMnist with { Train = Presets.PaperMnist.Train with { Steps = steps } };
        // Real MNIST: on random images the paper's learning rate makes D's loss explode after a few thousand steps.
        using var data = DataCommand.WithFetchProgress(progress => Data.DatasetLoader.Load("mnist", progress: progress));
        using var trainer = new Trainer(config, data.Train);
        var early = new List<double>();
        var late = new List<double>();
        var sw = Stopwatch.StartNew();
        for (int i = 1; i <= steps; i++)
        {
            trainer.TrainStep();
            if (i % 100 != 0) continue;
            double rss = CurrentRssMb();
            if (i > 1000 && i <= 2000) early.Add(rss);
            if (i > steps - 1000) late.Add(rss);
            if (i % 5000 == 0) Console.WriteLine($"  step {i:N0}: RSS {rss:N1} MB");
        }
        static double Median(List<double> v)
        {
            var sorted = v.Order().ToArray();
            return (sorted[sorted.Length / 2] + sorted[(sorted.Length - 1) / 2]) / 2;
        }
        double atStart = Median(early), atEnd = Median(late), growth = atEnd / atStart - 1;
        bool flat = growth <= 0.05;
        Console.WriteLine($"RSS median over iterations 1,001–2,000: {atStart:N1} MB; over the last 1,000: {atEnd:N1} MB: " +
                          $"{growth:+0.0%;-0.0%} ({(flat ? "flat, within 5%" : "GROWING")}); range {early.Concat(late).Min():N0}–" +
                          $"{early.Concat(late).Max():N0} MB; {steps / sw.Elapsed.TotalSeconds:N1} iterations/s");
        if (json is not null)
            AtomicFile.WriteText(json, JsonSerializer.Serialize(new
            {
                steps, rss_mb_median_1001_2000 = atStart, rss_mb_median_last_1000 = atEnd, growth, flat,
                rss_mb_samples_early = early, rss_mb_samples_late = late,
            }) + "\n");
        return flat ? Cli.Success : Cli.RuntimeError;
    }

    static double CurrentRssMb() => StatusKilobytes("VmRSS:") / 1024.0;

    static double StatusKilobytes(string key)
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(key));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
    }

    /// <summary>float32 matrix-product rate: 2048 × 2048 by 2048 × 2048, best of 10 after 3 warm-ups.</summary>
    static double GemmGflops(Device device)
    {
        using var a = randn(2048, 2048, device: device);
        using var b = randn(2048, 2048, device: device);
        for (int i = 0; i < 3; i++) using (a.mm(b)) { }
        Synchronize(device);
        double best = double.MaxValue;
        for (int i = 0; i < 10; i++)
        {
            var sw = Stopwatch.StartNew();
            using (a.mm(b)) { }
            Synchronize(device);
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
        }
        return 2.0 * 2048 * 2048 * 2048 / best / 1e9;
    }

    /// <summary>Training iterations of the preset on random images of MNIST's shape (as the PyTorch peer does).</summary>
    static double TrainImagesPerSecond(GanConfig config, int warmup, int steps)
    {
        var images = RandomImages(config);
        using var trainer = new Trainer(config, images, GameBuilder.BuiltIn);
        for (int i = 0; i < warmup; i++) trainer.TrainStep();
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < steps; i++) trainer.TrainStep();
        return (double)steps * config.Train.Batch * trainer.Game.BatchesPerStep / sw.Elapsed.TotalSeconds;
    }

    /// <summary>Random images of the configuration's shape (for two domains, two sets), as the PyTorch peers train on.</summary>
    static TrainingSet RandomImages(GanConfig config)
    {
        ImageDataset Set() => new("random", rand(3000, config.Model.Channels, config.Model.Height, config.Model.Width));
        if (config.Data is CaptionedConfig && config.Model is StackGanModelConfig text)   // random unit caption embeddings, two an image
        {
            using var raw = randn(3000, 2, text.TextDim);
            return new CaptionedImages(Set(), (raw / raw.norm(2, keepdim: true)).DetachFromDisposeScope(), 2);
        }
        return config.Data is TwoDomainsConfig ? new TwoDomains(Set(), Set()) : Set();
    }

    /// <summary>FLOPs per image of one iteration, counted from the layers of the nets the configuration builds (NaN: not counted).</summary>
    static double FlopsPerImage(GanConfig config)
    {
        var images = RandomImages(config);
        using var trainer = new Trainer(config with { Train = config.Train with { Device = "cpu" } }, images, GameBuilder.BuiltIn);
        try { return StepFlops.PerImage(trainer.Game, config.Train.Batch); }
        catch (NotSupportedException) { return double.NaN; }
    }

    /// <summary>
    /// Milliseconds for the matrix products of one iteration alone (<see cref="StepFlops.Products"/>, with the operand
    /// layouts nn.Linear uses), median of 30 runs of the whole list after 5 warm-ups: the speed the step would have if
    /// everything else in it were free.
    /// </summary>
    static double StepProductsMilliseconds(GanConfig config, Device device)
    {
        using var scope = NewDisposeScope();
        var images = RandomImages(config);
        using var trainer = new Trainer(config with { Train = config.Train with { Device = "cpu" } }, images, GameBuilder.BuiltIn);
        var operands = StepFlops.Products(trainer.Game, config.Train.Batch).Select(p => p.Role switch
        {
            ProductRole.Forward => (randn(p.Rows, p.Inner, device: device), randn(p.Columns, p.Inner, device: device).t()),  // x·Wᵀ
            ProductRole.WeightGradient => (randn(p.Inner, p.Rows, device: device).t(), randn(p.Inner, p.Columns, device: device)),  // gᵀ·x
            _ => (randn(p.Rows, p.Inner, device: device), randn(p.Inner, p.Columns, device: device)),  // g·W
        }).ToArray();
        var times = new List<double>();
        for (int run = 0; run < 35; run++)
        {
            var sw = Stopwatch.StartNew();
            foreach (var (a, b) in operands) using (a.mm(b)) { }
            Synchronize(device);
            if (run >= 5) times.Add(sw.Elapsed.TotalMilliseconds);
        }
        return times.Order().ElementAt(times.Count / 2);
    }

    static double SampleImagesPerSecond(GanConfig config, int count, Device device)
    {
        using var g = Models.Nets.CreateGenerator(config.Model);
        g.to(device);
        using (g.Sample(1000)) { }
        var sw = Stopwatch.StartNew();
        for (int done = 0; done < count; done += 1000)
            using (g.Sample(Math.Min(1000, count - done))) { }
        Synchronize(device);
        return count / sw.Elapsed.TotalSeconds;
    }

    /// <summary>Seconds for the Parzen log-likelihood of n points under n kernels in 784 dimensions (one σ).</summary>
    static double ParzenSeconds(int n, Device device)
    {
        using var centres = rand(n, 784, device: device);
        using var points = rand(n, 784, device: device);
        var sw = Stopwatch.StartNew();
        using var ll = ParzenWindow.LogLikelihood(centres, points, 0.2);
        Synchronize(device);
        return sw.Elapsed.TotalSeconds;
    }

    /// <summary>Waits for a GPU's queued work, so that a clock read afterwards measures it.</summary>
    static void Synchronize(Device device)
    {
        if (device.type == DeviceType.CUDA) cuda.synchronize(device);
    }

    /// <summary>Peak resident set size of this process (VmHWM), in MB.</summary>
    static double PeakRssMb() => StatusKilobytes("VmHWM:") / 1024.0;

    static Dictionary<string, string> Machine()
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name"))?.Split(':', 2)[1].Trim()
            : null;
        return new Dictionary<string, string>
        {
            ["cpu"] = cpu ?? RuntimeInformation.ProcessArchitecture.ToString(),
            ["cores"] = Environment.ProcessorCount.ToString(),
            ["os"] = RuntimeInformation.OSDescription,
            ["dotnet"] = Environment.Version.ToString(),
            ["torchsharp"] = typeof(torch).Assembly.GetName().Version?.ToString() ?? "?",
            ["libtorch"] = torch.__version__,
        };
    }
}
