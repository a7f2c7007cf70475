using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using GanSharp.Configuration;
using GanSharp.Models;
using GanSharp.Training;
using static GanSharp.Tests.TestSupport;
using static TorchSharp.torch;
using Generator = GanSharp.Models.Generator;

namespace GanSharp.Tests;

/// <summary>What a run promises whatever a user or a crash does: integrity, finite checkpoints, recoverable states.</summary>
public class ReliabilityTests
{
    static Checkpoint Written(out string path, int steps = 3)
    {
        using var images = TinySet();
        using var t = new Trainer(Tiny(), images);
        for (int i = 0; i < steps; i++) t.TrainStep();
        path = Path.Combine(TempFolder(), "a.ckpt");
        var c = t.ToCheckpoint();
        c.Write(path);
        return c;
    }

    static void Edit(string path, string from, string to)
    {
        var bytes = File.ReadAllBytes(path);
        var text = Encoding.Latin1.GetString(bytes);
        int at = text.IndexOf(from, StringComparison.Ordinal);
        Assert.True(at >= 0, from);
        Assert.Equal(from.Length, to.Length);
        Encoding.Latin1.GetBytes(to).CopyTo(bytes, at);
        File.WriteAllBytes(path, bytes);
    }

    [Theory]
    [InlineData("\"step\": 3", "\"step\": 2")]      // resume would relabel training and drop metrics rows
    [InlineData("\"seed\": 7", "\"seed\": 8")]      // resume would continue another run's data order
    [InlineData("\"batch\": 5", "\"batch\": 4")]
    public void An_edited_checkpoint_header_is_refused(string from, string to)
    {
        Written(out var path);
        Edit(path, from, to);
        Assert.Contains("checksum mismatch", Assert.Throws<InputException>(() => Checkpoint.Read(path)).Message);
    }

