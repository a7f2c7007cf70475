using System.CommandLine;
using GanSharp.Data;
using Spectre.Console;
using GanSharp.Evaluation;
using GanSharp.Models;
using Tensor = TorchSharp.torch.Tensor;

namespace GanSharp.Cli;

/// <summary>
/// <c>gan eval parzen|features|truncation|classifier</c>: the paper's Parzen-window log-likelihood, the feature-space metrics
/// with their real-image reference, the truncation sweep, and the feature classifier behind them.
/// </summary>
static class EvalCommand
{
    static readonly Option<string?> Dataset = Cli.Option<string?>("--dataset", "Dataset whose validation and test images are scored (default: the run's)");
    static readonly Option<int> Count = new Option<int>("--count") { Description = "Samples drawn from the generator", DefaultValueFactory = _ => 10_000 }.Positive();
    static readonly Option<int> ResNetCount = new Option<int>("--count") { Description = "Samples drawn from the generator (the ResNet-18 embeds about 20 a second a core)", DefaultValueFactory = _ => PeriodicEvaluations.ResNet18Samples }.Positive();
    static readonly Option<int> KernelCount = new Option<int>("--count") { Description = "Samples drawn from the generator: the Parzen window's kernel centres", DefaultValueFactory = _ => 10_000 }.Positive();
    static readonly Option<long> Seed = CommonOptions.Seed;
    static readonly Option<double?> Sigma = Cli.Option<double?>("--sigma", "Use this kernel width instead of choosing one on validation images").Positive();
    static readonly Option<int> ValidationImages = new Option<int>("--validation-images") { Description = "Validation images that choose σ", DefaultValueFactory = _ => 1_000 }.Positive();
    static Option<string?> JsonOut(string name) => Cli.Option<string?>("--json", $"Write the result here (default for a run: RUN/eval/{name}-step-N.json)");
    static readonly Option<string?> ParzenJson = JsonOut("parzen"), FeaturesJson = JsonOut("features"), ResNetJson = JsonOut("resnet18"), SpacesJson = Cli.Option<string?>("--json", "Also write the result here"), TruncationJson = JsonOut("truncation"),
                                    ClassesJson = JsonOut("classes"), ClassifyJson = JsonOut("classify");
    static readonly Option<bool> TrainedWeights = new("--trained-weights") { Description = "Classify with D's own weights, not the run's running average of them (when it kept one)" };
    static readonly Option<int> PerClass = new Option<int>("--count") { Description = "Samples drawn for each class", DefaultValueFactory = _ => 1_000 }.Positive();

