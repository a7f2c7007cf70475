using System.IO.Compression;
using GanSharp.Models;
using static GanSharp.Tests.TestSupport;
using static TorchSharp.torch;
using Generator = GanSharp.Models.Generator;

namespace GanSharp.Tests;

/// <summary>
/// Everything a fixture of bad input needs, made once: a trained run, samples files, config files, broken data folders
/// and checkpoints. <c>{name}</c> in a case's arguments stands for one of these paths.
/// </summary>
public sealed class BadInputFixture
{
    public string Root { get; } = TempFolder();
    public Dictionary<string, string> Paths { get; } = [];

    public BadInputFixture()
    {
        string At(string name) => Paths[name] = System.IO.Path.Combine(Root, name);

        // A short run of the paper's model on the 500-digit fixture.
        var run = At("run");
        var r = Gan.Run("train", "--dataset", MnistFixture, "--steps", "4", "--batch", "50", "--threads", "1", "--out", run);
        Assert.True(r.Code == 0, r.Err);
        Paths["mnist"] = MnistFixture;
        Directory.CreateDirectory(At("empty-folder"));
        File.WriteAllText(At("a-file.txt"), "not a folder");
        Directory.CreateDirectory(At("full-folder"));
        File.WriteAllText(System.IO.Path.Combine(Paths["full-folder"], "keep.txt"), "someone's file");

        // Samples files (.npy, float32): the good shape with bad values, no images, the wrong shape, a broken header.
        Npy(At("nan.npy"), [20, 1, 28, 28], float.NaN);
        Npy(At("inf.npy"), [20, 1, 28, 28], float.PositiveInfinity);
        Npy(At("none.npy"), [0, 1, 28, 28], 0);
        Npy(At("outside.npy"), [20, 1, 28, 28], 3);
        Npy(At("small.npy"), [20, 1, 14, 14], 0.5f);
        File.WriteAllBytes(At("broken.npy"), [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, 16, 0,
                                              .. System.Text.Encoding.ASCII.GetBytes("{'descr': '<f4',\n")]);
        Npy(At("lying.npy"), [20, 1, 28, 28], 0.5f, values: 10);
        // Noise files for gan sample --z (written here without GanSharp's writer, which writes images).
        RawNpy(At("z-shape.npy"), [3, 7], 0.5f);
        RawNpy(At("z-nan.npy"), [3, 100], float.NaN);

        // Configuration files, each wrong in one way.
        void Config(string name, string json) => File.WriteAllText(At(name), json);
        Config("null-train.json", """{ "train": null }""");
        Config("duplicate.json", """{ "train": { "batch": 10, "batch": 20 } }""");
        Config("huge-lr.json", """{ "optimizer": { "learning-rate": 1e400 } }""");
        Config("text-batch.json", """{ "train": { "batch": "ten" } }""");
        Config("misspelt.json", """{ "train": { "bacth": 10 } }""");
        Config("comma.json", "{ \"train\": { \"batch\": 10, } }");
        Config("array.json", "[1, 2]");
        Config("kind.json", """{ "model": { "kind": "transformer" } }""");
        Config("colour.json", """{ "data": { "color": "purple" } }""");
        Config("giant.json", """{ "model": { "kind": "paper", "generator-hidden": [100000000, 100000000] } }""");
        Config("deep.json", $$"""{ "model": { "kind": "paper", "generator-hidden": [{{string.Join(", ", Enumerable.Repeat(1200, 20_000))}}] } }""");
        Config("long-preset.json", $$"""{ "preset": "{{new string('p', 1_000_000)}}" }""");
        Config("batch.json", """{ "train": { "batch": 100000 } }""");
        Config("momentum.json", """{ "optimizer": { "momentum-start": 1.5 } }""");
        Config("epsilon.json", """{ "optimizer": { "kind": "adam", "epsilon": 0 } }""");
        Config("null-hidden.json", """{ "model": { "generator-hidden": null } }""");
        Config("preset.json", """{ "preset": 3 }""");
        Config("aux-game.json", """{ "game": { "kind": "auxiliary-classifier" } }""");

        // Data folders: two training files, a truncated gzip, a lying IDX header, test images of another size.
        var two = Copy("two-train-files");
        File.Copy(System.IO.Path.Combine(two, "train-images-idx3-ubyte.gz"), System.IO.Path.Combine(two, "more-train-images-idx3-ubyte.gz"));
        var plain = Copy("plain");  // images without labels
        foreach (var f in Directory.GetFiles(plain, "*labels*")) File.Delete(f);
        var gz = Copy("truncated-gzip");
        var trainGz = System.IO.Path.Combine(gz, "train-images-idx3-ubyte.gz");
        File.WriteAllBytes(trainGz, File.ReadAllBytes(trainGz)[..3000]);
        Directory.CreateDirectory(At("lying-idx"));
        File.WriteAllBytes(System.IO.Path.Combine(Paths["lying-idx"], "train-images-idx3-ubyte"), [0, 0, 8, 3, 0, 0, 0x27, 0x10, 0, 0, 0, 28, 0, 0, 0, 28, 1, 2, 3]);
        var shapes = Copy("test-shape");
        Data.Idx.Write(System.IO.Path.Combine(shapes, "t10k-images-idx3-ubyte"), new Data.IdxArray([20, 14, 14], new byte[20 * 14 * 14]));
        File.Delete(System.IO.Path.Combine(shapes, "t10k-images-idx3-ubyte.gz"));
        File.Delete(System.IO.Path.Combine(shapes, "t10k-labels-idx1-ubyte.gz"));
        Directory.CreateDirectory(At("no-images"));
        File.WriteAllText(System.IO.Path.Combine(Paths["no-images"], "a.png"), "not a png");

        // Checkpoints: not one, a newer format, an edited header, non-finite weights.
        File.WriteAllText(At("not.ckpt"), "hello");
        var last = System.IO.Path.Combine(run, "checkpoints", "last.ckpt");
        var bytes = File.ReadAllBytes(last);
        bytes[14] = (byte)'7';
        File.WriteAllBytes(At("newer.ckpt"), bytes);
        bytes = File.ReadAllBytes(last);
        var at = System.Text.Encoding.UTF8.GetString(bytes).IndexOf("\"step\": 4", StringComparison.Ordinal);
        bytes[at + 8] = (byte)'3';
        File.WriteAllBytes(At("edited.ckpt"), bytes);
        var checkpoint = Checkpoint.Read(last);
        using (var g = Generator.FromCheckpoint(checkpoint))
        {
            using (no_grad()) g.parameters().First().fill_(float.NaN);
            var sections = new Dictionary<string, byte[]>(checkpoint.Sections) { [Checkpoint.GeneratorSection] = Checkpoint.Save(g) };
            new Checkpoint { Config = checkpoint.Config, Step = checkpoint.Step, DataBatches = checkpoint.DataBatches, Sections = sections }.Write(At("nan.ckpt"));
        }
    }

