using GanSharp.Configuration;
using GanSharp.Models;
using static GanSharp.Tests.TestSupport;
using static TorchSharp.torch;
using Generator = GanSharp.Models.Generator;

namespace GanSharp.Tests;

/// <summary>
/// What a game keeps besides its players: image pools (checkpointed, so resume stays exact), and players loaded — frozen
/// or not — from another run.
/// </summary>
public class GameStateTests
{
    /// <summary>The pool's rule replayed on plain numbers with the same draws: the independent computation.</summary>
    static List<float> HandTrace(int capacity, float[][] queries, ulong seed)
    {
        using var rng = new TorchSharp.torch.Generator(seed);
        var pool = new List<float>();
        var shown = new List<float>();
        foreach (var query in queries)
        {
            var u = rand([query.Length], generator: rng).data<float>().ToArray();
            var ids = randint(capacity, [query.Length], generator: rng).data<long>().ToArray();
            for (int i = 0; i < query.Length; i++)
            {
                if (pool.Count < capacity) { pool.Add(query[i]); shown.Add(query[i]); }
                else if (u[i] > 0.5f) { shown.Add(pool[(int)ids[i]]); pool[(int)ids[i]] = query[i]; }
                else shown.Add(query[i]);
            }
        }
        return shown;
    }

    static float[][] Queries => Enumerable.Range(0, 6).Select(q => Enumerable.Range(0, 3).Select(i => (float)(10 * q + i)).ToArray()).ToArray();

    static List<float> Shown(ImagePool pool, IEnumerable<float[]> queries, TorchSharp.torch.Generator rng)
    {
        var shown = new List<float>();
        foreach (var q in queries)
        {
            using var images = tensor(q).view(-1, 1, 1, 1);
            using var result = pool.Query(images, rng);
            shown.AddRange(result.flatten().data<float>().ToArray());
        }
        return shown;
    }

    [Fact]
    public void The_pool_stores_until_full_then_swaps_half_the_time_as_the_rule_says()
    {
        var expected = HandTrace(4, Queries, 17);
        using var rng = new TorchSharp.torch.Generator(17);
        using var pool = new ImagePool(4);
        var shown = Shown(pool, Queries, rng);
        Assert.Equal(expected, shown);
        Assert.Equal([0f, 1, 2, 10], shown[..4]);                    // filling: the images themselves
        var asked = Queries.SelectMany(q => q).ToList();
        Assert.Contains(Enumerable.Range(4, asked.Count - 4), i => shown[i] != asked[i]);   // once full, some came back from the pool
        Assert.Contains(Enumerable.Range(4, asked.Count - 4), i => shown[i] == asked[i]);   // and some passed through
        Assert.Equal(4, pool.Count);
        using var none = new ImagePool(0);
        using var noneRng = new TorchSharp.torch.Generator(17);
        Assert.Equal(Queries.SelectMany(q => q), Shown(none, Queries, noneRng));
    }

    [Fact]
    public void A_saved_pool_continues_as_the_one_it_was_saved_from()
    {
        using var rng = new TorchSharp.torch.Generator(5);
        using var pool = new ImagePool(4);
        Shown(pool, Queries[..3], rng);
        using var memory = new MemoryStream();
        using (var writer = new BinaryWriter(memory, System.Text.Encoding.UTF8, leaveOpen: true)) pool.Save(writer);
        using var rngState = rng.get_state();
        var rest = Shown(pool, Queries[3..], rng);

        using var restored = new ImagePool(4);
        memory.Position = 0;
        restored.Load(new BinaryReader(memory));
        using var again = new TorchSharp.torch.Generator(1);
        again.set_state(rngState);
        Assert.Equal(rest, Shown(restored, Queries[3..], again));
        memory.Position = 0;
        using var other = new ImagePool(5);
        Assert.Contains("does not fit this game's pool of 5", Assert.Throws<InputException>(() => other.Load(new BinaryReader(memory))).Message);
    }