    [Fact]
    public void The_format_version_is_in_the_file_and_a_newer_one_is_refused()
    {
        Written(out var path);
        var bytes = File.ReadAllBytes(path);
        Assert.Equal("GANSHARP-CKPT-2\n", Encoding.ASCII.GetString(bytes, 0, 16));
        long headerLength = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(16, 8));
        using (var header = JsonDocument.Parse(bytes.AsMemory(24, (int)headerLength)))
            Assert.Equal(Checkpoint.FormatVersion, header.RootElement.GetProperty("version").GetInt32());
        bytes[14] = (byte)'3';
        File.WriteAllBytes(path, bytes);
        Assert.Contains("checkpoint format 3 was written by a newer GanSharp", Assert.Throws<InputException>(() => Checkpoint.Read(path)).Message);
    }

    [Fact]
    public void A_checkpoint_of_non_finite_weights_is_never_written_and_never_loaded()
    {
        using var images = TinySet();
        using var t = new Trainer(Tiny(), images);
        t.TrainStep();
        using (no_grad()) t.G.parameters().Last().fill_(float.PositiveInfinity);
        Assert.Throws<TrainingDivergedException>(() => t.ToCheckpoint());

        // A file with such weights (written by an older release, or by hand) is refused by everything that samples.
        var good = Written(out _);
        using var g = Generator.FromCheckpoint(good);
        using (no_grad()) g.parameters().First().fill_(float.NaN);
        var sections = new Dictionary<string, byte[]>(good.Sections) { [Checkpoint.GeneratorSection] = Checkpoint.Save(g) };
        var path = Path.Combine(TempFolder(), "nan.ckpt");
        new Checkpoint { Config = good.Config, Step = good.Step, DataBatches = good.DataBatches, Sections = sections }.Write(path);
        Assert.Contains("weights or samples are not finite", Assert.Throws<InputException>(() => Generator.Load(path)).Message);

        // Finite weights can still draw NaN (huge ones overflow inside G: ∞ − ∞); such a generator is refused too.
        using var nanDrawer = new NanDrawingGenerator(good.Config.Model);
        Assert.True(Weights.AllFinite(nanDrawer));
        Assert.False(nanDrawer.ProducesFiniteSamples());
        sections[Checkpoint.GeneratorSection] = Checkpoint.Save(nanDrawer);
        new Checkpoint { Config = good.Config, Step = good.Step, DataBatches = good.DataBatches, Sections = sections }.Write(path);
        Assert.Contains("weights or samples are not finite",
            Assert.Throws<InputException>(() => Generator.Load(path, c => new NanDrawingGenerator(c))).Message);
    }

    /// <summary>A generator of finite weights whose samples are NaN: log of values that are negative.</summary>
    sealed class NanDrawingGenerator : Generator
    {
        private readonly TorchSharp.Modules.Linear layer;

        public NanDrawingGenerator(ModelConfig config) : base("nan_drawing", config)
        {
            layer = TorchSharp.torch.nn.Linear(config.NoiseDim, config.Channels * config.Height * config.Width);
            RegisterComponents();
            using (no_grad()) layer.bias!.fill_(-10);
        }

        public override Tensor forward(Tensor z, Tensor? labels) => layer.forward(z).clamp_max(-1).log().view(-1, Config.Channels, Config.Height, Config.Width);
    }

    [Fact]
    public void A_diverging_run_keeps_only_finite_checkpoints_and_says_where_the_last_good_one_is()
    {
        // The issue's case: a huge learning rate, a checkpoint every iteration. The losses of a step are measured before
        // its update, so only the weight check after the update can stop the bad state from reaching a checkpoint.
        var config = Tiny() with
        {
            Optimizer = new OptimizerConfig { LearningRate = 1e6 },
            Train = Tiny().Train with { Steps = 50 },
            Output = Tiny().Output with { CheckpointEvery = 1 },
        };
        var folder = Path.Combine(TempFolder(), "run");
        using var images = TinySet();
        using (var run = TrainingRun.Start(config, folder, images))
        {
            var e = Assert.Throws<TrainingDivergedException>(() => run.Run());
            Assert.Matches(@"training diverged at step \d+: .*nothing of it was saved: (the last good checkpoint is .*last\.ckpt \(step \d+\)|no checkpoint had been written yet)", e.Message);
        }
        foreach (var file in Directory.GetFiles(Path.Combine(folder, "checkpoints")))
        {
            var c = Checkpoint.Read(file);
            using var g = Generator.FromCheckpoint(c);        // refuses non-finite weights
            using var d = Nets.CreateDiscriminator(c.Config.Model, new TorchSharp.torch.Generator(1));
            c.LoadInto(Checkpoint.DiscriminatorSection, d);
            Assert.True(Weights.AllFinite(d), file);
        }
    }

    [Fact]
    public void Weights_all_finite_sees_a_single_bad_value_and_no_false_alarm_from_large_ones()
    {
        using var net = TorchSharp.torch.nn.Linear(300, 300);
        Assert.True(Weights.AllFinite(net));
        using (no_grad()) net.weight!.fill_(1e30f);      // huge, yet their sum (9·10³⁴) is a float32
        Assert.True(Weights.AllFinite(net));
        using (no_grad()) net.weight!.fill_(1e34f);      // a sum beyond float32: counted as diverged, as documented
        Assert.False(Weights.AllFinite(net));
        using (no_grad()) net.weight!.fill_(0.5f);
        Assert.True(Weights.AllFinite(net));
        using (no_grad()) net.weight![7, 11] = float.NaN;
        Assert.False(Weights.AllFinite(net));
    }

    static (string Folder, GanConfig Config) StartedRun(int steps, Action<TrainingRun>? during = null)
    {
        var folder = Path.Combine(TempFolder(), "run");
        var config = Tiny() with { Train = Tiny().Train with { Steps = steps } };
        using var images = TinySet();
        using var run = TrainingRun.Start(config, folder, images);
        if (during is null) run.Run();
        else during(run);
        return (folder, run.Config);
    }

    [Fact]
    public void Resume_refuses_a_config_json_that_differs_from_the_checkpoint_and_names_the_keys()
    {
        var (folder, _) = StartedRun(6);
        var configPath = Path.Combine(folder, "config.json");
        var original = File.ReadAllText(configPath);
        using var images = TinySet();

        File.WriteAllText(configPath, original.Replace("\"seed\": 7", "\"seed\": 9"));
        var e = Assert.Throws<InputException>(() => TrainingRun.Resume(folder, images));
        Assert.Contains("differs from the configuration in", e.Message);
        Assert.Contains("train.seed", e.Message);

        File.WriteAllText(configPath, "{}");  // the issue's case: every default, MNIST included, instead of the run's own settings
        Assert.Contains("train.batch", Assert.Throws<InputException>(() => TrainingRun.Resume(folder, images)).Message);

        File.Delete(configPath);               // the checkpoint says it all: resume rewrites config.json
        using (var run = TrainingRun.Resume(folder, images, t => t with { Steps = 8 })) run.Run();
        Assert.Equal(8, Checkpoint.Read(Path.Combine(folder, "checkpoints", "last.ckpt")).Step);
        Assert.Equal(7, new RunDirectory(folder).ReadConfig().Train.Seed);
    }

    [Fact]
    public void A_run_stopped_before_its_first_checkpoint_resumes_from_step_0_exactly()
    {
        var (straight, _) = StartedRun(6);
        // Stopped right after it wrote config.json (a kill before the first checkpoint): no checkpoint, a stale row.
        var (stopped, _) = StartedRun(6, during: _ => { });
        File.WriteAllText(Path.Combine(stopped, "metrics.jsonl"), """{"step":2,"d_loss":99}""" + "\n");
        using var images = TinySet();
        using (var run = TrainingRun.Resume(stopped, images))
        {
            Assert.Equal(0, run.Trainer.Step);
            run.Run();
        }
        string[] Rows(string folder) => File.ReadAllLines(Path.Combine(folder, "metrics.jsonl"))
            .Select(l => JsonDocument.Parse(l).RootElement).Select(r => $"{r.GetProperty("step")} {r.GetProperty("d_loss")} {r.GetProperty("g_loss")}").ToArray();
        Assert.Equal(Rows(straight), Rows(stopped));
        Assert.Equal(Checkpoint.Read(Path.Combine(straight, "checkpoints", "last.ckpt")).Section(Checkpoint.GeneratorSection),
                     Checkpoint.Read(Path.Combine(stopped, "checkpoints", "last.ckpt")).Section(Checkpoint.GeneratorSection));
    }

    [Fact]
    public void A_lock_whose_file_was_removed_is_known_as_such_and_a_finished_run_removes_its_own()
    {
        var directory = new RunDirectory(TempFolder());
        using (var held = RunLock.Take(directory))
        {
            Assert.True(held.IsAtPath());
            File.Delete(directory.LockPath);           // what a writer that just finished does: a lock on it guards nothing
            Assert.False(held.IsAtPath());
        }
        using (var again = RunLock.Take(directory)) Assert.True(File.Exists(directory.LockPath) && again.IsAtPath());
        Assert.False(File.Exists(directory.LockPath)); // released by its holder: the file goes with it
    }

    [Fact]
    public void A_new_run_may_reuse_a_folder_left_with_only_its_lock_and_temporary_files()
    {
        var folder = TempFolder();
        File.WriteAllText(Path.Combine(folder, "run.lock"), "12345\n");
        File.WriteAllText(Path.Combine(folder, ".config.json.999999.0123456789abcdef0123456789abcdef.tmp"), "{");
        using var images = TinySet();
        using (var run = TrainingRun.Start(Tiny(), folder, images)) run.Run();
        Assert.False(File.Exists(Path.Combine(folder, ".config.json.999999.0123456789abcdef0123456789abcdef.tmp")));
        File.WriteAllText(Path.Combine(folder, "notes.txt"), "mine");
        var other = Path.Combine(TempFolder(), "x");
        Directory.CreateDirectory(other);
        File.WriteAllText(Path.Combine(other, "notes.txt"), "mine");
        Assert.Contains("not an empty folder", Assert.Throws<InputException>(() => TrainingRun.Start(Tiny(), other, images)).Message);
    }

    [Fact]
    public void Leftover_temporary_files_of_dead_writers_are_removed_on_resume_and_live_ones_kept()
    {
        var (folder, _) = StartedRun(6);
        var checkpoints = Path.Combine(folder, "checkpoints");
        var dead = Path.Combine(checkpoints, ".last.ckpt.2147483646.0123456789abcdef0123456789abcdef.tmp");  // no such process
        var live = Path.Combine(checkpoints, $".last.ckpt.{Environment.ProcessId}.0123456789abcdef0123456789abcdef.tmp");
        var notOurs = Path.Combine(checkpoints, ".notes.tmp");
        foreach (var f in new[] { dead, live, notOurs }) File.WriteAllBytes(f, new byte[1000]);
        using var images = TinySet();
        using (TrainingRun.Resume(folder, images)) { }
        Assert.False(File.Exists(dead));
        Assert.True(File.Exists(live));     // a writer still running (here: this process) keeps its file
        Assert.True(File.Exists(notOurs));  // only names AtomicFile makes are touched
    }

    [Fact]
    public void An_interruption_logs_the_unfinished_interval()
    {
        // LogEvery 2: a cancellation after step 3 leaves steps 3 in no row unless the partial interval is logged.
        using var cancel = new CancellationTokenSource();
        var (folder, _) = StartedRun(10, during: run =>
            Assert.Equal(RunOutcome.Interrupted, run.Run(cancel.Token, new OnStatus(s => { if (s.Step == 3) cancel.Cancel(); }))));
        var steps = File.ReadAllLines(Path.Combine(folder, "metrics.jsonl")).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("step").GetInt64());
        Assert.Equal([2L, 3], steps);
        Assert.Equal(3, Checkpoint.Read(Path.Combine(folder, "checkpoints", "last.ckpt")).Step);
    }

    sealed class OnStatus(Action<TrainingStatus> report) : IProgress<TrainingStatus>
    {
        public void Report(TrainingStatus value) => report(value);
    }

    [Fact]
    public void Resume_refuses_data_of_another_shape_and_a_length_shorter_than_done()
    {
        var (folder, _) = StartedRun(6);
        using var other = new Data.ImageDataset("other", rand(40, 1, 6, 6));
        Assert.Contains("images are 1×6×6 but the run", Assert.Throws<InputException>(() => TrainingRun.Resume(folder, other)).Message);
        using var images = TinySet();
        Assert.Contains("has done 6 iterations", Assert.Throws<InputException>(() => TrainingRun.Resume(folder, images, t => t with { Steps = 4 })).Message);
        Assert.Contains("steps must be positive", Assert.Throws<InputException>(() => TrainingRun.Resume(folder, images, t => t with { Steps = -5 })).Message);
        Assert.Equal(6, new RunDirectory(folder).ReadConfig().Train.Steps);  // config.json untouched by the refusals
    }
}

