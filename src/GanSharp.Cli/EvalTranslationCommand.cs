using System.CommandLine;
using GanSharp.Configuration;
using GanSharp.Data;
using GanSharp.Evaluation;
using Spectre.Console;

namespace GanSharp.Cli;

/// <summary><c>gan eval translation</c>: a translation run's scores on the held-out pairs, both ways, beside the identity baseline.</summary>
static class EvalTranslationCommand
{
    static readonly Option<string?> Json = Cli.Option<string?>("--json", "Where to write the results (default: the run's eval/translation-step-N.json)");

    public static Command Create()
    {
        var command = new Command("translation", "A translation run (CycleGAN) against the true counterparts of held-out pairs, both ways, beside the untranslated inputs")
        {
            Options = { CommonOptions.Run, Sources.CheckpointFile, Json, CommonOptions.Device, CommonOptions.DataDir },
        };
        command.SetAction(Execute);
        return command;
    }

    static int Execute(ParseResult p)
    {
        var source = Sources.Generator(p);
        var config = source.Checkpoint.Config;
        Cli.LoadTorch();
        using var loaded = Sources.Product(source, p);
        loaded.Product.Translation(Games.TranslationDirection.XToY, "gan eval translation");   // a run that translates nothing: refused here
        if (MetricRegistry.Translation.Refuses(config) is { } refusal) throw new InputException(refusal);
        var domains = (TwoDomainsConfig)config.Data;
        var json = source.OutputPath(p.GetValue(Json), "translation", "json", "--json");
        using var data = DataCommand.WithFetchProgress(progress => TwoDomainData.Load(domains, p.GetValue(CommonOptions.DataDir), progress));
        using var evaluation = PeriodicEvaluations.Translation(data, p.GetValue(CommonOptions.DataDir), Cli.Lines);
        var scores = evaluation.Evaluate(loaded.Product);
        var baseline = evaluation.References();

        var table = new Table().AddColumns("", "X→Y", "identity", "Y→X", "identity");
        foreach (var metric in new[] { "translation_l1", "translation_feature", "retrieval_top1", "retrieval_top5", "style_accuracy", "fid_resnet18", "cycle_l1" })
        {
            string Cell(IReadOnlyDictionary<string, double> from, string d) => from.TryGetValue($"{metric}_{d}", out var v)
                ? metric.StartsWith("retrieval") || metric.StartsWith("style") ? v.ToString("P1") : v.ToString("G4") : "–";
            table.AddRow(metric.Replace('_', ' '), Cell(scores, "x_to_y"), Cell(baseline, "x_to_y"), Cell(scores, "y_to_x"), Cell(baseline, "y_to_x"));
        }
        Console.WriteLine($"{source.Path} (step {source.Checkpoint.Step:N0}) on {data.X.Test!.Count:N0} held-out pairs of {domains.Summary}; " +
                          $"features: ImageNet ResNet-18 ({ResNet18Features.Package} {ResNet18Features.Version}); " +
                          $"style probe {evaluation.StyleClassifierAccuracy:P1} right on the test images of both domains");
        if (source.Checkpoint.HasEma)
            Console.WriteLine($"translators: the moving averages of their weights (β = {config.Ema?.Beta:G4}) kept by the run");
        AnsiConsole.Write(table);
        EvaluationFiles.Write(json, new TranslationResultFile(domains.Summary, data.X.Test.Count, scores, baseline,
                                                              evaluation.StyleClassifierAccuracy,
                                                              $"ImageNet ResNet-18, {ResNet18Features.Package} {ResNet18Features.Version}")
        {
            Checkpoint = source.Path, GeneratorWeights = source.Weights, Step = source.Checkpoint.Step,
        });
        Console.WriteLine($"  → {json}");
        return Cli.Success;
    }
}