    public static Command Create()
    {
        var parzen = new Command("parzen", "Parzen-window log-likelihood of the test images (the paper's Table 1 protocol)")
        {
            Options = { CommonOptions.Run, Sources.CheckpointFile, Sources.SamplesFile, Dataset, KernelCount, Seed, Sigma, ValidationImages, ParzenJson,
                        CommonOptions.Device, CommonOptions.DataDir },
        };
        parzen.SetAction(Parzen);

        var features = new Command("features", "Fréchet, kernel and classifier scores, precision/recall, density/coverage in a classifier's features (its first use on a dataset trains that classifier: minutes on a CPU, then cached)")
        {
            Options = { CommonOptions.Run, Sources.CheckpointFile, Sources.SamplesFile, Dataset, Count, Seed, FeaturesJson, CommonOptions.Device, CommonOptions.DataDir },
        };
        features.SetAction(p => Features(p, resnet18: false));
        var resnet18 = new Command("resnet18", "The same metrics in the features of an ImageNet-trained ResNet-18 (Microsoft.ML.DnnImageFeaturizer.ResNet18 0.24.0): fid_resnet18 and the rest, for colour images above all")
        {
            Options = { CommonOptions.Run, Sources.CheckpointFile, Sources.SamplesFile, Dataset, ResNetCount, Seed, ResNetJson, CommonOptions.Device, CommonOptions.DataDir },
        };
        resnet18.SetAction(p => Features(p, resnet18: true));
        var spacesDataset = new Argument<string>("dataset") { Description = "Dataset name or folder of labelled images" };
        var spacesSize = Cli.Option<int?>("--image-size", "Images at N×N, as a run's image-size prepares them (default: the dataset's)").Within(4, 1024);
        var spaces = new Command("feature-spaces", "How well each feature space (the dataset's own classifier, the ImageNet ResNet-18) tells a dataset's classes apart: nearest-neighbour accuracy of its test images among its training images")
        {
            Arguments = { spacesDataset }, Options = { spacesSize, SpacesJson, CommonOptions.DataDir },
        };
        spaces.SetAction(p => FeatureSpaces(p, spacesDataset, spacesSize));

        var datasetArgument = new Argument<string>("dataset") { Description = "Dataset name or folder of labelled IDX files" };
        var retrain = new Option<bool>("--retrain") { Description = "Train again even if a cached classifier exists" };
        var classifier = new Command("classifier", "Train (once, then cached) and show the feature classifier of a dataset")
        {
            Arguments = { datasetArgument }, Options = { retrain, CommonOptions.DataDir },
        };
        classifier.SetAction(p =>
        {
            Cli.LoadTorch();
            using var data = Sources.Dataset(new Configuration.DataConfig { Dataset = p.GetValue(datasetArgument)! }, p);
            var (net, info) = FeatureClassifier.ForDataset(data, p.GetValue(CommonOptions.DataDir), Cli.Lines,
                                                           retrain: p.GetValue(retrain));
            net.Dispose();
            Console.WriteLine($"feature classifier of {info.Dataset} ({info.Architecture}, {info.Epochs} epochs, trained in {info.Seconds:F0} s): " +
                              $"test accuracy {info.TestAccuracy:P2} on {info.TestImages:N0} images");
            return Cli.Success;
        });
        var values = new Option<string>("--values") { Description = "Truncation values to sweep, comma-separated", DefaultValueFactory = _ => "0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1.0" };
        var truncation = new Command("truncation", "Sweep the truncation of z: precision against recall (fidelity against diversity), as PNG and JSON")
        {
            Options = { CommonOptions.Run, Sources.CheckpointFile, values, Count, Seed, Dataset, TruncationJson, CommonOptions.Device, CommonOptions.DataDir },
        };
        truncation.SetAction(p => Truncation(p, values));
        var classes = new Command("classes", "A conditional generator's class fidelity: how many of each class's samples the feature classifier assigns to it, and each class's feature metrics")
        {
            Options = { CommonOptions.Run, Sources.CheckpointFile, PerClass, Seed, Dataset, ClassesJson, CommonOptions.Device, CommonOptions.DataDir },
        };
        classes.SetAction(Classes);
        var classify = new Command("classify", "The test error of a run's discriminator as a classifier (the semi-supervised GAN's; ACGAN's too)")
        {
            Options = { CommonOptions.Run, Sources.CheckpointFile, Dataset, TrainedWeights, ClassifyJson, CommonOptions.Device, CommonOptions.DataDir },
        };
        classify.SetAction(Classify);
        return new Command("eval", "Evaluate a generator or a file of samples") { Subcommands = { parzen, features, resnet18, classifier, spaces, truncation, classes, classify, EvalTranslationCommand.Create(), EvalTextCommand.Create() } };
    }

    /// <summary>
    /// What the flags name — a generator, or null for a samples file — the dataset to measure against (the run's unless
    /// --dataset says otherwise), loaded, and its test images. Loads libtorch.
    /// </summary>
    static (Sources.TrainedGenerator? Generator, string DatasetName, DatasetSplits Data, ImageDataset Test) Prepare(ParseResult p)
    {
        var generator = Sources.UsesSamplesFile(p) ? null : Sources.Generator(p);
        var datasetName = p.GetValue(Dataset) ?? generator?.Checkpoint.Config.Images.Dataset
                          ?? throw new InputException("--samples needs --dataset: the images to compare the samples with");
        Cli.LoadTorch();
        var data = Sources.Dataset(Sources.DataOf(generator, p.GetValue(Dataset)), p);
        if (data.Test is null)
        {
            data.Dispose();
            throw new InputException($"{datasetName} has no test images to compare with");
        }
        return (generator, datasetName, data, data.Test);
    }

