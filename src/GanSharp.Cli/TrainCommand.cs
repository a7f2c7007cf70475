using System.CommandLine;
using GanSharp.Configuration;
using GanSharp.Data;
using GanSharp.Evaluation;
using GanSharp.Experiments;
using GanSharp.Training;
using Spectre.Console;

namespace GanSharp.Cli;

/// <summary><c>gan train</c>: resolves preset → config file → flags, then runs Algorithm 1 into a run directory.</summary>
static class TrainCommand
{
    static readonly Option<string?> Preset = Cli.Option<string?>("--preset", $"Starting configuration (default {Presets.Default}; known: {string.Join(", ", Presets.Names)})");
    static readonly Option<string?> ConfigFile = Cli.Option<string?>("--config", "JSON file whose keys override the preset (same shape as a run's config.json)");
    static readonly Option<string?> Dataset = Cli.Option<string?>("--dataset", "A catalogued dataset (gan data list), or a folder of IDX files or of PNG/JPEG images (subfolders: classes)");
    static readonly Option<string?> DatasetX = Cli.Option<string?>("--dataset-x", "Two unpaired domains: domain X's dataset (with --dataset-y), for a game that translates between them; each split on its own unless both are the emoji styles");
    static readonly Option<string?> DatasetY = Cli.Option<string?>("--dataset-y", "Two unpaired domains: domain Y's dataset (with --dataset-x)");
    static readonly Option<int?> ImageSize = Cli.Option<int?>("--image-size", "Image files: centre-crop and resize to N×N (default 64)").Within(4, 1024);
    static readonly Option<ColorMode?> Color = CommonOptions.Enum<ColorMode>("--color", "Image files: grey or rgb (default rgb)");
    static readonly Option<int?> Epochs = Cli.Option<int?>("--epochs", "Train for N epochs (passes of D over the training images)").Positive();
    static readonly Option<long?> Steps = Cli.Option<long?>("--steps", "Train for N iterations (generator updates); overrides --epochs").Positive();
    static readonly Option<double?> CpuMinutes = Cli.Option<double?>("--cpu-minutes", "Train for N minutes of CPU time (all threads, evaluations excluded) instead of a length; with --steps, whichever comes first").Within(1e-3, 1e9);
    static readonly Option<int?> Batch = Cli.Option<int?>("--batch", "Minibatch size m").Positive();
    static readonly Option<int?> K = Cli.Option<int?>("--k", "Discriminator updates per generator update").Positive();
    static readonly Option<LossConfig?> GLoss = CommonOptions.Kind<LossConfig>("--g-loss", "The adversarial loss (default: the preset's)");
    static readonly Option<UpdateOrder?> Update = CommonOptions.Enum<UpdateOrder>("--update", "alternating (Algorithm 1, default) or simultaneous (the paper's code)");
    static readonly Option<OptimizerKind?> Optimizer = CommonOptions.Enum<OptimizerKind>("--optimizer", "sgd (the paper's, with momentum) or adam (DCGAN's recipe unless --lr)");
    static readonly Option<double?> LearningRate = Cli.Option<double?>("--lr", "Initial learning rate (default: 0.1 for sgd, 2e-4 for adam)").Within(double.Epsilon, float.MaxValue);
    static readonly Option<int?> Threads = Cli.Option<int?>("--threads", "CPU threads (default: one per core)").Within(0);
    static readonly Option<long> Seed = CommonOptions.Seed;
    static readonly Option<string?> Device = CommonOptions.Device;
    static readonly Option<string?> Out = CommonOptions.Out("The run folder to create (default runs/<preset>-<time>)");
    static readonly Option<string?> Resume = Cli.Option<string?>("--resume", "Continue the run in DIR from its last checkpoint, exactly (from step 0 if it stopped before its first)");
    static readonly Option<int?> LogEvery = Cli.Option<int?>("--log-every", "Write a metrics row every N iterations").Positive();
    static readonly Option<int?> SampleEvery = Cli.Option<int?>("--sample-every", "Write a sample grid every N iterations").Positive();
    static readonly Option<int?> CheckpointEvery = Cli.Option<int?>("--checkpoint-every", "Keep a checkpoint every N iterations").Positive();
    static readonly Option<int?> Labels = Cli.Option<int?>("--labels", "The semi-supervised game (sgan-mnist): labelled training images, as many of each class, chosen by --seed (default 100)").Positive();
    static readonly Option<int?> EvalEvery = Cli.Option<int?>("--eval-every", "Evaluate the generator every N iterations (and at the start and end); keeps checkpoints/best.ckpt").Within(0);
    static readonly Option<string?> Eval = Cli.Option<string?>("--eval", $"What --eval-every measures, comma-separated (default: the preset's own list, written in the run's config.json; known: {string.Join(", ", GanSharp.Evaluation.PeriodicEvaluations.Known)})");