    string Copy(string name)
    {
        var folder = Directory.CreateDirectory(Paths[name] = System.IO.Path.Combine(Root, name)).FullName;
        foreach (var f in Directory.GetFiles(MnistFixture)) File.Copy(f, System.IO.Path.Combine(folder, System.IO.Path.GetFileName(f)));
        return folder;
    }

    /// <summary>A float32 .npy file of <paramref name="shape"/> filled with <paramref name="fill"/> (or holding only <paramref name="values"/> values).</summary>
    static void Npy(string path, long[] shape, float fill, long? values = null)
    {
        using var t = full(shape, fill);
        Data.SampleFiles.WriteNpy(path, t);
        if (values is { } n)
        {
            var bytes = File.ReadAllBytes(path);
            File.WriteAllBytes(path, bytes[..(bytes.Length - (int)(t.numel() - n) * 4)]);
        }
    }

    /// <summary>A float32 .npy file of any <paramref name="shape"/> filled with <paramref name="fill"/>, written by hand (NumPy's format 1.0).</summary>
    static void RawNpy(string path, long[] shape, float fill)
    {
        var header = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({string.Join(", ", shape)}{(shape.Length == 1 ? "," : "")}), }}";
        header = header.PadRight((header.Length + 11 + 63) / 64 * 64 - 11) + "\n";   // magic, version, length, header: a multiple of 64 bytes
        var values = Enumerable.Repeat(fill, (int)shape.Aggregate(1L, (a, b) => a * b)).SelectMany(BitConverter.GetBytes);
        File.WriteAllBytes(path, [0x93, .. "NUMPY"u8, 1, 0, (byte)header.Length, 0, .. System.Text.Encoding.ASCII.GetBytes(header), .. values]);
    }

    /// <summary>Every file under the fixture with its size and time: what a refused command must leave as it was.</summary>
    public string[] Snapshot() =>
        Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories)
            .Where(f => System.IO.Path.GetFileName(f) != "run.lock")  // taking the run's lock is not writing the run
            .Select(f => $"{f} {new FileInfo(f).Length} {File.GetLastWriteTimeUtc(f):O}")
            .Order().ToArray();
}

