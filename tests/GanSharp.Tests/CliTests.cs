using System.Diagnostics;
using System.Text.Json;
using GanSharp.Data;
using GanSharp.Training;
using SkiaSharp;
using static GanSharp.Tests.TestSupport;

namespace GanSharp.Tests;

/// <summary>The `gan` command end to end (in process; the signal tests as a separate process), on the 500-digit fixture.</summary>
public class CliTests : TempFolders
{
    static Process Start(params string[] args) => GanProcess.Start(args);

    static GanSharp.Tests.Gan.Result Gan(params string[] args) => GanSharp.Tests.Gan.Run(args);

    /// <summary>A short run of the paper's model on the fixture: minibatches of 50, so 8 per epoch.</summary>
    static string[] TinyTrain(string outDir, long steps, int every = 6) =>
    [
        "train", "--dataset", MnistFixture, "--steps", steps.ToString(), "--batch", "50", "--threads", "1",
        "--log-every", "2", "--sample-every", every.ToString(), "--checkpoint-every", every.ToString(), "--out", outDir,
    ];

    static List<JsonElement> Metrics(string run) =>
        File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();

    static void AssertOneLineError(GanSharp.Tests.Gan.Result r, int code, string contains) => GanSharp.Tests.Gan.AssertOneLineError(r, code, contains);

    [Fact]
    public void Train_writes_a_complete_run_directory_and_sample_reads_it()
    {
        var run = Path.Combine(TempFolder(), "run");
        var r = Gan(TinyTrain(run, 12));
        Assert.True(r.Code == 0, r.Err);
        Assert.Matches(@"step 12/12  100%  ETA 0s  d_loss [0-9.]+  g_loss [0-9.]+  d_real [0-9.]+  d_fake [0-9.]+  [0-9,]+ img/s  epoch 1\.50  elapsed ", r.Out);  // a line per logged step when piped

        var config = new RunDirectory(run).ReadConfig();
        Assert.Equal(12, config.Train.Steps);
        Assert.Equal(28, config.Model.Height);
        Assert.Equal(1, config.Train.Threads);
        Assert.Equal(TorchSharp.torch.cuda.is_available() ? "cuda:0" : "cpu", config.Train.Device);  // "auto", resolved and recorded

        var rows = Metrics(run);
        Assert.Equal([2L, 4, 6, 8, 10, 12], rows.Select(m => m.GetProperty("step").GetInt64()));
        foreach (var key in new[] { "epoch", "d_loss", "g_loss", "d_real", "d_fake", "lr", "momentum", "images_per_s" })
            Assert.All(rows, m => Assert.True(double.IsFinite(m.GetProperty(key).GetDouble()), key));
        Assert.Equal(12 * 50 / 8.0 / 50, rows[^1].GetProperty("epoch").GetDouble(), 3);

        foreach (var name in new[] { "step-0000000.png", "step-0000006.png", "step-0000012.png", "last.png" })
        {
            using var bitmap = SKBitmap.Decode(Path.Combine(run, "samples", name));
            Assert.Equal(10 * 30 + 2, bitmap.Width);  // a 10×10 grid of 28-pixel digits with 2-pixel gaps
        }
        Assert.Equal(12, Checkpoint.Read(Path.Combine(run, "checkpoints", "last.ckpt")).Step);
        Assert.Equal(6, Checkpoint.Read(Path.Combine(run, "checkpoints", "step-0000006.ckpt")).Step);
        var events = File.ReadAllBytes(Directory.GetFiles(Path.Combine(run, "tb")).Single());
        Assert.Equal(0x09, events[12]);  // the first event's first field: wall_time, a double …
        double wall = BitConverter.ToDouble(events, 13), now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Assert.InRange(wall, now - 3600, now + 60);  // … in Unix seconds (TorchSharp's writer wrote .NET ticks here)

        var npy = Path.Combine(run, "s.npy");
        Assert.Equal(0, Gan("sample", "--run", run, "--count", "10", "--out", npy).Code);
        using (var samples = SampleFiles.Read(npy)) Assert.Equal([10L, 1, 28, 28], samples.shape);
        var idx = Path.Combine(run, "s-idx3-ubyte");
        Assert.Equal(0, Gan("sample", "--run", run, "--count", "7", "--format", "idx", "--out", idx).Code);
        Assert.Equal([7, 28, 28], Idx.Read(idx).Shape);
        var png = Path.Combine(run, "s.png");
        Assert.Equal(0, Gan("sample", "--checkpoint", Path.Combine(run, "checkpoints", "step-0000006.ckpt"), "--count", "16", "--out", png).Code);
        using (var bitmap = SKBitmap.Decode(png)) Assert.Equal(4 * 30 + 2, bitmap.Width);
    }