    /// <summary>How --update names the two games of the paper: Algorithm 1's alternation, or its code's simultaneous steps.</summary>
    enum UpdateOrder { Alternating, Simultaneous }
    static readonly Option<bool> Ema = Cli.Option<bool>("--ema", "Keep a moving average of G's weights (CycleGAN: of both translators'; β 0.999), which samples, translations and evaluations then use");
    static readonly Option<bool> NoTensorBoard = Cli.Option<bool>("--no-tensorboard", "Do not write TensorBoard event files");

    public static Command Create()
    {
        var command = new Command("train", "Train a generative adversarial net (Algorithm 1) into a run directory")
        {
            Options =
            {
                Preset, ConfigFile, Dataset, DatasetX, DatasetY, ImageSize, Color, Epochs, Steps, CpuMinutes, Batch, K, GLoss, Update, Optimizer, LearningRate, Seed, Threads,
                Device, Out, Resume, LogEvery, SampleEvery, CheckpointEvery, EvalEvery, Eval, Ema, Labels, NoTensorBoard, CommonOptions.DataDir,
            },
        };
        command.SetAction(Run);
        return command;
    }

    static int Run(ParseResult p)
    {
        var resume = p.GetValue(Resume);
        Option[] fixedOnResume = [Preset, ConfigFile, Dataset, DatasetX, DatasetY, ImageSize, Color, Batch, K, GLoss, Update, Optimizer, LearningRate, Seed, Threads, Device, Out,
                                  LogEvery, SampleEvery, CheckpointEvery, EvalEvery, Eval, Ema, Labels];
        if (resume is not null && fixedOnResume.FirstOrDefault(o => p.GetResult(o) is { Implicit: false }) is { } clash)
            throw new InputException($"{clash.Name} cannot be combined with --resume: a resumed run keeps its configuration (only --epochs, --steps or --cpu-minutes may change)");

        var config = resume is null ? Configure(p) : new RunDirectory(resume).ResumeConfig(out _);
        var outDir = resume ?? p.GetValue(Out) ?? Path.Combine("runs", $"{config.Preset}-{DateTime.Now:yyyyMMdd-HHmmss}");
        if (resume is null)
        {
            config.Validate();                 // before minutes of data loading, not after
            RunDirectory.EnsureNew(outDir);
        }
        Cli.LoadTorch();
        using var data = DataCommand.WithFetchProgress(progress => RunData.Load(config.Data, p.GetValue(CommonOptions.DataDir), progress));
        if (data.Skipped.Count > 0) Console.Error.WriteLine($"gan: warning: {data.Train.Name}: {GanSharp.Data.ImageFolder.Describe(data.Skipped)}");

        // Built before the run folder is, so that a bad --eval leaves nothing behind.
        using var evaluation = config.Output.Evaluates
            ? PeriodicEvaluations.Create(config.Output.Eval, data, p.GetValue(CommonOptions.DataDir), Cli.Lines)
            : null;
        // From the moment the run folder exists, Ctrl-C or SIGTERM ends the run with a checkpoint, never half-way.
        using var cancel = Cli.CancelOnSignal();
        using var run = resume is null
            ? TrainingRun.Start(config, outDir, data.Train)
            : TrainingRun.Resume(resume, data.Train, t => ExtendLength(t, p));
        run.Evaluation = evaluation;
        foreach (var notice in run.Notices) Console.Error.WriteLine($"gan: warning: {notice}");
        var c = run.Config;
        Cli.Say($"run {run.Folder}");
        Cli.Say($"  data {data.Describe()}; " +
                          $"{c.Train.Batch}-image minibatches; {Kinds.NameOf(c.Model)} nets, {c.Game.Summary}, {Kinds.NameOf(c.Loss)} loss, " +
                          $"{c.Optimizer.Kind.ToString().ToLowerInvariant()} optimizer{(c.Ema is { } ema ? $", moving average{(run.Trainer.Game.AveragesItsPlayers ? "s of its generators" : " of G")} (β = {ema.Beta:G4})" : "")}; seed {c.Train.Seed}, {c.Train.Threads} thread{(c.Train.Threads == 1 ? "" : "s")}, {c.Train.Device}");
        if (run.Trainer.Step > 0)
            Cli.Say($"  resuming at step {run.Trainer.Step:N0}" + (run.TotalSteps == long.MaxValue ? "" : $" of {run.TotalSteps:N0}") +
                              (run.CpuBudgetSeconds is { } b ? $" ({run.TrainingCpuSeconds() / 60:F1} of {b / 60:G4} CPU minutes)" : ""));

        var outcome = Cli.Interactive ? RunWithBar(run, cancel.Token) : RunWithLines(run, cancel.Token);
        if (data.Domains is { } domains) TranslationFigureOf(run, domains);   // the report shows it
        if (data.Captioned is { } captioned) TextFigureOf(run, captioned);
        ReportCommand.AfterTraining(run.Folder);
        if (outcome == RunOutcome.Interrupted)
        {
            Console.Error.WriteLine($"interrupted at step {run.Trainer.Step:N0}; checkpoint saved: continue with 'gan train --resume {run.Folder}'");
            return Cli.Interrupted;
        }
        Cli.Say($"done: {run.Trainer.Step:N0} steps; samples {run.Directory.LastSamplesPath}, checkpoint {run.Directory.LastCheckpointPath}");
        return Cli.Success;
    }