    /// <summary>The images to evaluate: a samples file, or --count samples of the named generator.</summary>
    static (Tensor Images, string Source) Images(ParseResult p, Sources.TrainedGenerator? generator, DatasetSplits data, int count)
    {
        if (generator is null) return (Sources.ReadSamples(p.GetValue(Sources.SamplesFile)!, data.Train.ImageShape), p.GetValue(Sources.SamplesFile)!);
        using var g = Sources.Sampler(generator, p, $"gan eval {p.CommandResult.Command.Name}");
        using var rng = new TorchSharp.torch.Generator(unchecked((ulong)p.GetValue(Seed)));
        return (g.Sample(count, rng), $"{generator.Path} (step {generator.Checkpoint.Step:N0})");
    }

    static int Truncation(ParseResult p, Option<string> valuesOption)
    {
        double[] values;
        try { values = p.GetValue(valuesOption)!.Split(',').Select(v => double.Parse(v.Trim(), System.Globalization.CultureInfo.InvariantCulture)).ToArray(); }
        catch (FormatException) { throw new InputException($"--values takes comma-separated numbers, not '{p.GetValue(valuesOption)}'"); }
        if (p.GetValue(Count) < 2) throw new InputException($"--count must be at least 2 (got {p.GetValue(Count)})");
        var generator = Sources.Generator(p);
        var datasetName = p.GetValue(Dataset) ?? generator.Checkpoint.Config.Images.Dataset;
        Cli.LoadTorch();
        using var data = Sources.Dataset(Sources.DataOf(generator, p.GetValue(Dataset)), p);
        var test = data.Test ?? throw new InputException($"{datasetName} has no test images to compare with");
        using var g = Sources.Sampler(generator, p, "gan eval truncation");
        foreach (var v in values) g.Prior.Sample(1, 1, v).Dispose();   // refuse values the prior cannot take, before minutes of work
        var (net, info) = FeatureClassifier.ForDataset(data, p.GetValue(CommonOptions.DataDir), Cli.Lines);
        using var _ = net;
        var sweep = TruncationSweep.Run(g, net, test.Images, values, p.GetValue(Count), p.GetValue(Seed));
        var beside = RealReference.Beside(data, test)!;   // the validation images
        using var real = beside.Images.narrow(0, 0, Math.Min(p.GetValue(Count), beside.Count));
        var reference = FeatureEvaluation.Compare(net, real, test.Images, p.GetValue(Seed));

        var table = new Table().AddColumns("truncation", "precision ↑", "recall ↑", "classifier score ↑", "Fréchet ↓", "coverage ↑");
        foreach (var point in sweep)
        {
            var r = point.Report;
            table.AddRow($"{point.Truncation:G3}", $"{r.Precision:F3}", $"{r.Recall:F3}", $"{r.ClassifierScore?.Mean:F3}", $"{r.Frechet:F3}", $"{r.Coverage:F3}");
        }
        table.AddRow("real images", $"{reference.Precision:F3}", $"{reference.Recall:F3}", $"{reference.ClassifierScore?.Mean:F3}",
                     $"{reference.Frechet:F3}", $"{reference.Coverage:F3}");
        AnsiConsole.Write(table);

        var json = generator.OutputPath(p.GetValue(TruncationJson), "truncation", "json", "--json");
        var png = Path.ChangeExtension(json, ".png");
        Imaging.Plots.Curve(png, sweep.Select(s => new Imaging.Plots.LabelledPoint(s.Report.Recall, s.Report.Precision, $"{s.Truncation:G3}")).ToList(),
                            $"Truncation of z: step {generator.Checkpoint.Step:N0}, {test.Name}", "recall (diversity)", "precision (fidelity)",
                            new Imaging.Plots.LabelledPoint(reference.Recall, reference.Precision, $"real: {real.shape[0]:N0} of {beside.Name}"),
                            (0, 1.02), (0, 1.02));
        EvaluationFiles.Write(json, new TruncationResultFile(datasetName, test.Name, info, p.GetValue(Count), sweep, reference)
        {
            Checkpoint = generator.Path, GeneratorWeights = generator.Weights, Step = generator.Checkpoint.Step, Seed = p.GetValue(Seed),
        });
        Console.WriteLine($"  → {json}, {png}");
        return Cli.Success;
    }

