using System.CommandLine;
using GanSharp.Export;

namespace GanSharp.Cli;

/// <summary><c>gan export</c>: a run's generator as safetensors or PyTorch's .pt, with a JSON description beside it, for other tools.</summary>
static class ExportCommand
{
    static readonly Option<string?> Out = CommonOptions.Out("The weights file to write: NAME.safetensors, or NAME.pt (PyTorch's torch.save format); the description goes beside it as NAME.json");

    public static Command Create()
    {
        var command = new Command("export", "Write a run's generator as safetensors or .pt, with its architecture, noise and data as JSON beside it")
        {
            Options = { CommonOptions.Run, Sources.CheckpointFile, Out },
        };
        command.SetAction(Execute);
        return command;
    }

    static int Execute(ParseResult p)
    {
        var output = CommonOptions.RequiredOut(p, Out, "the weights file to write (NAME.safetensors or NAME.pt)");
        GeneratorExport.CheckPath(output);                                  // before the checkpoint is read
        var source = Sources.Generator(p);
        Cli.LoadTorch();
        var written = GeneratorExport.Write(source.Checkpoint, output);
        Console.WriteLine($"generator of {source.Path} (step {written.Step:N0}; {(written.MovingAverage ? "the moving average of its weights" : "its trained weights")}): " +
                          $"{written.Tensors} tensors → {written.Weights}; description → {written.Description}");
        return Cli.Success;
    }
}
