using System.CommandLine;
using GanSharp.Configuration;
using GanSharp.Data;
using GanSharp.Evaluation;
using Spectre.Console;

namespace GanSharp.Cli;

/// <summary><c>gan eval text</c>: a text-to-image run's images of held-out and training captions, beside the real images' scores and chance.</summary>
static class EvalTextCommand
{
    static readonly Option<string?> Json = Cli.Option<string?>("--json", "Where to write the results (default: the run's eval/text-step-N.json)");

    public static Command Create()
    {
        var command = new Command("text", "A text-to-image run (StackGAN): R-precision and Fréchet distances of its images of the held-out emoji's captions and of training captions, beside the real images'")
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
        if (MetricRegistry.Text.Refuses(config) is { } refusal) throw new InputException(refusal);
        Cli.LoadTorch();
        using var loaded = Sources.Product(source, p);
        var t2i = loaded.Product.TextSamples("gan eval text");
        var captioned = (CaptionedConfig)config.Data;
        var json = source.OutputPath(p.GetValue(Json), "text", "json", "--json");
        var dataDir = p.GetValue(CommonOptions.DataDir);
        using var data = DataCommand.WithFetchProgress(progress => CaptionedData.Load(captioned, dataDir, progress));
        using var evaluation = PeriodicEvaluations.Text(data, dataDir, Cli.Lines);
        var scores = evaluation.Evaluate(loaded.Product);
        var real = evaluation.References();

        var table = new Table().AddColumns("", "held-out emoji (test)", "training emoji");
        string Cell(IReadOnlyDictionary<string, double> from, string key) =>
            !from.TryGetValue(key, out var v) ? "–" : key.Contains("fid") ? v.ToString("G4") : key.Contains("_resnet18") ? v.ToString("F3") : v.ToString("P1");
        table.AddRow($"R-precision, stage {t2i.TrainedStages} ↑", Cell(scores, "r_precision_test"), Cell(scores, "r_precision_train"));
        table.AddRow("R-precision, real images (ceiling)", Cell(real, "r_precision_test"), Cell(real, "r_precision_train"));
        table.AddRow("R-precision, chance", "1.0%", "1.0%");
        table.AddRow("category accuracy ↑", Cell(scores, "category_accuracy_test"), Cell(scores, "category_accuracy_train"));
        table.AddRow("category accuracy, real images", Cell(real, "category_accuracy_test"), Cell(real, "category_accuracy_train"));
        table.AddRow("skin-tone accuracy ↑ (chance 20%)", Cell(scores, "skin_tone_accuracy_test"), Cell(scores, "skin_tone_accuracy_train"));
        table.AddRow("skin-tone accuracy, real images", Cell(real, "skin_tone_accuracy_test"), Cell(real, "skin_tone_accuracy_train"));
        table.AddRow("Fréchet (ResNet-18) ↓", Cell(scores, "text_fid_resnet18_test"), Cell(scores, "text_fid_resnet18_train"));
        table.AddRow("precision (ResNet-18) ↑", Cell(scores, "text_precision_resnet18_test"), Cell(scores, "text_precision_resnet18_train"));
        table.AddRow("recall (ResNet-18) ↑", Cell(scores, "text_recall_resnet18_test"), Cell(scores, "text_recall_resnet18_train"));
        if (scores.ContainsKey("text_fid_resnet18_stage1_test"))
        {
            table.AddRow("Stage-I Fréchet (ResNet-18) ↓", Cell(scores, "text_fid_resnet18_stage1_test"), Cell(scores, "text_fid_resnet18_stage1_train"));
            table.AddRow("Stage-I precision / recall (ResNet-18) ↑", $"{Cell(scores, "text_precision_resnet18_stage1_test")} / {Cell(scores, "text_recall_resnet18_stage1_test")}",
                         $"{Cell(scores, "text_precision_resnet18_stage1_train")} / {Cell(scores, "text_recall_resnet18_stage1_train")}");
        }
        Console.WriteLine($"{source.Path} (step {source.Checkpoint.Step:N0}) on {data.Images.Test!.Count:N0} held-out emoji ({data.Test.Texts.Sum(t => t.Count):N0} captions) " +
                          $"and {TextEvaluation.TrainImages} training emoji of {captioned.Summary}; one image a caption; R-precision against {TextEvaluation.Distractors} captions of other emoji " +
                          $"in a matcher trained on real training images; features: ImageNet ResNet-18 ({ResNet18Features.Package} {ResNet18Features.Version})");
        AnsiConsole.Write(table);
        EvaluationFiles.Write(json, new TextResultFile(captioned.Summary, data.Images.Test.Count, data.Test.Texts.Sum(t => t.Count), scores, real, 0.01,
                                                       "ResNet-18 features → 2-layer projection, contrastive against the captions of the real training images",
                                                       $"ImageNet ResNet-18, {ResNet18Features.Package} {ResNet18Features.Version}")
        {
            Checkpoint = source.Path, GeneratorWeights = "trained", Step = source.Checkpoint.Step,
        });
        Console.WriteLine($"  → {json}");
        return Cli.Success;
    }
}