    static int Classify(ParseResult p)
    {
        var generator = Sources.Generator(p);
        bool trained = p.GetValue(TrainedWeights), average = generator.Checkpoint.HasDiscriminatorAverage && !trained;
        Cli.LoadTorch();
        using var loaded = Sources.Product(generator, p, classifier: true, trainedWeights: trained);
        var d = loaded.Product.Classifying("gan eval classify");
        var (_, datasetName, data, test) = Prepare(p);
        using var __ = data;
        var result = ClassifierError.Of(d, test);
        string weights = average ? "the running average of D's weights" : "D's own weights";
        Console.WriteLine($"{generator.Path} (step {generator.Checkpoint.Step:N0}): the discriminator ({weights}) misclassifies {result.Errors:N0} of " +
                          $"{result.Images:N0} images of {test.Name} ({result.Rate:P2} test error)");
        var json = generator.OutputPath(p.GetValue(ClassifyJson), trained && generator.Checkpoint.HasDiscriminatorAverage ? "classify-trained" : "classify", "json", "--json");
        EvaluationFiles.Write(json, new ClassifyResultFile(datasetName, test.Name, result.Errors, result.Images, result.Rate, average ? "average" : "trained",
                                                           (generator.Checkpoint.Config.Game as Configuration.SemiSupervisedConfig)?.Labels)
        {
            Checkpoint = generator.Path, Step = generator.Checkpoint.Step,
        });
        Console.WriteLine($"  → {json}");
        return Cli.Success;
    }

    static int Classes(ParseResult p)
    {
        var generator = Sources.Generator(p);
        Cli.LoadTorch();
        using var g = Sources.Sampler(generator, p, "gan eval classes", forClass: true);
        var (_, datasetName, data, test) = Prepare(p);
        using var __ = data;
        var (net, info) = FeatureClassifier.ForDataset(data, p.GetValue(CommonOptions.DataDir), Cli.Lines);
        using var _ = net;
        var report = ClassFidelity.Measure(net, g, p.GetValue(PerClass), p.GetValue(Seed), test);

        Console.WriteLine($"{generator.Path} (step {generator.Checkpoint.Step:N0}): {report.SamplesPerClass:N0} samples of each class, classified by GanSharp's " +
                          $"{info.Dataset} classifier (test accuracy {info.TestAccuracy:P2}); feature metrics against each class's images of {test.Name}");
        var table = new Table().AddColumns("class", "classified as asked ↑", "Fréchet ↓", "precision ↑", "recall ↑", "coverage ↑");
        foreach (var row in report.Classes)
        {
            var f = row.Features;
            var index = row.Label.ToString(System.Globalization.CultureInfo.InvariantCulture);
            table.AddRow(Markup.Escape(index == row.Name ? index : $"{index} {row.Name}"),
                         $"{row.Accuracy:P2}", f is null ? "–" : $"{f.Frechet:F3}", f is null ? "–" : $"{f.Precision:F3}",
                         f is null ? "–" : $"{f.Recall:F3}", f is null ? "–" : $"{f.Coverage:F3}");
        }
        table.AddRow("all classes", $"{report.Accuracy:P2}", "", "", "", "");
        AnsiConsole.Write(table);
        Console.WriteLine($"worst class {report.WorstAccuracy:P2}");
        var json = generator.OutputPath(p.GetValue(ClassesJson), "classes", "json", "--json");
        EvaluationFiles.Write(json, new ClassesResultFile(datasetName, test.Name, info, report)
        {
            Checkpoint = generator.Path, GeneratorWeights = generator.Weights, Step = generator.Checkpoint.Step, Seed = p.GetValue(Seed),
        });
        Console.WriteLine($"  → {json}");
        return Cli.Success;
    }