    /// <summary>Preset, then the config file, then flags.</summary>
    static GanConfig Configure(ParseResult p)
    {
        var configPath = p.GetValue(ConfigFile);
        string? fileText = null;
        if (configPath is not null)
        {
            if (!File.Exists(configPath)) throw new InputException($"{configPath}: config file not found");
            fileText = File.ReadAllText(configPath);
        }
        var config = fileText is null ? Presets.Get(p.GetValue(Preset) ?? Presets.Default) : GanConfig.FromFile(fileText, configPath!, p.GetValue(Preset));

        var t = config.Train;
        t = ExtendLength(t, p) with
        {
            Batch = p.GetValue(Batch) ?? t.Batch,
            Seed = CommonOptions.SeedOr(p, t.Seed),
            Threads = p.GetValue(Threads) ?? t.Threads,
            Device = p.GetValue(Device) ?? t.Device,
        };
        var game = p.GetValue(Update) switch
        {
            null => config.Game,
            UpdateOrder.Simultaneous => new SimultaneousConfig(),
            UpdateOrder.Alternating => config.Game as Algorithm1Config ?? new Algorithm1Config(),
            var other => throw new ArgumentOutOfRangeException(nameof(Update), other, null),
        };
        if (p.GetValue(Labels) is { } labels)
            game = game is SemiSupervisedConfig semi ? semi with { Labels = labels }
                : throw new InputException($"--labels sets the semi-supervised game's labelled images; the {Kinds.NameOf(game)} game uses every label or none");
        if (p.GetValue(K) is { } k)
            game = game is Algorithm1Config a ? a with { K = k }
                : throw new InputException($"--k sets Algorithm 1's discriminator steps; the {Kinds.NameOf(game)} game takes one per iteration");
        // Switching optimizer takes the new kind's recipe (Adam: DCGAN's lr 2e-4, β₁ 0.5, constant), unless --lr says otherwise.
        OptimizerConfig Adjust(OptimizerConfig o)
        {
            if (p.GetValue(Optimizer) is { } kind) o = o.SwitchTo(kind);
            return o with { LearningRate = p.GetValue(LearningRate) ?? o.LearningRate };
        }
        var o = Adjust(config.Optimizer);
        var dOptimizer = config.DiscriminatorOptimizer is { } d ? Adjust(d) : null;
        var output = config.Output with
        {
            LogEvery = p.GetValue(LogEvery) ?? config.Output.LogEvery,
            SampleEvery = p.GetValue(SampleEvery) ?? config.Output.SampleEvery,
            CheckpointEvery = p.GetValue(CheckpointEvery) ?? config.Output.CheckpointEvery,
            EvalEvery = p.GetValue(EvalEvery) ?? config.Output.EvalEvery,
            Eval = p.GetValue(Eval) is { } names ? names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : config.Output.Eval,
            TensorBoard = config.Output.TensorBoard && !p.GetValue(NoTensorBoard),
        };
        var dataConfig = Data(p, config.Data);
        return config with
        {
            Train = t, Game = game, Loss = p.GetValue(GLoss) ?? config.Loss, Optimizer = o, DiscriminatorOptimizer = dOptimizer,
            Output = output, Data = dataConfig, Ema = p.GetValue(Ema) ? config.Ema ?? new EmaConfig() : config.Ema,
        };
    }

