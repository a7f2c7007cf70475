using System.CommandLine;
using GanSharp.Evaluation;
using GanSharp.Training;

namespace GanSharp.Cli.Hype;

/// <summary>
/// <c>gan hype RUN</c>: HYPE human evaluation (Zhou et al. 2019) of a run's generator in the browser of this machine —
/// half real images (the dataset's test split), half samples, one at a time; the session saved in the run's eval/ folder.
/// </summary>
static class HypeCommand
{
    static readonly Argument<string> RunFolder = new("RUN") { Description = "The run folder" };
    static readonly Option<HypeMode?> Mode = CommonOptions.Enum<HypeMode>("--mode",
        "infinity (HYPE∞: each image stays until answered; default) or time (HYPE-time: brief exposures on an adaptive staircase)");
    static readonly Option<int> Images = new Option<int>("--images")
    {
        Description = "Real images and as many samples (default 50 each, the paper's 100 judgements a person)", DefaultValueFactory = _ => 50,
    }.Within(1, 5000);
    static readonly Option<string> Host = new("--host") { Description = "Loopback address to serve on (127.0.0.1, ::1 or localhost)", DefaultValueFactory = _ => "127.0.0.1" };
    static readonly Option<int> Port = new Option<int>("--port") { Description = "TCP port (default 0: a free one)", DefaultValueFactory = _ => 0 }.Within(0, 65535);

    public static Command Create()
    {
        var command = new Command("hype", "Human evaluation in the browser (HYPE∞ or HYPE-time): is each image real or generated? Served on this machine only")
        {
            Arguments = { RunFolder },
            Options = { Sources.CheckpointFile, Mode, Images, CommonOptions.Seed, Host, Port, CommonOptions.Device, CommonOptions.DataDir },
        };
        command.SetAction(async (p, _) => await Run(p));
        return command;
    }

    static async Task<int> Run(ParseResult p)
    {
        var run = new RunDirectory(p.GetValue(RunFolder)!);
        if (!run.HoldsRun) throw new InputException($"{run.Folder}: not a run directory (no config.json)");
        HypeServer.LoopbackAddress(p.GetValue(Host)!);                       // refused before anything is loaded
        var checkpointPath = p.GetValue(Sources.CheckpointFile) ?? run.LastCheckpointPath;
        if (!File.Exists(checkpointPath)) throw new InputException($"{checkpointPath}: no checkpoint yet (train the run first, or name one with --checkpoint)");
        var source = new Sources.TrainedGenerator(Checkpoint.Read(checkpointPath), checkpointPath, run);
        var mode = p.GetValue(Mode) ?? HypeMode.Infinity;
        int count = p.GetValue(Images);
        long seed = p.GetValue(CommonOptions.Seed);

        Cli.LoadTorch();
        HypeDeck deck;
        string realName;
        if (source.Checkpoint.Config.Data is Configuration.CaptionedConfig captioned)
            (deck, realName) = TextDeck(source, captioned, p, count, seed);
        else
        using (var data = Sources.Dataset(Sources.DataOf(source, null), p))
        {
            var real = data.Test ?? data.Validation;
            if (real.Count < count) throw new InputException($"{real.Name} has {real.Count:N0} images, fewer than --images {count}");
            realName = real.Name;
            using var g = Sources.Sampler(source, p, "gan hype");
            using var rng = new TorchSharp.torch.Generator(unchecked((ulong)seed));
            using var chosen = TorchSharp.torch.randperm(real.Count, generator: rng).narrow(0, 0, count);   // which real images, by the seed
            using var realImages = real.Images.index_select(0, chosen);
            using var samples = g.Sample(count, rng);
            deck = HypeDeck.Create(realImages, samples, seed);
        }

        var session = new HypeSession(deck, mode);
        var hypeSource = new HypeSource(run.Folder, Path.GetFullPath(checkpointPath), source.Checkpoint.Step, source.Weights, realName);
        await using var server = await HypeServer.StartAsync(session, s =>
        {
            var record = s.Record(hypeSource, seed);
            return (record.Save(run), record);
        }, p.GetValue(Host)!, p.GetValue(Port));

        Console.WriteLine($"{(mode == HypeMode.Time ? "HYPE-time" : "HYPE∞")}: {count} images of {realName} and {count} samples of {checkpointPath} " +
                          $"(step {source.Checkpoint.Step:N0}), in an order drawn from seed {seed}");
        Console.WriteLine($"open {server.Url} in a browser on this machine; Ctrl-C stops (answers so far are saved)");

        using var cancel = Cli.CancelOnSignal();
        var stopped = Task.Delay(Timeout.Infinite, cancel.Token).ContinueWith(_ => "", TaskScheduler.Default);
        var ended = await Task.WhenAny(server.Finished, stopped);
        if (ended == server.Finished)
        {
            await Task.Delay(500);                                         // let the page receive its last answer
            Console.WriteLine(Describe(server.Saved!));
            Console.WriteLine($"  → {await server.Finished}");
            return Cli.Success;
        }
        var partial = server.Save(complete: false);
        Console.Error.WriteLine(partial is null ? "stopped before any answer: nothing saved"
                                                : $"stopped after {session.Answers.Count} of {deck.Count} answers; saved {partial}");
        return Cli.Interrupted;
    }