    /// <summary><c>gan eval features</c> (the dataset's own classifier) and <c>gan eval resnet18</c> (the ImageNet ResNet-18): one protocol, two spaces.</summary>
    static int Features(ParseResult p, bool resnet18)
    {
        int count = p.GetValue(resnet18 ? ResNetCount : Count);
        if (count < FeatureEvaluation.MinimumImages)
            throw new InputException($"--count must be at least {FeatureEvaluation.MinimumImages} (the feature metrics' nearest neighbours; got {count})");
        var (generator, datasetName, data, test) = Prepare(p);
        using var ____ = data;
        bool fromFile = generator is null;
        var (images, source) = Images(p, generator, data, count);  // a bad samples file is refused before the classifier's minutes
        using var __ = images;
        ClassifierInfo? info = null;
        using var space = resnet18 ? FeatureSpace.Of(new ResNet18Features()) : ClassifierSpace(data, p, out info);
        long seed = p.GetValue(Seed);
        var (testFeatures, testProbabilities) = space.Embed(test.Images);
        using var ___ = testFeatures;
        testProbabilities?.Dispose();
        var model = FeatureEvaluation.CompareWithFeatures(space, images, testFeatures, seed);
        // The reference a reader needs: as many real images of the other held-out split, measured the same way.
        var beside = RealReference.Beside(data, test)!;
        using var real = beside.Images.narrow(0, 0, Math.Min(images.shape[0], beside.Count));
        var reference = FeatureEvaluation.CompareWithFeatures(space, real, testFeatures, seed);

        Console.WriteLine($"{source} against {test.Name}, in the features of {space.Description}; not comparable with Inception-based numbers");
        var table = new Table().AddColumns("metric", $"samples ({model.Images:N0})", Markup.Escape($"real: {real.shape[0]:N0} of {beside.Name}"));
        table.AddRow("Fréchet distance (FID formula) ↓", $"{model.Frechet:F3}", $"{reference.Frechet:F3}");
        table.AddRow("kernel distance (KID) ↓", $"{model.Kernel}", $"{reference.Kernel}");
        if (model.ClassifierScore is not null) table.AddRow("classifier score (IS formula) ↑", $"{model.ClassifierScore}", $"{reference.ClassifierScore}");
        table.AddRow("precision (k = 3) ↑", $"{model.Precision:F3}", $"{reference.Precision:F3}");
        table.AddRow("recall (k = 3) ↑", $"{model.Recall:F3}", $"{reference.Recall:F3}");
        table.AddRow("density (k = 5)", $"{model.Density:F3}", $"{reference.Density:F3}");
        table.AddRow("coverage (k = 5) ↑", $"{model.Coverage:F3}", $"{reference.Coverage:F3}");
        AnsiConsole.Write(table);

        var name = resnet18 ? "resnet18" : "features";
        var json = p.GetValue(resnet18 ? ResNetJson : FeaturesJson) ?? (generator?.Run?.EvalPath(name, generator.Checkpoint.Step));
        if (json is not null)
        {
            EvaluationResult result = info is null
                ? new ResNet18ResultFile(datasetName, test.Name, space.Description, model, reference, real.shape[0])
                : new FeaturesResultFile(datasetName, test.Name, info, model, reference, real.shape[0]);
            EvaluationFiles.Write(json, result with
            {
                Checkpoint = generator?.Path, GeneratorWeights = generator?.Weights, Step = generator?.Checkpoint.Step,
                SamplesFile = fromFile ? source : null, Seed = seed,
            });
            Console.WriteLine($"  → {json}");
        }
        return Cli.Success;
    }

