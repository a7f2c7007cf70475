using static GanSharp.Tests.TestSupport;

namespace GanSharp.Tests;

/// <summary>A translation run from the command line: gan translate, gan figure translation, and the inputs they refuse.</summary>
public class TranslationCommandTests(ColourImagesFixture colour) : IClassFixture<ColourImagesFixture>
{
    string Hearts => Path.Combine(colour.Folder, "hearts");
    string Stars => Path.Combine(colour.Folder, "stars");

    string TinyRun()
    {
        var root = TempFolder();
        var config = Path.Combine(root, "tiny.json");
        File.WriteAllText(config, """{ "model": { "generator-features": 4, "discriminator-features": 4 }, "output": { "sample-count": 12 } }""");
        var run = Path.Combine(root, "run");
        var train = Gan.Run("train", "--preset", "cyclegan-emoji", "--config", config, "--dataset-x", Hearts, "--dataset-y", Stars,
                                   "--steps", "2", "--batch", "2", "--no-tensorboard", "--out", run);
        Assert.True(train.Code == 0, train.Err);
        Assert.True(File.Exists(Path.Combine(run, "eval", "translation-step-0000002.png")));   // the held-out translations, for the report
        Assert.Contains("Held-out translations at iteration 2", File.ReadAllText(Path.Combine(run, "report.html")));
        return run;
    }

    [Fact]
    public void A_translation_run_translates_a_folder_and_an_image_both_ways_and_draws_its_figure()
    {
        var run = TinyRun();
        var root = Path.GetDirectoryName(run)!;
        var folder = Path.Combine(root, "out");
        var all = Gan.Run("translate", "--run", run, "--input", Hearts, "--out", folder);
        Assert.True(all.Code == 0, all.Err);
        Assert.Contains("24 images translated x-to-y", all.Out);
        Assert.Equal(Directory.GetFiles(Hearts).Select(Path.GetFileName).Order(), Directory.GetFiles(folder).Select(Path.GetFileName).Order());
        Assert.DoesNotContain(Directory.GetDirectories(root), d => d.Contains(".partial-"));

        var one = Path.Combine(root, "one.png");
        var back = Gan.Run("translate", "--run", run, "--input", Directory.GetFiles(Stars)[0], "--out", one, "--direction", "y-to-x");
        Assert.True(back.Code == 0, back.Err);
        using (var image = SkiaSharp.SKBitmap.Decode(one)) Assert.Equal((32, 32), (image.Width, image.Height));   // as the run prepares its images

        // Refused in one line, nothing written: an output folder with files in it, an input that is not an image, a run that translates nothing.
        Gan.AssertOneLineError(Gan.Run("translate", "--run", run, "--input", Hearts, "--out", folder), 2, "goes into a new or empty folder");
        var text = Path.Combine(root, "notes.txt");
        File.WriteAllText(text, "not an image");
        Gan.AssertOneLineError(Gan.Run("translate", "--run", run, "--input", text, "--out", Path.Combine(root, "t.png")), 2, "notes.txt");
        Assert.False(File.Exists(Path.Combine(root, "t.png")));
        Gan.AssertOneLineError(Gan.Run("translate", "--run", run, "--input", Directory.GetFiles(Hearts)[0], "--out", Path.Combine(root, "x.jpg")), 2, "written as a .png");

        var figure = Path.Combine(root, "figure.png");
        var drawn = Gan.Run("figure", "translation", "--run", run, "--rows", "3", "--out", figure);
        Assert.True(drawn.Code == 0, drawn.Err);
        Assert.Contains("x | G(x) | F(G(x)) ‖ y | F(y) | G(F(y))", drawn.Out);   // two folders: no true counterparts
        Assert.True(File.Exists(figure));
        // The paired metrics need paired domains; sampling from noise needs a generator of noise.
        Gan.AssertOneLineError(Gan.Run("eval", "translation", "--run", run), 2, "paired domains");
        Gan.AssertOneLineError(Gan.Run("eval", "parzen", "--run", run), 2, "trains on two domains");
    }

    [Fact]
    public void Domains_that_do_not_fit_are_refused_in_one_line()
    {
        var root = TempFolder();
        string[] tiny = ["--preset", "cyclegan-emoji", "--steps", "1", "--batch", "2", "--no-tensorboard"];
        // Domains prepared at two sizes; grey IDX images, which keep their size, beside colour ones resized to 32×32.
        var sizes = Path.Combine(root, "sizes.json");
        File.WriteAllText(sizes, """{ "data": { "x": { "image-size": 16 } } }""");
        Gan.AssertOneLineError(Gan.Run(["train", .. tiny, "--config", sizes, "--dataset-x", Hearts, "--dataset-y", Stars, "--out", Path.Combine(root, "a")]), 2,
                                      "a translation maps images of one shape");
        Gan.AssertOneLineError(Gan.Run(["train", .. tiny, "--dataset-x", MnistFixture, "--dataset-y", Stars, "--out", Path.Combine(root, "a")]), 2, "data.x: mnist-500");
        var empty = Directory.CreateDirectory(Path.Combine(root, "empty")).FullName;
        Gan.AssertOneLineError(Gan.Run(["train", .. tiny, "--dataset-x", Hearts, "--dataset-y", empty, "--out", Path.Combine(root, "b")]), 2, "data.y:");
        var single = Directory.CreateDirectory(Path.Combine(root, "single")).FullName;
        File.Copy(Directory.GetFiles(Hearts)[0], Path.Combine(single, "only.png"));
        Gan.AssertOneLineError(Gan.Run(["train", .. tiny, "--dataset-x", single, "--dataset-y", Stars, "--out", Path.Combine(root, "c")]), 2, "data.x:");
        Gan.AssertOneLineError(Gan.Run(["train", .. tiny, "--dataset", Hearts, "--out", Path.Combine(root, "d")]), 2,
                                      "give --dataset-x and --dataset-y");
        foreach (var name in new[] { "a", "b", "c", "d" }) Assert.False(Directory.Exists(Path.Combine(root, name)));
    }
}
