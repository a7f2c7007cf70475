using System.Text.Json;
using GanSharp.Configuration;
using GanSharp.Imaging;
using static GanSharp.Tests.TestSupport;
using static TorchSharp.torch;

namespace GanSharp.Tests;

/// <summary>Colour images for the emoji presets: 48 random 32×32 PNGs in a folder, made once.</summary>
public sealed class ColourImagesFixture
{
    public string Folder { get; } = Path.Combine(TempFolder(), "colour");

    public ColourImagesFixture()
    {
        Directory.CreateDirectory(Folder);
        using var rng = new TorchSharp.torch.Generator(11);
        using var images = rand([48, 3, 32, 32], generator: rng);
        foreach (var label in new[] { "hearts", "stars" }) Directory.CreateDirectory(Path.Combine(Folder, label));  // two classes
        for (int i = 0; i < 48; i++)
        {
            using var one = images[i].unsqueeze(0);
            ImageGrid.SavePng(one, Path.Combine(Folder, i % 2 == 0 ? "hearts" : "stars", $"image-{i:D2}.png"), padding: 0);
        }
    }
}

/// <summary>The grey presets of <see cref="PresetCommands"/> (a class of their own: xunit runs the two classes side by side).</summary>
public class PresetCommandTests(ColourImagesFixture colour) : PresetCommands(colour), IClassFixture<ColourImagesFixture>
{
    /// <summary>The grey presets (<see cref="PresetCommands.Distinct"/>).</summary>
    public static TheoryData<string> Names => [.. Distinct(rgb: false)];

    [Theory]
    [MemberData(nameof(Names))]
    public void Every_grey_preset_trains_resumes_exactly_samples_and_evaluates_from_one_command(string preset) => Check(preset);
}

/// <summary>The colour presets of <see cref="PresetCommands"/>.</summary>
public class ColourPresetCommandTests(ColourImagesFixture colour) : PresetCommands(colour), IClassFixture<ColourImagesFixture>
{
    /// <summary>The colour presets (<see cref="PresetCommands.Distinct"/>).</summary>
    public static TheoryData<string> Names => [.. Distinct(rgb: true)];

    [Theory]
    [MemberData(nameof(Names))]
    public void Every_colour_preset_trains_resumes_exactly_samples_and_evaluates_from_one_command(string preset) => Check(preset);
}

/// <summary>
/// Every preset, as a user meets it, from the command line with its own nets: trains, resumes exactly (the losses of
/// a run stopped and resumed equal a straight run's, row for row), samples and evaluates. Short runs on small data,
/// with sample grids of 16 images (the presets' 100 would be most of the time here).
/// </summary>
public abstract class PresetCommands(ColourImagesFixture colour) : TempFolders
{
    /// <summary>
    /// One preset of each configuration that differs here, grey or colour: presets that differ only in their dataset's
    /// name (the MNIST and Fashion-MNIST twins) train on the same fixture in this test, so one of them stands for both.
    /// </summary>
    protected static IEnumerable<string> Distinct(bool rgb) => Presets.All
        .Where(p => p.Config.Data is not CaptionedConfig)   // images from text need captioned emoji, not these fixtures (StackGanTests plays the game)
        .Where(p => (Prepared(p.Config).Color == ColorMode.Rgb) == rgb)
        .GroupBy(p => (p.Config with { Preset = "", Data = p.Config.Data is DataConfig d ? d with { Dataset = "" } : p.Config.Data }).ToJson())
        .Select(g => g.First().Name);

    /// <summary>How a preset prepares its images (two domains: domain X's, which domain Y's must equal).</summary>
    static DataConfig Prepared(GanConfig config) => config.Data as DataConfig ?? ((TwoDomainsConfig)config.Data).X;

    static IEnumerable<string> Rows(string run) => File.ReadLines(Path.Combine(run, "metrics.jsonl")).Select(line =>
        string.Join(", ", JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(line)!
                                        .Where(p => !p.Key.EndsWith("_s")).Select(p => $"{p.Key}={p.Value}")));