    [Fact]
    public void A_resumed_run_matches_an_uninterrupted_one_step_for_step()
    {
        var straight = Path.Combine(TempFolder(), "straight");
        Assert.Equal(0, Gan(TinyTrain(straight, 14)).Code);
        var resumed = Path.Combine(TempFolder(), "resumed");
        Assert.Equal(0, Gan(TinyTrain(resumed, 6)).Code);
        var r = Gan("train", "--resume", resumed, "--steps", "14");
        Assert.True(r.Code == 0, r.Err);

        string[] keys = ["step", "d_loss", "g_loss", "d_real", "d_fake", "lr", "momentum"];
        string Key(JsonElement m) => string.Join(",", keys.Select(k => m.GetProperty(k).GetRawText()));
        Assert.Equal(Metrics(straight).Select(Key), Metrics(resumed).Select(Key));
        var a = Checkpoint.Read(Path.Combine(straight, "checkpoints", "last.ckpt"));
        var b = Checkpoint.Read(Path.Combine(resumed, "checkpoints", "last.ckpt"));
        Assert.Equal(a.Section(Checkpoint.GeneratorSection), b.Section(Checkpoint.GeneratorSection));
        Assert.Equal(a.Section(Checkpoint.DiscriminatorSection), b.Section(Checkpoint.DiscriminatorSection));
    }

    [Theory]
    [InlineData(2)]   // SIGINT, what Ctrl-C sends
    [InlineData(15)]  // SIGTERM, what service managers send
    public void Interrupting_saves_a_checkpoint_and_exits_cleanly(int signal)
    {
        // A process started with SIGINT ignored (a background job of a non-interactive shell) passes that on to its
        // children, and .NET honours it: then only SIGTERM can be checked.
        if (signal == 2 && SignalIgnoredHere(2)) signal = 15;
        InterruptAndResume(signal);
    }

    static bool SignalIgnoredHere(int signal)
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:"));
        return line is not null && (Convert.ToUInt64(line[7..].Trim(), 16) & (1UL << (signal - 1))) != 0;
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    static extern int kill(int pid, int signal);

    void InterruptAndResume(int signal)
    {
        var run = Path.Combine(TempFolder(), "run");
        using var p = Start(TinyTrain(run, 100_000, every: 1_000_000));
        try
        {
            InterruptAndCheck(p, run, signal);
        }
        finally
        {
            if (!p.HasExited) p.Kill();
        }
    }

    static void InterruptAndCheck(Process p, string run, int signal)
    {
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEndAsync();
        var metrics = Path.Combine(run, "metrics.jsonl");
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (!(File.Exists(metrics) && File.ReadAllLines(metrics).Length >= 2) && DateTime.UtcNow < deadline && !p.HasExited)
            Thread.Sleep(50);
        if (p.HasExited) Assert.Fail($"gan exited early: {err.Result}");
        Assert.Equal(0, kill(p.Id, signal));
        Assert.True(p.WaitForExit(TimeSpan.FromMinutes(1)));
        Assert.Equal(130, p.ExitCode);
        Assert.Contains("checkpoint saved", err.Result);
        Assert.DoesNotContain("   at ", err.Result);
        var step = Checkpoint.Read(Path.Combine(run, "checkpoints", "last.ckpt")).Step;
        Assert.True(step >= 4);
        Assert.Equal(0, Gan("train", "--resume", run, "--steps", (step + 2).ToString()).Code);
        Assert.Equal(step + 2, Checkpoint.Read(Path.Combine(run, "checkpoints", "last.ckpt")).Step);
    }