/// <summary>
/// The bad-input table: every command, every kind of bad value a user can type or hand over. Each must end with exit 2
/// and one line that names the input, no stack, no libtorch frames, and nothing written — neither the output it was
/// asked for nor any change to the files it read.
/// </summary>
public sealed class BadInputTests(BadInputFixture fixture) : IClassFixture<BadInputFixture>
{
    public static TheoryData<string, string, string> Cases => new()
    {
        // gan train: flags
        { "train --dataset {mnist} --out {out} --k 0", "--k must be a positive whole number (got 0)", "k below 1" },
        { "train --dataset {mnist} --out {out} --batch -5", "--batch must be a positive whole number (got -5)", "negative batch" },
        { "train --dataset {mnist} --out {out} --batch 1e3", "--batch takes a whole number, not '1e3'", "batch not a whole number" },
        { "train --dataset {mnist} --out {out} --epochs many", "--epochs takes a whole number", "epochs not a number" },
        { "train --dataset {mnist} --out {out} --steps 0", "--steps must be a positive whole number (got 0)", "zero steps" },
        { "train --dataset {mnist} --out {out} --lr Infinity", "--lr must be a positive number no larger than 3.4E+38 (got Infinity)", "infinite learning rate" },
        { "train --dataset {mnist} --out {out} --lr 1e300", "--lr must be a positive number no larger than 3.4E+38", "learning rate beyond float32" },
        { "train --dataset {mnist} --out {out} --lr -0.1", "--lr must be a positive number", "negative learning rate" },
        { "train --dataset {mnist} --out {out} --lr NaN", "--lr must be a positive number", "NaN learning rate" },
        { "train --dataset {mnist} --out {out} --threads -3", "--threads must be 0 or more (got -3)", "negative threads" },
        { "train --dataset {mnist} --out {out} --device tpu", "device must be cpu, cuda, cuda:N or auto, not 'tpu'", "unknown device" },
        { "train --dataset {mnist} --out {out} --g-loss bogus", "bogus", "unknown loss" },
        { "train --dataset {mnist} --out {out} --update sideways", "sideways", "unknown update order" },
        { "train --dataset {mnist} --out {out} --optimizer rmsprop", "rmsprop", "unknown optimizer" },
        { "train --dataset {mnist} --out {out} --update simultaneous --k 2", "--k sets Algorithm 1's discriminator steps", "k with the simultaneous game" },
        { "train --preset nope --out {out}", "unknown preset 'nope'", "unknown preset" },
        { "train --dataset no-such-dataset --out {out}", "unknown dataset 'no-such-dataset'", "unknown dataset" },
        { "train --dataset {a-file.txt} --out {out}", "is a file", "dataset is a file" },
        { "train --dataset {mnist} --out {out} --image-size 2", "--image-size must be between 4 and 1024", "image size too small" },
        { "train --dataset {mnist} --out {out} --color purple", "purple", "unknown colour mode" },
        { "train --dataset {mnist} --out {out} --frobnicate 3", "--frobnicate", "unknown flag" },
        { "train --dataset {mnist} --out {out} --log-every 0", "--log-every must be a positive whole number", "zero log interval" },
        { "train --dataset {mnist} --out {out} --eval nonsense --eval-every 2", "nonsense", "unknown evaluation" },
        { "train --dataset {mnist} --out {full-folder}", "exists and is not an empty folder", "out over someone's folder" },
        { "train --dataset {mnist} --out {run}", "already holds a run", "out over a run" },
        { "train --dataset {mnist} --out {a-file.txt}", "is a file", "out is a file" },
        // gan train --resume
        { "train --resume {run} --batch 10", "--batch cannot be combined with --resume", "resume changing the batch" },
        { "train --resume {run} --steps -5", "--steps must be a positive whole number (got -5)", "resume with negative steps" },
        { "train --resume {run} --steps 2", "the run has done 4 iterations", "resume shorter than done" },
        { "train --resume {out}", "no such run folder", "resume of nothing" },
        { "train --resume {empty-folder}", "not a run directory", "resume of an empty folder" },
        // gan train --config
        { "train --config {out}.json --dataset {mnist} --out {out}", "config file not found", "missing config file" },
        { "train --config {null-train.json} --dataset {mnist} --out {out}", "train may not be null", "null section" },
        { "train --config {null-hidden.json} --dataset {mnist} --out {out}", "model.generator-hidden may not be null", "null list" },
        { "train --config {duplicate.json} --dataset {mnist} --out {out}", "the key 'batch' appears twice", "duplicated key" },
        { "train --config {huge-lr.json} --dataset {mnist} --out {out}", "learning-rate must be a positive number", "1e400 in a config file" },
        { "train --config {text-batch.json} --dataset {mnist} --out {out}", "text-batch.json: train.batch must be a whole number", "text for a number" },
        { "train --config {misspelt.json} --dataset {mnist} --out {out}", "unknown key 'bacth' in train", "misspelt key" },
        { "train --config {comma.json} --dataset {mnist} --out {out}", "comma.json: line 1, column", "JSON syntax error" },
        { "train --config {array.json} --dataset {mnist} --out {out}", "a configuration must be a JSON object", "not an object" },
        { "train --config {kind.json} --dataset {mnist} --out {out}", "transformer", "unknown model kind" },
        { "train --config {colour.json} --dataset {mnist} --out {out}", "data.color must be one of grey, rgb", "unknown colour in a file" },
        { "train --config {momentum.json} --dataset {mnist} --out {out}", "momentum must lie in [0, 1)", "momentum out of range" },
        { "train --config {preset.json} --dataset {mnist} --out {out}", "preset must be a name", "preset not a name" },
        { "train --config {giant.json} --dataset {mnist} --out {out} --steps 1", "million weights would need", "nets too large for memory" },
        { "train --config {deep.json} --dataset {mnist} --out {out} --steps 1", "million weights would need", "a 20,000-layer generator (refused before it is built)" },
        { "train --config {long-preset.json} --dataset {mnist} --out {out} --steps 1", "… (1,000,000 characters)' (known:", "a preset name of a million characters, not echoed whole" },
        { "train --dataset-x {mnist} --dataset-y {mnist} --steps 2 --out {out}", "data: the algorithm1 game trains on one dataset, not two domains", "two domains for a game of one dataset" },
        { "train --dataset-x {mnist} --steps 2 --out {out}", "--dataset-x and --dataset-y go together", "one domain of two" },
        { "train --dataset {mnist} --dataset-x {mnist} --dataset-y {mnist} --steps 2 --out {out}", "--dataset cannot be combined with --dataset-x", "one dataset and two domains at once" },
        { "sample --run {run} --count 10 --out {out}.jpeg", "images are written as .png (a grid), .npy or IDX (.idx, or no extension), not .jpeg", "an output extension of no sample format" },
        { "sample --checkpoint /dev/zero --count 10 --out {out}.png", "/dev/zero: not a GanSharp checkpoint", "a device as a checkpoint (refused before it is read)" },
        { "train --config {batch.json} --dataset {mnist} --out {out} --steps 1", "fewer than one minibatch of 100000", "batch larger than the data" },
        // gan train: data
        { "train --dataset {two-train-files} --out {out} --steps 1", "2 files match *train-images*", "two training files" },
        { "train --dataset {truncated-gzip} --out {out} --steps 1", "truncated or corrupt gzip file", "truncated gzip" },
        { "train --dataset {lying-idx} --out {out} --steps 1", "IDX header claims 10000×28×28", "IDX header larger than the file" },
        { "train --dataset {test-shape} --out {out} --steps 1", "test images are 1×14×14 but the training images are 1×28×28", "test images of another shape" },
        { "train --dataset {no-images} --out {out} --steps 1", "no-images", "a folder without readable images" },
        // gan sample
        { "sample --run {run} --count 0 --out {out}.png", "--count must be a positive whole number", "zero samples" },
        { "sample --run {run} --count abc --out {out}.png", "--count takes a whole number, not 'abc'", "count not a number" },
        { "sample --run {run} --count 2000000000 --out {out}.npy", "would need", "more samples than memory" },
        { "sample --run {run} --count 2000000000 --out {out}.png", "the grid would be", "a grid too large to draw" },
        { "sample --run {run} --count 10 --truncation NaN --out {out}.png", "--truncation must be a positive number", "NaN truncation" },
        { "sample --run {run} --count 10 --truncation 2 --out {out}.png", "truncation for the uniform prior must lie in (0, 1]", "truncation beyond the prior" },
        { "sample --run {run} --count 10 --class 3 --out {out}.png", "the model is not conditional: it has no classes to ask for", "a class of an unconditional run" },
        { "figure classes --run {run} --out {out}.png", "gan figure classes needs samples for a class (a conditional generator); the algorithm1 game supplies samples from noise", "class rows of an unconditional run" },
        { "eval classes --run {run}", "gan eval classes needs samples for a class (a conditional generator); the algorithm1 game supplies samples from noise", "class fidelity of an unconditional run" },
        { "train --dataset {mnist} --config {aux-game.json} --steps 2 --out {out}", "game auxiliary-classifier needs a model with an auxiliary classifier", "ACGAN's game with the paper's nets" },
        { "train --preset acgan-mnist --dataset {plain} --steps 2 --out {out}", "the acgan model is conditional and needs class labels", "ACGAN on unlabelled images" },
        { "train --preset sgan-mnist --dataset {mnist} --labels 7 --steps 2 --out {out}", "labels: 7 cannot be split evenly over 10 classes", "labels not a multiple of the classes" },
        { "train --preset sgan-mnist --dataset {mnist} --labels 1000 --steps 2 --out {out}", "training images, fewer than the 100 labelled ones asked for", "more labels than a class has" },
        { "train --dataset {mnist} --labels 100 --steps 2 --out {out}", "--labels sets the semi-supervised game's labelled images", "--labels without the semi-supervised game" },
        { "train --preset sgan-mnist --dataset {plain} --steps 2 --out {out}", "the semi-supervised-mlp model needs class labels", "the semi-supervised GAN on unlabelled images" },
        { "train --preset sgan-mnist --dataset {mnist} --g-loss hinge --steps 2 --out {out}", "loss: the semi-supervised game has its own losses (D: a (K+1)-class cross-entropy; G: feature matching), so loss hinge would be ignored: leave it non-saturating", "a loss the semi-supervised game would ignore" },
        { "eval classify --run {run}", "gan eval classify needs a discriminator that classifies; the algorithm1 game supplies samples from noise", "classifier error of the paper's discriminator" },
        { "train --dataset {mnist} --steps 2 --eval classes --eval-every 1 --out {out}", "eval: 'classes' measures a conditional generator's classes", "class fidelity while training an unconditional model" },
        { "train --dataset {mnist} --steps 2 --eval classify --eval-every 1 --out {out}", "eval: 'classify' measures a discriminator that classifies", "classifier error while training a plain discriminator" },
        { "train --preset cgan-mnist --dataset {plain} --steps 2 --out {out}", "the conditional-mlp model is conditional and needs class labels", "a conditional model on unlabelled images" },
        { "sample --run {out} --count 10 --out {out}.png", "checkpoint not found", "run without a checkpoint" },
        { "sample --checkpoint {not.ckpt} --count 10 --out {out}.png", "not a GanSharp checkpoint", "not a checkpoint" },
        { "sample --checkpoint {newer.ckpt} --count 10 --out {out}.png", "checkpoint format 7 was written by a newer GanSharp", "a newer checkpoint format" },
        { "sample --checkpoint {edited.ckpt} --count 10 --out {out}.png", "checksum mismatch", "an edited checkpoint header" },
        { "sample --checkpoint {nan.ckpt} --count 10 --out {out}.png", "weights or samples are not finite", "a non-finite generator" },
        { "sample --run {run} --count 10", "--out is required", "no output" },
        { "sample --run {run} --out {out}.png", "say how many samples: --count N", "no count and no noise" },
        { "sample --run {run} --z {z-shape.npy} --out {out}.npy", "expected noise of shape (N, 100) for this generator, got (3, 7)", "noise of another dimension" },
        { "sample --run {run} --z {z-nan.npy} --out {out}.npy", "the noise has NaN or infinite values", "non-finite noise" },
        { "sample --run {run} --z {z-nan.npy} --count 3 --out {out}.npy", "--z gives the noise: its rows are the samples", "noise and a count" },
        { "sample --run {run} --z {out}.npy --out {out}.png", "file not found", "a noise file that does not exist" },
        { "sample --run {run} --z {not.ckpt} --out {out}.png", "not a .npy file", "a noise file that is not .npy" },
        { "export --run {run} --out {out}.onnx", "the weights are written as safetensors (NAME.safetensors) or PyTorch's state dict (NAME.pt)", "an export of another format" },
        { "export --run {run}", "--out is required", "an export without output" },
        { "export --run {out} --out {out}.safetensors", "checkpoint not found", "an export of a run without a checkpoint" },
        { "export --checkpoint {nan.ckpt} --out {out}.safetensors", "not finite", "an export of a non-finite generator" },
        { "export --checkpoint {not.ckpt} --out {out}.safetensors", "not a GanSharp checkpoint", "an export of a file that is not a checkpoint" },
        { "sample --run {run} --count 10 --format gif --out {out}.gif", "gif", "unknown format" },
        // gan eval
        { "eval parzen --samples {nan.npy} --dataset {mnist}", "nan.npy: image 0 has NaN or infinite values", "NaN samples" },
        { "eval parzen --samples {inf.npy} --dataset {mnist}", "inf.npy: image 0 has NaN or infinite values", "infinite samples" },
        { "eval parzen --samples {none.npy} --dataset {mnist}", "none.npy: holds no images", "no samples" },
        { "eval parzen --samples {outside.npy} --dataset {mnist}", "values must be pixels in [0, 1]", "pixels out of range" },
        { "eval parzen --samples {small.npy} --dataset {mnist}", "samples are 1×14×14 images but the dataset's are 1×28×28", "samples of another shape" },
        { "eval parzen --samples {broken.npy} --dataset {mnist}", "broken.npy", "a broken .npy header" },
        { "eval parzen --samples {lying.npy} --dataset {mnist}", "header claims 15,680 values but the file holds 10", "a .npy shorter than its header" },
        { "eval parzen --samples {nan.npy}", "--samples needs --dataset", "samples without a dataset" },
        { "eval parzen --samples {nan.npy} --run {run}", "cannot be combined", "two sources" },
        { "eval parzen --dataset {mnist}", "say what to evaluate", "no source" },
        { "eval parzen --run {run} --sigma NaN", "--sigma must be a positive number (got NaN)", "NaN sigma" },
        { "eval parzen --run {run} --validation-images 0", "--validation-images must be a positive whole number", "no validation images" },
        { "eval parzen --checkpoint {nan.ckpt} --json {out}.json", "weights or samples are not finite", "evaluating a non-finite generator" },
        { "eval features --samples {nan.npy} --dataset {mnist}", "has NaN or infinite values", "NaN samples into features" },
        { "eval features --run {run} --count 1", "--count must be at least 6", "one sample for features" },
        { "eval truncation --run {run} --values a,b", "--values takes comma-separated numbers", "truncation values not numbers" },
        { "eval parzn", "'parzn' is not a command of gan eval: did you mean 'parzen'?", "misspelt subcommand" },
        // gan figure
        { "figure samples --run {run} --scale 100000 --out {out}.png", "the grid would be", "scale too large" },
        { "figure samples --run {run} --rows 100000 --out {out}.png", "the grid would be", "rows too many" },
        { "figure samples --run {run} --scale 0 --out {out}.png", "--scale must be a positive whole number", "zero scale" },
        { "figure interpolate --run {run} --frames 1 --out {out}.png", "--frames must be at least 2", "one interpolation frame" },
        { "figure samples --checkpoint {nan.ckpt} --out {out}.png", "weights or samples are not finite", "a figure of a non-finite generator" },
        { "figure metric --run {run} --metric nosuch --out {out}.png", "has no 'nosuch' values", "unknown metric" },
        { "figure metric --run {run} --metric d_loss --reference abc --out {out}.png", "--reference takes VALUE:LABEL pairs", "bad reference line" },
        // gan toy
        { "toy ring --steps 10 --out {out}", "--steps must be at least 20", "too few toy steps" },
        { "toy 1d --out {full-folder}", "exists and is not empty", "toy over someone's folder" },
        { "toy 1d --data N(2,-1) --out {out}", "--data: the standard deviation", "bad toy distribution" },
        { "toy 1d --lr 0 --out {out}", "--lr must be in (0, 1)", "zero toy learning rate" },
        { "toy 1d --g-loss hinge --out {out}", "toy 1d draws D as a probability", "a loss whose D is no probability in Figure 1" },
        { "figure metric --run {run} --runs {run},{run}", "--run and --runs cannot be combined", "one run and several" },
        { "figure metric --metric d_loss --runs {run},{empty-folder} --out {out}.png", "empty-folder: not a run directory", "a folder that is no run among several" },
        { "figure metric --metric d_loss --runs {run},{run}", "--out is required", "several runs without a file to write" },
        { "figure metric --run {run} --x hours", "hours", "an unknown axis" },
        { "figure metric --metric d_loss --runs {run},{run} --y-range 5:1 --out {out}.png", "--y-range takes MIN:MAX with MIN below MAX, not '5:1'", "an empty range" },
        // gan sweep, and a budget of CPU time in gan train
        { "sweep --steps 5 --out {out}", "--presets is required", "a sweep of nothing" },
        { "sweep --presets dcgan-mnist --out {out}", "give the budget per run once", "a sweep without a budget" },
        { "sweep --presets dcgan-mnist --steps 5 --cpu-minutes 1 --out {out}", "give the budget per run once", "a sweep with two budgets" },
        { "sweep --presets dcgan-mnsit --steps 5 --out {out}", "unknown preset 'dcgan-mnsit'", "a misspelt preset in a sweep" },
        { "sweep --presets dcgan-mnist,dcgan-mnist --steps 5 --out {out}", "a preset is named twice", "a preset twice" },
        { "sweep --presets dcgan-mnist --steps 5 --seeds 1,x --out {out}", "--seeds takes whole numbers, not 'x'", "a seed that is no number" },
        { "sweep --presets dcgan-mnist --steps 5 --eval fid --out {out}", "unknown evaluation 'fid'", "an unknown sweep evaluation" },
        { "sweep --presets dcgan-mnist --steps 5 --plot fidd --out {out}", "--plot: unknown metric 'fidd'", "an unknown metric to plot" },
        { "sweep --presets dcgan-mnist --cpu-minutes 0 --out {out}", "--cpu-minutes must be", "a sweep budget of nothing" },
        { "sweep --presets dcgan-mnist --steps 5 --task 0 --out {out}", "--task names a run of an existing sweep", "a task of no sweep" },
        { "sweep --resume {out} --task -1", "--task must be", "a negative task" },
        { "sweep --presets dcgan-mnist --steps 5 --scheduler pbs --out {out}", "--scheduler: unknown scheduler 'pbs' (known: local, slurm)", "an unknown scheduler" },
        { "sweep --presets dcgan-mnist --steps 5 --partition short --out {out}", "--partition is an option of --scheduler slurm", "a Slurm option on a local sweep" },
        { "sweep --status {out}", "no such sweep folder", "the status of no sweep" },
        { "sweep --collect {out} --presets dcgan-mnist", "--collect takes a sweep folder alone: --presets cannot be combined with it", "collect with a plan" },
        { "sweep --presets dcgan-mnist --steps 5 --out {full-folder}", "is not empty: a sweep needs a new folder", "a sweep over someone's folder" },
        { "sweep --resume {run}", "not a sweep (no sweep.json)", "resuming a run as a sweep" },
        { "sweep --resume {run} --steps 3", "--steps cannot be combined with --resume", "changing a sweep's plan on resume" },
        { "train --dataset {mnist} --epochs 2 --cpu-minutes 1 --out {out}", "--epochs cannot be combined with --cpu-minutes", "epochs beside a CPU budget" },
        { "train --dataset {mnist} --cpu-minutes -1 --out {out}", "--cpu-minutes must be", "a negative CPU budget" },
        // gan data, gan bench, the command itself
        { "data fetch imagenet", "unknown dataset 'imagenet'", "unknown dataset to fetch" },
        { "data export {mnist} --start -1 --out {out}.npy", "--start must be 0 or more", "negative start" },
        { "data export {mnist} --split test --start 90 --count 20 --out {out}.npy", "outside it", "export beyond the split" },
        { "data export {mnist} --count 0 --out {out}.npy", "--count must be a positive whole number", "export nothing" },
        { "bench --threads x", "--threads takes comma-separated whole numbers", "bench threads not numbers" },
        { "bench --steps 0", "--steps must be a positive whole number", "bench without steps" },
        { "trian", "'trian' is not a command of gan: did you mean 'train'?", "misspelt command" },
        { "train --epocs 3", "'--epocs' is not an option of gan train: did you mean '--epochs'?", "misspelt flag" },
        { "sample --cuont 3 --run {run} --out {out}.png", "'--cuont' is not an option of gan sample: did you mean '--count'?", "misspelt flag of another command" },
        { "train --preset dcgan --out {out}", "unknown preset 'dcgan': did you mean 'dcgan-mnist', 'dcgan-fashion-mnist', 'dcgan-emoji' or 'dcgan-history-mnist'?", "a preset's family for its name" },
        { "train --preset dcgan-mnst --out {out}", "unknown preset 'dcgan-mnst': did you mean 'dcgan-mnist'?", "misspelt preset" },
        { "train --config {epsilon.json} --dataset {mnist} --out {out}", "epsilon must lie in (0, 1)", "Adam without epsilon" },
        // gan report, compare, hype
        { "report {full-folder}", "not a run directory", "report of a folder that is no run" },
        { "report {mnist} --out {out}.png", "not a run directory", "report of a dataset folder" },
        { "compare {run}", "compare needs at least two runs", "compare one run" },
        { "compare {run} {full-folder} --out {out}.json", "not a run directory", "compare with a folder that is no run" },
        { "hype {run} --host 0.0.0.0", "loopback address only", "hype served to the network" },
        { "hype {run} --port 70000", "--port must be", "hype port out of range" },
        { "hype {run} --images 0", "--images must be", "hype with no images" },
        { "hype {run} --mode sometimes", "sometimes", "unknown hype mode" },
        { "hype {full-folder}", "not a run directory", "hype of a folder that is no run" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Bad_input_gets_exit_2_one_line_and_nothing_written(string command, string message, string what)
    {
        var outPath = Path.Combine(TempFolder(), "out");  // what the command was asked to write: must not exist after
        var args = command.Split(' ').Select(a => System.Text.RegularExpressions.Regex.Replace(a, @"\{([\w.-]+)\}",
            m => m.Groups[1].Value == "out" ? outPath : fixture.Paths[m.Groups[1].Value])).ToArray();
        var before = fixture.Snapshot();

        var r = Gan.Run(args);

        Gan.AssertOneLineError(r, 2, message);
        Assert.False(Directory.Exists(outPath) || File.Exists(outPath + ".png") || File.Exists(outPath + ".npy") || File.Exists(outPath + ".json"),
                     $"{what}: something was written");
        Assert.Equal(before, fixture.Snapshot());
    }

    [Fact]
    public void The_table_covers_every_command_with_at_least_sixty_cases()
    {
        var commands = Cases.Select(c => ((string)c[0]).Split(' ')[0]).ToHashSet();
        Assert.True(Cases.Count() >= 60, $"{Cases.Count()} cases");
        Assert.Superset(new HashSet<string> { "train", "sweep", "sample", "eval", "figure", "toy", "data", "bench" }, commands);
    }
}