/// <summary>The TensorBoard event files GanSharp writes, read back by an independent decoder.</summary>
public class TensorBoardTests
{
    /// <summary>CRC-32C bit by bit (reflected polynomial 0x82F63B78): independent of the table-free hardware form.</summary>
    static uint SlowCrc32C(ReadOnlySpan<byte> data)
    {
        uint crc = ~0u;
        foreach (var b in data)
        {
            crc ^= b;
            for (int i = 0; i < 8; i++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
        }
        return ~crc;
    }

    [Fact]
    public void Crc32C_matches_the_standard_check_value()
    {
        Assert.Equal(0xE3069283u, TensorBoardEvents.Crc32C("123456789"u8));  // the CRC catalogue's check value
        var random = new byte[1000];
        new Random(3).NextBytes(random);
        Assert.Equal(SlowCrc32C(random), TensorBoardEvents.Crc32C(random));
    }

    [Fact]
    public void Events_carry_unix_seconds_steps_tags_and_values_in_valid_records()
    {
        var folder = TempFolder();
        double before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0 - 1;
        using (var tb = new TensorBoardEvents(folder))
        {
            tb.Scalar("d_loss", 1.25f, 50);
            tb.Scalar("g_loss", -3.5f, 3_000_000_000);  // steps beyond int32
        }
        double after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0 + 1;
        var file = Directory.GetFiles(folder).Single();
        Assert.Contains("tfevents", Path.GetFileName(file));

        var events = new List<(double Wall, long Step, string? Tag, float? Value)>();
        var bytes = File.ReadAllBytes(file);
        for (int at = 0; at < bytes.Length;)
        {
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(at));
            Assert.Equal(Masked(SlowCrc32C(bytes.AsSpan(at, 8))), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 8)));
            var data = bytes.AsSpan(at + 12, (int)length);
            Assert.Equal(Masked(SlowCrc32C(data)), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 12 + (int)length)));
            events.Add(DecodeEvent(data.ToArray()));
            at += 16 + (int)length;
        }
        Assert.Equal(3, events.Count);  // the file-version event, then the two scalars
        Assert.All(events, e => Assert.InRange(e.Wall, before, after));  // Unix seconds, every event, the first included
        Assert.Equal((50L, "d_loss", 1.25f), (events[1].Step, events[1].Tag, events[1].Value));
        Assert.Equal((3_000_000_000L, "g_loss", -3.5f), (events[2].Step, events[2].Tag, events[2].Value));
    }

    static uint Masked(uint crc) => ((crc >> 15) | (crc << 17)) + 0xa282ead8u;

    /// <summary>Decodes the Event fields the writer uses: wall_time (1), step (2), summary (5) → value (1) → tag (1), simple_value (2).</summary>
    static (double Wall, long Step, string? Tag, float? Value) DecodeEvent(byte[] e)
    {
        double wall = 0;
        long step = 0;
        string? tag = null;
        float? value = null;
        foreach (var (field, wire, raw, payload) in Fields(e))
        {
            if (field == 1 && wire == 1) wall = BitConverter.ToDouble(payload);
            else if (field == 2 && wire == 0) step = (long)raw;
            else if (field == 5)
                foreach (var (_, _, _, v) in Fields(payload))
                foreach (var (f, w, _, p) in Fields(v))
                {
                    if (f == 1) tag = Encoding.UTF8.GetString(p);
                    else if (f == 2 && w == 5) value = BitConverter.ToSingle(p);
                }
        }
        return (wall, step, tag, value);
    }

    static IEnumerable<(int Field, int Wire, ulong Raw, byte[] Payload)> Fields(byte[] message)
    {
        int at = 0;
        ulong Varint()
        {
            ulong v = 0;
            for (int shift = 0; ; shift += 7)
            {
                byte b = message[at++];
                v |= (ulong)(b & 0x7f) << shift;
                if (b < 0x80) return v;
            }
        }
        while (at < message.Length)
        {
            var key = Varint();
            int field = (int)(key >> 3), wire = (int)(key & 7);
            switch (wire)
            {
                case 0: yield return (field, wire, Varint(), []); break;
                case 1: yield return (field, wire, 0, message[at..(at += 8)]); break;
                case 5: yield return (field, wire, 0, message[at..(at += 4)]); break;
                case 2:
                    int n = (int)Varint();
                    yield return (field, wire, 0, message[at..(at += n)]);
                    break;
                default: throw new InvalidDataException($"wire type {wire}");
            }
        }
    }
}