    [Theory]
    [InlineData("--k", "0", "--k must be a positive whole number (got 0)")]
    [InlineData("--batch", "-5", "--batch must be a positive whole number (got -5)")]
    [InlineData("--g-loss", "bogus", "bogus")]
    [InlineData("--epochs", "many", "many")]
    [InlineData("--frobnicate", "3", "--frobnicate")]
    [InlineData("--device", "tpu", "device must be cpu, cuda, cuda:N or auto, not 'tpu'")]
    public void Bad_flags_get_a_one_line_error_and_exit_2_and_leave_nothing(string flag, string value, string message)
    {
        var run = Path.Combine(TempFolder(), "run");
        AssertOneLineError(Gan("train", "--dataset", MnistFixture, "--steps", "2", "--out", run, flag, value), 2, message);
        Assert.False(Directory.Exists(run));
    }

    [Fact]
    public void A_malformed_data_file_gets_a_one_line_error()
    {
        var data = TempFolder();
        File.WriteAllBytes(Path.Combine(data, "train-images-idx3-ubyte"), [0, 0, 8, 3, 0, 0, 0x27, 0x10, 0, 0, 0, 28, 0, 0, 0, 28, 1, 2, 3]);
        var run = Path.Combine(TempFolder(), "run");
        AssertOneLineError(Gan("train", "--dataset", data, "--steps", "2", "--out", run), 2, "train-images-idx3-ubyte: IDX header claims 10000×28×28");
        Assert.False(Directory.Exists(run));
    }

    [Fact]
    public void Bad_configuration_files_and_unknown_names_get_one_line_errors()
    {
        var folder = TempFolder();
        var config = Path.Combine(folder, "c.json");
        File.WriteAllText(config, """{ "train": { "bacth": 10 } }""");
        AssertOneLineError(Gan("train", "--config", config, "--dataset", MnistFixture), 2, "bacth");
        File.WriteAllText(config, """{ "train": { "batch": "ten" } }""");
        AssertOneLineError(Gan("train", "--config", config, "--dataset", MnistFixture), 2, "c.json");
        AssertOneLineError(Gan("train", "--preset", "nope"), 2, "unknown preset 'nope'");
        AssertOneLineError(Gan("train", "--dataset", "no-such-dataset"), 2, "unknown dataset 'no-such-dataset'");
        AssertOneLineError(Gan("sample", "--run", Path.Combine(folder, "none"), "--count", "3", "--out", Path.Combine(folder, "x.png")), 2, "checkpoint not found");
        AssertOneLineError(Gan("data", "fetch", "imagenet"), 2, "unknown dataset 'imagenet'");
    }

    [Fact]
    public void Bench_measures_and_writes_json()
    {
        var json = Path.Combine(TempFolder(), "bench.json");
        var r = Gan("bench", "--threads", "1", "--steps", "3", "--warmup", "1", "--parzen-size", "200", "--samples", "50", "--json", json);
        Assert.True(r.Code == 0, r.Err);
        var row = JsonDocument.Parse(File.ReadAllText(json)).RootElement.GetProperty("rows")[0];
        foreach (var key in new[] { "gemm_gflops", "train_images_per_second", "train_gflops", "sample_images_per_second", "parzen_seconds" })
            Assert.True(row.GetProperty(key).GetDouble() > 0, key);
        Assert.Equal(row.GetProperty("train_gflops").GetDouble() / row.GetProperty("gemm_gflops").GetDouble(),
                     row.GetProperty("train_share_of_gemm").GetDouble(), 9);
        AssertOneLineError(Gan("bench", "--threads", "two"), 2, "--threads");
        AssertOneLineError(Gan("bench", "--rss-check", "10"), 2, "at least 3,000");
    }