    [Fact]
    public void A_games_own_state_is_checkpointed_and_a_resumed_run_continues_exactly()
    {
        using var images = TinySet();
        var config = Tiny() with
        {
            Game = new ImageHistoryConfig { PoolSize = 7 },
            Train = Tiny().Train with { Steps = 8 }, Output = Tiny().Output with { CheckpointEvery = 4 },
        };
        var straight = Path.Combine(TempFolder(), "straight");
        using (var run = TrainingRun.Start(config, straight, images)) run.Run();
        var resumed = Path.Combine(TempFolder(), "resumed");
        using (var run = TrainingRun.Start(config with { Train = config.Train with { Steps = 4 } }, resumed, images)) run.Run();
        using (var run = TrainingRun.Resume(resumed, images, t => t with { Steps = 8 })) run.Run();

        var a = Checkpoint.Read(new RunDirectory(straight).LastCheckpointPath);
        var b = Checkpoint.Read(new RunDirectory(resumed).LastCheckpointPath);
        Assert.True(a.Section("image-pool").Length > 7 * 16 * sizeof(float));   // the full pool of seven 4×4 images
        Assert.Equal(a.Section("image-pool"), b.Section("image-pool"));
        Assert.Equal(a.Section(Checkpoint.DiscriminatorSection), b.Section(Checkpoint.DiscriminatorSection));
        string[] Rows(string f) => MetricsFile.Read(new RunDirectory(f).MetricsPath).Rows.Select(r => $"{r["step"]} {r["d_loss"]} {r["g_loss"]}").ToArray();
        Assert.Equal(Rows(straight), Rows(resumed));
    }

    [Fact]
    public void The_history_game_with_an_empty_pool_is_algorithm_1_and_with_a_pool_shows_d_older_images()
    {
        using var images = TinySet();
        string[] Lines(GanConfig config)
        {
            using var t = new Trainer(config, images);
            return Enumerable.Range(0, 6).Select(_ => Line(t.TrainStep())).ToArray();
        }
        var plain = Lines(Tiny(k: 2));
        Assert.Equal(plain, Lines(Tiny(k: 2) with { Game = new ImageHistoryConfig { K = 2, PoolSize = 0 } }));
        Assert.NotEqual(plain, Lines(Tiny(k: 2) with { Game = new ImageHistoryConfig { K = 2, PoolSize = 3 } }));
        Assert.Contains("game image-history keeps generated images without their classes",
                        Assert.Single((Presets.CganMnist with { Game = new ImageHistoryConfig() }).Problems()));
    }

    [Fact]
    public void A_player_loaded_frozen_from_another_run_keeps_its_weights_and_the_others_train()
    {
        using var images = TinySet();
        var first = Path.Combine(TempFolder(), "first");
        using (var run = TrainingRun.Start(Tiny() with { Train = Tiny().Train with { Steps = 3 } }, first, images)) run.Run();
        var firstCheckpoint = Checkpoint.Read(new RunDirectory(first).LastCheckpointPath);

        var config = Tiny() with
        {
            Train = Tiny().Train with { Steps = 6, Seed = 99 },
            Output = Tiny().Output with { CheckpointEvery = 3 },
            PlayersFrom = [new PlayerSource("generator", first, Frozen: true)],
        };
        var second = Path.Combine(TempFolder(), "second");
        using (var run = TrainingRun.Start(config with { Train = config.Train with { Steps = 3 } }, second, images))
        {
            Assert.True(run.Trainer.Game.IsFrozen("generator"));
            Assert.False(run.Trainer.Game.IsFrozen("discriminator"));
            run.Run();
        }
        Directory.Delete(first, recursive: true);            // a resume needs only its own checkpoint
        using (var run = TrainingRun.Resume(second, images, t => t with { Steps = 6 })) run.Run();
        var end = Checkpoint.Read(new RunDirectory(second).LastCheckpointPath);
        Assert.Equal(6, end.Step);
        Assert.Equal(firstCheckpoint.Section("generator"), end.Section("generator"));          // frozen through a resume
        Assert.NotEqual(firstCheckpoint.Section("discriminator"), end.Section("discriminator"));

        var unknown = config with { PlayersFrom = [new PlayerSource("critic", second)] };
        Assert.Contains("players-from: the game has no player 'critic' (its players: generator, discriminator)",
                        Assert.Throws<InputException>(() => TrainingRun.Start(unknown, Path.Combine(TempFolder(), "x"), images)).Message);
        var wider = config with { Model = ((PaperModelConfig)Tiny().Model) with { GeneratorHidden = [9] }, PlayersFrom = [new PlayerSource("generator", second)] };
        var folder = Path.Combine(TempFolder(), "y");
        Assert.Contains("'generator' does not fit this run's generator", Assert.Throws<InputException>(() => TrainingRun.Start(wider, folder, images)).Message);
        Assert.False(Directory.Exists(folder));                // refused before anything was written
    }
}