    /// <summary>Trains, resumes, samples and evaluates <paramref name="preset"/> through the command line.</summary>
    protected void Check(string preset)
    {
        var root = TempFolder();
        string a = Path.Combine(root, "a"), b = Path.Combine(root, "b");
        var config = Presets.Get(preset);
        var data = Prepared(config).Color == ColorMode.Rgb ? colour.Folder : MnistFixture;
        var small = Path.Combine(root, "small.json");
        File.WriteAllText(small, """{ "output": { "sample-count": 16 } }""");
        string[] dataFlags = config.Data is TwoDomainsConfig   // two domains: the colour fixture's two folders
            ? ["--dataset-x", Path.Combine(data, "hearts"), "--dataset-y", Path.Combine(data, "stars")] : ["--dataset", data];
        var batch = Math.Min(8, config.Train.Batch);                       // a preset of minibatches of one (CycleGAN) keeps its own
        string[] common = ["--preset", preset, "--config", small, .. dataFlags, "--batch", $"{batch}", "--threads", "1", "--log-every", "1", "--no-tensorboard"];

        var straight = Gan.Run(["train", .. common, "--steps", "3", "--out", b]);
        Assert.True(straight.Code == 0, straight.Err);
        var first = Gan.Run(["train", .. common, "--steps", "2", "--out", a]);
        Assert.True(first.Code == 0, first.Err);
        var resumed = Gan.Run("train", "--resume", a, "--steps", "3");
        Assert.True(resumed.Code == 0, resumed.Err);
        // A preset that evaluates does so at the end of every run: the first run's own last evaluation (step 2) is a row
        // the straight run has not; every other row must be the same.
        Assert.Equal(Rows(b), Rows(a).Where(r => !(r.StartsWith("step=2,", StringComparison.Ordinal) && !r.Contains("d_loss", StringComparison.Ordinal))));

        if (!config.Model.DrawsFromNoise)
        {
            Gan.AssertOneLineError(Gan.Run("sample", "--run", a, "--count", "4", "--out", Path.Combine(root, "s.png")), 2, "samples from noise");
            Assert.False(File.Exists(Path.Combine(root, "s.png")));
            return;
        }
        var sample = Gan.Run("sample", "--run", a, "--count", "4", "--out", Path.Combine(root, "s.png"));
        Assert.True(sample.Code == 0, sample.Err);
        Assert.True(File.Exists(Path.Combine(root, "s.png")));
        if (config.Model.Conditional)
        {
            // A class by name (the fixture's: digits 0–9, or the colour folder's two subfolders), and the class rows.
            var name = Prepared(config).Color == ColorMode.Rgb ? "Stars" : "7";
            var byClass = Gan.Run("sample", "--run", a, "--count", "3", "--class", name, "--out", Path.Combine(root, "c.png"));
            Assert.True(byClass.Code == 0, byClass.Err);
            Assert.Contains("of class", byClass.Out);
            var rows = Gan.Run("figure", "classes", "--run", a, "--columns", "2", "--out", Path.Combine(root, "rows.png"));
            Assert.True(rows.Code == 0, rows.Err);
            Assert.True(File.Exists(Path.Combine(root, "rows.png")));
        }
        if (config.Model.Conditioning == Conditioning.Classifier)
        {
            var classify = Gan.Run("eval", "classify", "--run", a, "--json", Path.Combine(root, "e.json"));
            Assert.True(classify.Code == 0, classify.Err);
            Assert.Contains("test error", classify.Out);
        }
        var eval = Gan.Run("eval", "parzen", "--run", a, "--count", "20", "--validation-images", "5", "--json", Path.Combine(root, "p.json"));
        Assert.True(eval.Code == 0, eval.Err);
        using var result = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "p.json")));
        Assert.True(double.IsFinite(result.RootElement.GetProperty("log_likelihood").GetDouble()), result.RootElement.ToString());
    }
}