    /// <summary>The dataset's own classifier as a feature space (trained on its first use, then cached).</summary>
    static FeatureSpace ClassifierSpace(DatasetSplits data, ParseResult p, out ClassifierInfo info)
    {
        (var net, info) = FeatureClassifier.ForDataset(data, p.GetValue(CommonOptions.DataDir), Cli.Lines);
        return FeatureSpace.Of(net, info);
    }

    /// <summary><c>gan eval feature-spaces DATASET</c>: each space's nearest-neighbour accuracy of the test images among the training images.</summary>
    static int FeatureSpaces(ParseResult p, Argument<string> datasetArgument, Option<int?> imageSize)
    {
        Cli.LoadTorch();
        using var data = Sources.Dataset(new Configuration.DataConfig { Dataset = p.GetValue(datasetArgument)!, ImageSize = p.GetValue(imageSize) }, p);
        var result = FeatureSpace.Survey(data, p.GetValue(CommonOptions.DataDir), Cli.Lines);
        var rows = result.Spaces;
        Console.WriteLine($"{result.TestImages:N0} images of {result.TestSet} classified by their nearest neighbour (Euclidean) among the {result.TrainingImages:N0} training images:");
        foreach (var r in rows) Console.WriteLine($"  {r.Space}: {r.Features}");
        var table = new Table().AddColumns("features", "nearest-neighbour accuracy ↑", "the classifier's own accuracy");
        foreach (var r in rows) table.AddRow(r.Space, $"{r.NearestNeighbourAccuracy:P2}", r.ClassifierAccuracy is { } a ? $"{a:P2}" : "–");
        AnsiConsole.Write(table);
        if (p.GetValue(SpacesJson) is { } json)
        {
            EvaluationFiles.Write(json, result);
            Console.WriteLine($"  → {json}");
        }
        return Cli.Success;
    }

    static int Parzen(ParseResult p)
    {
        int count = p.GetValue(KernelCount), validationImages = p.GetValue(ValidationImages);  // both checked while parsing
        var (generator, datasetName, data, test) = Prepare(p);
        using var __ = data;
        bool fromFile = generator is null;
        var (samples, source) = Images(p, generator, data, count);
        using var _ = samples;
        var protocol = new ParzenProtocol { Samples = (int)samples.shape[0], ValidationImages = validationImages, Sigma = p.GetValue(Sigma) };
        var result = ParzenWindow.Evaluate(samples, data.Validation.Images.to(samples.device), test.Images.to(samples.device), protocol);

        Console.WriteLine($"Parzen log-likelihood of {test.Name} ({result.TestImages:N0} images): {result}");
        Console.WriteLine($"  kernels on {result.Samples:N0} samples of {source}; " +
                          (result.SigmaSearch.Count > 0 ? $"σ chosen from {result.SigmaSearch.Count} values by {result.ValidationImages:N0} images of {data.Validation.Name}" : "σ given")
                          + $"; {result.Seconds:F1} s");

        var json = p.GetValue(ParzenJson) ?? (generator?.Run?.EvalPath("parzen", generator.Checkpoint.Step));
        if (json is not null)
        {
            EvaluationFiles.Write(json, new ParzenResultFile(datasetName, test.Name, result.LogLikelihood, result.StandardError, result.Sigma,
                                                             result.SigmaSearch, result.Samples, result.ValidationImages, result.TestImages, result.Seconds)
            {
                Checkpoint = generator?.Path, GeneratorWeights = generator?.Weights, Step = generator?.Checkpoint.Step,
                SamplesFile = fromFile ? source : null, Seed = generator is null ? null : p.GetValue(Seed),
            });
            Console.WriteLine($"  → {json}");
        }
        return Cli.Success;
    }
}
