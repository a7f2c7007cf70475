using System.CommandLine;
using GanSharp.Evaluation;
using GanSharp.Models;
using Tensor = TorchSharp.torch.Tensor;

namespace GanSharp.Cli;

/// <summary><c>gan eval parzen</c>: the paper's Parzen-window log-likelihood of a generator or of a samples file.</summary>
static class EvalCommand
{
    static readonly Option<string?> Dataset = Cli.Option<string?>("--dataset", "Dataset whose validation and test images are scored (default: the run's)");
    static readonly Option<int> Count = new("--count") { Description = "Samples drawn from the generator (kernel centres)", DefaultValueFactory = _ => 10_000 };
    static readonly Option<long> Seed = new("--seed") { Description = "Seed of the generator's noise", DefaultValueFactory = _ => 1 };
    static readonly Option<double?> Sigma = Cli.Option<double?>("--sigma", "Use this kernel width instead of choosing one on validation images");
    static readonly Option<int> ValidationImages = new("--validation-images") { Description = "Validation images that choose σ", DefaultValueFactory = _ => 1_000 };
    static readonly Option<string?> Json = Cli.Option<string?>("--json", "Write the result here (default for a run: DIR/eval/parzen-step-N.json)");

    public static Command Create()
    {
        var parzen = new Command("parzen", "Parzen-window log-likelihood of the test images (the paper's Table 1 protocol)")
        {
            Options = { Sources.Run, Sources.CheckpointFile, Sources.SamplesFile, Dataset, Count, Seed, Sigma, ValidationImages, Json,
                        Sources.Device, DataCommand.DataDir },
        };
        parzen.SetAction(Parzen);
        return new Command("eval", "Evaluate a generator or a file of samples") { Subcommands = { parzen } };
    }

    static int Parzen(ParseResult p)
    {
        bool fromFile = Sources.UsesSamplesFile(p);
        int count = p.GetValue(Count), validationImages = p.GetValue(ValidationImages);
        if (count < 1) throw new InputException($"--count must be positive (got {count})");
        if (validationImages < 1) throw new InputException($"--validation-images must be positive (got {validationImages})");
        if (p.GetValue(Sigma) is <= 0) throw new InputException($"--sigma must be positive (got {p.GetValue(Sigma)})");
        var generator = fromFile ? null : Sources.Generator(p);
        var datasetName = p.GetValue(Dataset) ?? generator?.Checkpoint.Config.Data.Dataset
                          ?? throw new InputException("--samples needs --dataset: the images to score the samples against");

        Cli.LoadTorch();
        using var data = Sources.Dataset(datasetName, p);
        var test = data.Test ?? throw new InputException($"{datasetName} has no test images to score");
        Tensor samples;
        if (generator is null) samples = Sources.ReadSamples(p.GetValue(Sources.SamplesFile)!, data.Train.ImageShape);
        else
        {
            using var g = Generator.FromCheckpoint(generator.Checkpoint, Devices.Resolve(p.GetValue(Sources.Device)!));
            using var rng = new TorchSharp.torch.Generator(unchecked((ulong)p.GetValue(Seed)));
            samples = g.Sample(count, rng);
        }
        using var _ = samples;
        var protocol = new ParzenProtocol { Samples = (int)samples.shape[0], ValidationImages = validationImages, Sigma = p.GetValue(Sigma) };
        var result = ParzenWindow.Evaluate(samples, data.Validation.Images.to(samples.device), test.Images.to(samples.device), protocol);

        var source = generator is null ? p.GetValue(Sources.SamplesFile)! : $"{generator.Path} (step {generator.Checkpoint.Step:N0})";
        Console.WriteLine($"Parzen log-likelihood of {test.Name} ({result.TestImages:N0} images): {result}");
        Console.WriteLine($"  kernels on {result.Samples:N0} samples of {source}; " +
                          (result.SigmaSearch.Count > 0 ? $"σ chosen from {result.SigmaSearch.Count} values by {result.ValidationImages:N0} images of {data.Validation.Name}" : "σ given")
                          + $"; {result.Seconds:F1} s");

        var json = p.GetValue(Json) ?? (generator?.RunFolder is { } run ? EvaluationFiles.PathFor(run, "parzen", generator.Checkpoint.Step) : null);
        if (json is not null)
        {
            EvaluationFiles.Write(json, new
            {
                metric = "parzen", dataset = datasetName, test_set = test.Name, result.LogLikelihood, result.StandardError, result.Sigma,
                result.SigmaSearch, result.Samples, result.ValidationImages, result.TestImages, result.Seconds,
                checkpoint = generator?.Path, step = generator?.Checkpoint.Step, samples_file = fromFile ? source : null,
                seed = generator is null ? (long?)null : p.GetValue(Seed),
            });
            Console.WriteLine($"  → {json}");
        }
        return Cli.Success;
    }
}