    /// <summary>
    /// The data from --dataset (one dataset) or --dataset-x and --dataset-y (two unpaired domains, which replace one
    /// dataset), and --image-size and --color, which prepare every dataset of the run alike.
    /// </summary>
    static StreamConfig Data(ParseResult p, StreamConfig data)
    {
        string? x = p.GetValue(DatasetX), y = p.GetValue(DatasetY), one = p.GetValue(Dataset);
        DataConfig Prepared(DataConfig d, string? dataset) => d with
        {
            Dataset = dataset ?? d.Dataset, ImageSize = p.GetValue(ImageSize) ?? d.ImageSize, Color = p.GetValue(Color) ?? d.Color,
        };
        if (x is null && y is null)
            return data switch
            {
                DataConfig d => Prepared(d, one),
                TwoDomainsConfig two when one is null => two with { X = Prepared(two.X, null), Y = Prepared(two.Y, null) },
                TwoDomainsConfig => throw new InputException("--dataset names one dataset, and this run's data is two domains: give --dataset-x and --dataset-y"),
                CaptionedConfig captioned => captioned with { Images = Prepared(captioned.Images, one) },   // problems checked with the rest
                _ => throw new InputException($"data of kind {data.GetType().Name} takes no data flags"),
            };
        if (one is not null) throw new InputException("--dataset cannot be combined with --dataset-x or --dataset-y: one dataset, or two domains");
        return data switch
        {
            TwoDomainsConfig two => OwnSplit(two with { X = Prepared(two.X, x), Y = Prepared(two.Y, y) }),
            DataConfig d when x is not null && y is not null => new TwoDomainsConfig { X = Prepared(d, x), Y = Prepared(d, y) },
            _ => throw new InputException("--dataset-x and --dataset-y go together: two domains need both"),
        };
    }

    /// <summary>
    /// Domains named by --dataset-x and --dataset-y keep the preset's split only where it applies to them: the emoji
    /// pairing applies to the two emoji styles alone, so other domains are split each by its own.
    /// </summary>
    static TwoDomainsConfig OwnSplit(TwoDomainsConfig two) =>
        two.Split == DomainSplit.EmojiPairs && !(TwoDomainsConfig.IsEmoji(two.X.Dataset) && TwoDomainsConfig.IsEmoji(two.Y.Dataset))
            ? two with { Split = DomainSplit.Each } : two;

    /// <summary>
    /// The run's length from --steps, --epochs and --cpu-minutes. A CPU budget replaces the length (epochs mean nothing
    /// beside it; --steps caps it); --steps or --epochs alone replace the length, budget included.
    /// </summary>
    static TrainConfig ExtendLength(TrainConfig t, ParseResult p)
    {
        long? steps = p.GetValue(Steps);
        int? epochs = p.GetValue(Epochs);
        if (p.GetValue(CpuMinutes) is { } minutes)
        {
            if (epochs is not null) throw new InputException("--epochs cannot be combined with --cpu-minutes: cap a CPU budget with --steps");
            return t with { CpuMinutes = minutes, Steps = steps };
        }
        return steps is not null ? t with { Steps = steps, CpuMinutes = null }
            : epochs is not null ? t with { Epochs = epochs.Value, Steps = null, CpuMinutes = null } : t;
    }

    /// <summary>A translation run's held-out translations as they are now, in its eval/ folder (<c>gan figure translation</c>'s figure).</summary>
    static void TranslationFigureOf(TrainingRun run, TwoDomainData domains)
    {
        using var rng = new TorchSharp.torch.Generator(1);
        var (images, columns) = TranslationFigure.Rows(run.Trainer.Product, domains, 8, rng);
        using var _ = images;
        GanSharp.Imaging.ImageGrid.SavePng(images, run.Directory.EvalPath("translation", run.Trainer.Step, "png"), columns: columns, scale: 2);
    }

    /// <summary>A text run's held-out captions drawn as they are now, in its eval/ folder with their captions (<c>gan figure text</c>'s figure).</summary>
    static void TextFigureOf(TrainingRun run, CaptionedData captioned)
    {
        using var rng = new TorchSharp.torch.Generator(1);
        var (images, columns, captions) = TextFigure.Rows(run.Trainer.Product.TextSamples("the run's text figure"), captioned, 8, 4, rng);
        using var _ = images;
        var path = run.Directory.EvalPath("text", run.Trainer.Step, "png");
        GanSharp.Imaging.ImageGrid.SavePng(images, path, columns: columns, scale: 2);
        AtomicFile.WriteText(path + ".captions.txt", string.Concat(captions.Select(line => line + "\n")));
    }

    internal static RunOutcome RunWithBar(TrainingRun run, CancellationToken cancel) => TrainingProgress.WithBar(AnsiConsole.Console, run, cancel);

    internal static RunOutcome RunWithLines(TrainingRun run, CancellationToken cancel)
    {
        double first = TrainingProgress.StartFraction(run);   // the ETA extrapolates this process's pace from here
        int every = run.Config.Output.LogEvery;
        var progress = new TrainingProgress.Sync(s =>
        {
            if (s.Step % every != 0 && s.Step != s.TotalSteps) return;
            Console.WriteLine(TrainingProgress.Describe(s, int.MaxValue, TrainingProgress.Eta(s, first) ?? TimeSpan.Zero));
        });
        return run.Run(cancel, progress);
    }

}