    /// <summary>
    /// A text run's deck: <paramref name="count"/> held-out (test) emoji chosen by the seed, and as many images the run
    /// draws from a caption of each (one of its captions, by the seed) — people judge images of names the run never read.
    /// </summary>
    static (HypeDeck Deck, string RealName) TextDeck(Sources.TrainedGenerator source, Configuration.CaptionedConfig captioned, ParseResult p, int count, long seed)
    {
        using var loaded = Sources.Product(source, p);
        var t2i = loaded.Product.TextSamples("gan hype");
        using var data = DataCommand.WithFetchProgress(progress => Data.CaptionedData.Load(captioned, p.GetValue(CommonOptions.DataDir), progress));
        var test = data.Images.Test!;
        if (test.Count < count) throw new InputException($"{test.Name} has {test.Count:N0} held-out emoji, fewer than --images {count}");
        using var rng = new TorchSharp.torch.Generator(unchecked((ulong)seed));
        using var chosen = TorchSharp.torch.randperm(test.Count, generator: rng).narrow(0, 0, count);
        var ids = chosen.data<long>().ToArray();
        var counts = data.Test.Counts.data<long>().ToArray();
        long k = data.Test.Embeddings.shape[1];
        using var rows = TorchSharp.torch.tensor(ids.Select(i => i * k + (long)Math.Floor(TorchSharp.torch.rand(1, generator: rng).item<float>() * counts[i])).ToArray());
        using var flat = data.Test.Embeddings.view(-1, data.Test.Embeddings.shape[2]);
        using var text = flat.index_select(0, rows);
        using var realImages = test.Images.index_select(0, chosen);
        var (low, high) = t2i.Draw(text, rng: rng);
        using (low) using (high)
            return (HypeDeck.Create(realImages, high ?? low, seed), $"{test.Name} (held-out emoji; the run's images of their captions)");
    }

    /// <summary>The scores in one line each.</summary>
    public static string Describe(HypeRecord record)
    {
        if (record.Infinity is not { } s) return "no score: the session needs answers on both real and generated images";
        var text = $"HYPE∞ error rate {s.Score.Percent()} (95% bootstrap interval); generated judged real {s.Fakes.Percent()}, real judged fake {s.Reals.Percent()}";
        if (record.Time is { } t) text += $"\nHYPE-time threshold {t.ThresholdMs:0} ms [{t.LowerMs:0}, {t.UpperMs:0}] over {t.Trials} timed answers";
        return text;
    }
}