    [Fact]
    public void Ema_keeps_an_average_that_sampling_uses_and_says_so()
    {
        var run = Path.Combine(TempFolder(), "run");
        var r = Gan([.. TinyTrain(run, 6), "--ema"]);
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("moving average of G (β = 0.999)", r.Out);
        Assert.Equal(0.999, new RunDirectory(run).ReadConfig().Ema!.Beta);
        Assert.True(Checkpoint.Read(Path.Combine(run, "checkpoints", "last.ckpt")).HasEma);
        var sample = Gan("sample", "--run", run, "--count", "4", "--out", Path.Combine(run, "s.png"));
        Assert.True(sample.Code == 0, sample.Err);
        Assert.Contains("the moving average of G's weights (β = 0.999)", sample.Out);
        var parzen = Gan("eval", "parzen", "--run", run, "--count", "100", "--sigma", "0.2");
        Assert.True(parzen.Code == 0, parzen.Err);
        using (var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "eval", "parzen-step-0000006.json"))))
            Assert.Equal("moving-average", json.RootElement.GetProperty("generator_weights").GetString());
        AssertOneLineError(Gan("train", "--resume", run, "--ema"), 2, "--ema cannot be combined with --resume");
    }

    [Fact]
    public void Data_list_into_a_pipe_keeps_every_path_whole()
    {
        var dataDir = Path.Combine(TempFolder(), "a-rather-long-folder-name-for-the-dataset-cache-that-would-wrap-at-eighty-columns");
        var r = Gan("data", "list", "--data-dir", dataDir);
        Assert.True(r.Code == 0, r.Err);
        foreach (var name in new[] { "mnist", "fashion-mnist", "emoji-twitter", "emoji-google" })
            Assert.Contains(Path.Combine(dataDir, name), r.Out);  // on one line, not broken mid-word
    }

    [Fact]
    public void Resuming_on_data_whose_images_changed_shape_is_refused_in_one_line()
    {
        var data = TempFolder();
        foreach (var f in Directory.GetFiles(MnistFixture)) File.Copy(f, Path.Combine(data, Path.GetFileName(f)));
        var run = Path.Combine(TempFolder(), "run");
        Assert.Equal(0, Gan("train", "--dataset", data, "--steps", "2", "--batch", "50", "--threads", "1", "--out", run).Code);
        foreach (var f in Directory.GetFiles(data)) File.Delete(f);
        Idx.Write(Path.Combine(data, "train-images-idx3-ubyte"), new IdxArray([100, 14, 14], new byte[100 * 14 * 14]));
        AssertOneLineError(Gan("train", "--resume", run, "--steps", "4"), 2, "images are 1×14×14 but the run");
        Assert.Equal(2, Checkpoint.Read(Path.Combine(run, "checkpoints", "last.ckpt")).Step);
    }

    [Fact]
    public void An_existing_run_is_never_overwritten()
    {
        var run = Path.Combine(TempFolder(), "run");
        Assert.Equal(0, Gan(TinyTrain(run, 2)).Code);
        var before = File.ReadAllBytes(Path.Combine(run, "checkpoints", "last.ckpt"));
        AssertOneLineError(Gan(TinyTrain(run, 4)), 2, "already holds a run");
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(run, "checkpoints", "last.ckpt")));
        AssertOneLineError(Gan("train", "--resume", run, "--k", "3"), 2, "--k cannot be combined with --resume");
        AssertOneLineError(Gan("train", "--resume", run, "--device", "cpu"), 2, "--device cannot be combined with --resume");
    }

    [Fact]
    public void Eval_parzen_scores_exported_real_images_and_a_runs_generator()
    {
        var folder = TempFolder();
        var real = Path.Combine(folder, "real-idx3-ubyte");
        var r = Gan("data", "export", MnistFixture, "--split", "train", "--count", "300", "--out", real);
        Assert.True(r.Code == 0, r.Err);
        Assert.Equal([300, 28, 28], Idx.Read(real).Shape);

        var json = Path.Combine(folder, "parzen.json");
        r = Gan("eval", "parzen", "--samples", real, "--dataset", MnistFixture, "--validation-images", "50", "--json", json);
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("Parzen log-likelihood of mnist-500/test (100 images):", r.Out);
        var result = JsonDocument.Parse(File.ReadAllText(json)).RootElement;
        // The same numbers from the library, on the same images (the file round-trips bytes exactly).
        using (var data = DatasetLoader.Load(MnistFixture))
        using (var samples = SampleFiles.Read(real))
        {
            var expected = GanSharp.Evaluation.ParzenWindow.Evaluate(samples, data.Validation.Images, data.Test!.Images,
                new GanSharp.Evaluation.ParzenProtocol { ValidationImages = 50 });
            Assert.Equal(expected.LogLikelihood, result.GetProperty("log_likelihood").GetDouble(), 6);
            Assert.Equal(expected.Sigma, result.GetProperty("sigma").GetDouble(), 12);
        }
        Assert.Equal(10, result.GetProperty("sigma_search").GetArrayLength());
        Assert.Equal(300, result.GetProperty("samples").GetInt64());

        var run = Path.Combine(folder, "run");
        Assert.Equal(0, Gan(TinyTrain(run, 4)).Code);
        r = Gan("eval", "parzen", "--run", run, "--count", "200", "--sigma", "0.2");
        Assert.True(r.Code == 0, r.Err);
        var fromRun = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "eval", "parzen-step-0000004.json"))).RootElement;
        Assert.Equal(0.2, fromRun.GetProperty("sigma").GetDouble());
        Assert.Equal(4, fromRun.GetProperty("step").GetInt64());
        Assert.Equal(0, fromRun.GetProperty("sigma_search").GetArrayLength());

        r = Gan("figure", "samples", "--run", run, "--rows", "3", "--columns", "4");
        Assert.True(r.Code == 0, r.Err);
        using (var bitmap = SKBitmap.Decode(Path.Combine(run, "eval", "figure2-samples-step-0000004.png")))
            Assert.Equal((5 * 58 + 2, 3 * 58 + 2), (bitmap.Width, bitmap.Height));  // 4 samples + the neighbour, 56-pixel cells
        var interpolation = Path.Combine(folder, "interp.png");
        r = Gan("figure", "interpolate", "--checkpoint", Path.Combine(run, "checkpoints", "last.ckpt"), "--rows", "2", "--frames", "6", "--scale", "1", "--out", interpolation);
        Assert.True(r.Code == 0, r.Err);
        using (var bitmap = SKBitmap.Decode(interpolation)) Assert.Equal((6 * 30 + 2, 2 * 30 + 2), (bitmap.Width, bitmap.Height));
        AssertOneLineError(Gan("figure", "interpolate", "--run", run, "--frames", "1"), 2, "--frames must be at least 2");

        AssertOneLineError(Gan("eval", "parzen", "--samples", real), 2, "--samples needs --dataset");
        AssertOneLineError(Gan("eval", "parzen", "--samples", real, "--run", run), 2, "cannot be combined");
        AssertOneLineError(Gan("eval", "parzen", "--dataset", MnistFixture), 2, "say what to evaluate");
        AssertOneLineError(Gan("eval", "parzen", "--run", run, "--sigma", "-1"), 2, "--sigma must be a positive number");
        var npy = Path.Combine(folder, "wrong.npy");
        File.WriteAllBytes(npy, [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, 70, 0,
            .. System.Text.Encoding.ASCII.GetBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2, 2), }".PadRight(69) + "\n"),
            .. new byte[16]]);
        AssertOneLineError(Gan("eval", "parzen", "--samples", npy, "--dataset", MnistFixture), 2, "samples are 1×2×2 images but the dataset's are 1×28×28");
        AssertOneLineError(Gan("data", "export", MnistFixture, "--split", "test", "--start", "90", "--count", "20", "--out", npy), 2, "outside it");
    }

    [Fact]
    public void Eval_every_logs_parzen_rows_and_keeps_the_best_checkpoint_across_a_resume()
    {
        var run = Path.Combine(TempFolder(), "run");
        var r = Gan([.. TinyTrain(run, 4), "--eval-every", "2"]);
        Assert.True(r.Code == 0, r.Err);
        Assert.True(Gan("train", "--resume", run, "--steps", "8").Code == 0);
        var evals = Metrics(run).Where(m => m.TryGetProperty("parzen_test", out _)).ToList();
        Assert.Equal([0L, 2, 4, 6, 8], evals.Select(m => m.GetProperty("step").GetInt64()));
        foreach (var key in new[] { "parzen_test_se", "parzen_sigma", "parzen_valid", "eval_s", "epoch" })
            Assert.All(evals, m => Assert.True(double.IsFinite(m.GetProperty(key).GetDouble()), key));
        // best.ckpt is the evaluation with the highest validation log-likelihood, the test set never choosing it.
        var best = evals.MaxBy(m => m.GetProperty("parzen_valid").GetDouble()).GetProperty("step").GetInt64();
        Assert.Equal(best, Checkpoint.Read(Path.Combine(run, "checkpoints", "best.ckpt")).Step);
        var training = Metrics(run).Where(m => m.TryGetProperty("d_loss", out _)).ToList();
        Assert.All(training, m => Assert.False(m.TryGetProperty("parzen_test", out _)));

        r = Gan("figure", "metric", "--run", run, "--metric", "parzen_test", "--reference", "225:paper");
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("5 values of parzen_test", r.Out);
        using (var plot = SKBitmap.Decode(Path.Combine(run, "eval", "parzen_test-curve.png"))) Assert.Equal(720, plot.Width);
        AssertOneLineError(Gan("figure", "metric", "--run", run, "--metric", "fid_valid"), 2, "has no 'fid_valid' values");

        var other = Path.Combine(TempFolder(), "run");
        AssertOneLineError(Gan([.. TinyTrain(other, 4), "--eval-every", "2", "--eval", "fid-ish"]), 2, "unknown evaluation 'fid-ish'");
        Assert.False(Directory.Exists(other));
    }

    [Fact]
    public void Eval_features_and_the_truncation_sweep_report_against_real_images()
    {
        var run = Path.Combine(TempFolder(), "run");
        Assert.Equal(0, Gan(TinyTrain(run, 4)).Code);
        var r = Gan("eval", "features", "--run", run, "--count", "200");
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("not comparable with Inception-based numbers", r.Out);
        var result = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "eval", "features-step-0000004.json"))).RootElement;
        var model = result.GetProperty("model");
        var real = result.GetProperty("real_reference");
        // Four iterations in, the generator draws blurred averages: far from the digits that real images are close to.
        Assert.True(model.GetProperty("frechet").GetDouble() > 3 * real.GetProperty("frechet").GetDouble());
        Assert.True(real.GetProperty("precision").GetDouble() > model.GetProperty("precision").GetDouble());
        Assert.Equal(83, result.GetProperty("real_reference_images").GetInt64());   // all of the fixture's validation images
        Assert.InRange(result.GetProperty("classifier").GetProperty("test_accuracy").GetDouble(), 0.5, 1);

        r = Gan("eval", "truncation", "--run", run, "--count", "100", "--values", "0.2,1");
        Assert.True(r.Code == 0, r.Err);
        var sweep = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "eval", "truncation-step-0000004.json"))).RootElement;
        Assert.Equal([0.2, 1.0], sweep.GetProperty("points").EnumerateArray().Select(pt => pt.GetProperty("truncation").GetDouble()));
        using (var plot = SKBitmap.Decode(Path.Combine(run, "eval", "truncation-step-0000004.png"))) Assert.Equal(720, plot.Width);

        var png = Path.Combine(run, "t.png");
        Assert.Equal(0, Gan("sample", "--run", run, "--count", "4", "--truncation", "0.3", "--out", png).Code);
        AssertOneLineError(Gan("sample", "--run", run, "--count", "4", "--truncation", "3", "--out", png), 2, "must lie in (0, 1]");
        AssertOneLineError(Gan("eval", "truncation", "--run", run, "--values", "0.5,x"), 2, "--values takes comma-separated numbers");
    }

    [Fact]
    public void Toy_commands_write_their_figures_and_json()
    {
        var folder = Path.Combine(TempFolder(), "toy");
        var r = Gan("toy", "1d", "--steps", "40", "--data", "0.5*N(0, 0.5) + 0.5*N(3, 0.5)", "--noise", "gaussian", "--out", folder);
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("1-D non-saturating, k = 3", r.Out);  // the 1-D defaults
        foreach (var name in new[] { "figure1.png", "saturation.png", "figure1.json" }) Assert.True(File.Exists(Path.Combine(folder, name)), name);
        var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "figure1.json"))).RootElement;
        Assert.Equal(4, json.GetProperty("snapshots").GetArrayLength());
        Assert.Equal(-Math.Log(4), json.GetProperty("optimal_value").GetDouble(), 12);
        Assert.Equal("0.5*N(0, 0.5) + 0.5*N(3, 0.5)", json.GetProperty("data").GetString());
        // The grid follows the data: its bulk [−2, 5] widened by half its width.
        Assert.Equal(-5.5, json.GetProperty("snapshots")[0].GetProperty("x")[0].GetDouble(), 9);
        Assert.Equal(401, json.GetProperty("snapshots")[0].GetProperty("p_g").GetArrayLength());
        AssertOneLineError(Gan("toy", "grid", "--steps", "40", "--out", folder), 2, "exists and is not empty");  // never over earlier results
        var gridFolder = Path.Combine(TempFolder(), "grid");
        r = Gan("toy", "grid", "--steps", "40", "--g-loss", "minimax", "--k", "2", "--out", gridFolder);
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("grid minimax, k = 2", r.Out);
        Assert.True(File.Exists(Path.Combine(gridFolder, "grid.png")));
        AssertOneLineError(Gan("toy", "ring", "--k", "0", "--out", Path.Combine(TempFolder(), "ring")), 2, "--k must be at least 1");
        var fresh = Path.Combine(TempFolder(), "toy-bad");
        AssertOneLineError(Gan("toy", "1d", "--data", "N(2, -1)", "--out", fresh), 2, "--data: the standard deviation in 'N(2, -1)' must be positive");
        Assert.False(Directory.Exists(fresh));
        AssertOneLineError(Gan("toy", "1d", "--lr", "0", "--out", fresh), 2, "--lr must be in (0, 1)");
    }

    [Fact]
    public void A_dcgan_trains_on_a_folder_of_colour_images_and_samples_in_colour()
    {
        var folder = Path.Combine(TempFolder(), "pictures");
        for (int i = 0; i < 96; i++)   // 8 held out for test, more for validation: feature metrics need 6 a side
        {
            Directory.CreateDirectory(Path.Combine(folder, i % 2 == 0 ? "warm" : "cold"));
            using var bitmap = new SKBitmap(40, 40);
            bitmap.Erase(i % 2 == 0 ? new SKColor(250, (byte)(i * 2), 0) : new SKColor(0, (byte)(i * 2), 250));
            using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(Path.Combine(folder, i % 2 == 0 ? "warm" : "cold", $"{i}.png"), png.ToArray());
        }
        File.WriteAllText(Path.Combine(folder, "warm", "readme.txt"), "not an image");
        var run = Path.Combine(TempFolder(), "run");
        var r = Gan("train", "--preset", "dcgan-mnist", "--dataset", folder, "--image-size", "32", "--steps", "3", "--batch", "4",
                    "--threads", "1", "--no-tensorboard", "--out", run);
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("1 skipped: readme.txt (not an image)", r.Err);
        var config = new RunDirectory(run).ReadConfig();
        Assert.Equal((3, 32, 32), (config.Model.Channels, config.Model.Height, config.Model.Width));
        Assert.Equal(32, config.Images.ImageSize);

        var png2 = Path.Combine(TempFolder(), "colour.png");
        Assert.Equal(0, Gan("sample", "--run", run, "--count", "4", "--out", png2).Code);
        using (var bitmap = SKBitmap.Decode(png2)) Assert.Equal(2 * 34 + 2, bitmap.Width);
        var npy = Path.Combine(TempFolder(), "colour.npy");
        Assert.Equal(0, Gan("sample", "--run", run, "--count", "5", "--format", "npy", "--out", npy).Code);
        using (var samples = SampleFiles.Read(npy)) Assert.Equal([5L, 3, 32, 32], samples.shape);

        // Resuming reads the folder again, prepared as the run's config says.
        Assert.Equal(0, Gan("train", "--resume", run, "--steps", "4").Code);
        Assert.Equal(4, Checkpoint.Read(Path.Combine(run, "checkpoints", "last.ckpt")).Step);

        // Colour samples in the ImageNet ResNet-18's features: the features table without a classifier score, as JSON in eval/.
        var resnet = Gan("eval", "resnet18", "--run", run, "--count", "6");
        Assert.True(resnet.Code == 0, resnet.Err);
        Assert.Contains("ImageNet ResNet-18", resnet.Out);
        Assert.DoesNotContain("classifier score", resnet.Out);
        using (var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "eval", "resnet18-step-0000004.json"))))
        {
            Assert.Equal("resnet18", json.RootElement.GetProperty("metric").GetString());
            Assert.Equal(6, json.RootElement.GetProperty("model").GetProperty("images").GetInt64());
            Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("model").GetProperty("classifier_score").ValueKind);
            Assert.True(json.RootElement.GetProperty("model").GetProperty("frechet").GetDouble() > 0);
        }
        AssertOneLineError(Gan("eval", "resnet18", "--run", run, "--count", "5"), 2, "--count must be at least 6");

        // Both feature spaces label the two kinds of picture (warm, cold) by the nearest training image: colour alone tells them apart.
        var spacesJson = Path.Combine(TempFolder(), "spaces.json");
        var spaces = Gan("eval", "feature-spaces", folder, "--image-size", "32", "--json", spacesJson);
        Assert.True(spaces.Code == 0, spaces.Err);
        using (var json = JsonDocument.Parse(File.ReadAllText(spacesJson)))
        {
            var rows = json.RootElement.GetProperty("spaces").EnumerateArray().ToList();
            Assert.Equal(["classifier", "resnet18"], rows.Select(r => r.GetProperty("space").GetString()));
            Assert.All(rows, r => Assert.Equal(1.0, r.GetProperty("nearest_neighbour_accuracy").GetDouble()));
            Assert.Equal(JsonValueKind.Null, rows[1].GetProperty("classifier_accuracy").ValueKind);
        }
        var unlabelled = Path.Combine(TempFolder(), "flat");
        Directory.CreateDirectory(unlabelled);
        foreach (var file in Directory.GetFiles(Path.Combine(folder, "warm"), "*.png")) File.Copy(file, Path.Combine(unlabelled, Path.GetFileName(file)));
        AssertOneLineError(Gan("eval", "feature-spaces", unlabelled), 2, "no labels");
    }

    [Fact]
    public void Bad_image_data_or_sizes_are_one_line_errors_and_leave_nothing_behind()
    {
        var empty = Path.Combine(TempFolder(), "texts");
        Directory.CreateDirectory(empty);
        File.WriteAllText(Path.Combine(empty, "a.txt"), "x");
        var run = Path.Combine(TempFolder(), "never");
        AssertOneLineError(Gan("train", "--dataset", empty, "--out", run), 2, "none of its 1 files is a readable PNG or JPEG image");
        Assert.False(Directory.Exists(run));
        AssertOneLineError(Gan("train", "--preset", "dcgan-mnist", "--dataset", MnistFixture, "--image-size", "32", "--out", run), 2,
                           "resizing them to 32 is not supported");
        var pictures = Path.Combine(TempFolder(), "pictures");
        Directory.CreateDirectory(pictures);
        for (int i = 0; i < 10; i++)
        {
            using var bitmap = new SKBitmap(8, 8);
            using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(Path.Combine(pictures, $"{i}.png"), png.ToArray());
        }
        AssertOneLineError(Gan("train", "--preset", "dcgan-mnist", "--dataset", pictures, "--image-size", "40", "--out", run), 2,
                           "built for square images of 28, 32, 64 pixels, not 40×40");
        Assert.False(Directory.Exists(run));
        AssertOneLineError(Gan("train", "--g-loss", "bogus", "--out", run), 2, "bogus");
        AssertOneLineError(Gan("train", "--update", "simultaneous", "--k", "2", "--out", run), 2, "--k sets Algorithm 1");
    }
}
