using GanSharp.Data;
using GanSharp.Games;
using GanSharp.Imaging;
using static TorchSharp.torch;

namespace GanSharp.Training;

/// <summary>
/// The run's sample grids (<c>samples/step-N.png</c> and <c>samples/last.png</c>): the game's fixed inputs
/// (<see cref="Game.CreateGrid"/>), chosen once from the run's seed, drawn through its product at each grid.
/// </summary>
internal sealed class SampleGrids : IDisposable
{
    private readonly Trainer trainer;
    private readonly RunDirectory directory;
    private readonly IFixedGrid grid;

    /// <summary>The grids of <paramref name="trainer"/>'s run in <paramref name="directory"/>.</summary>
    public SampleGrids(Trainer trainer, RunDirectory directory)
    {
        (this.trainer, this.directory) = (trainer, directory);
        grid = trainer.Game.CreateGrid(trainer.Config.Output.SampleCount, trainer.Config.Train.Seed);
    }

    /// <summary>
    /// Writes the grid of the current step from what the run samples with (the average of G where it keeps one), and
    /// hands its path to <paramref name="written"/> (TensorBoard).
    /// </summary>
    /// <exception cref="TrainingDivergedException">The images are not finite.</exception>
    public void Save(Action<string>? written = null)
    {
        using var scope = NewDisposeScope();
        var (images, columns) = grid.Draw(trainer.Product);             // [N, C, H, W]
        if (!Models.Weights.AllFinite(images)) throw NonFinite();
        var path = directory.SamplesPath(trainer.Step);
        ImageGrid.SavePng(images, path, columns);
        File.Copy(path, directory.LastSamplesPath, overwrite: true);
        written?.Invoke(path);
    }

    /// <summary>
    /// Writes <c>samples/real.png</c>: up to <paramref name="count"/> of <paramref name="train"/>'s first images as the nets
    /// see them (cropped, resized, coloured as the run prepares them), for the report.
    /// </summary>
    public static void SaveReal(TrainingSet train, RunDirectory directory, int count)
    {
        using var images = train.Preview(count);                       // [n, C, H, W] in [0, 1]
        ImageGrid.SavePng(images, directory.RealSamplesPath);
    }

    /// <summary>Refuses trained players whose grid is not finite: finite weights can still overflow inside a net (∞ − ∞).</summary>
    /// <exception cref="TrainingDivergedException">The trained players draw non-finite images.</exception>
    public void CheckFinite()
    {
        using var scope = NewDisposeScope();
        if (!Models.Weights.AllFinite(grid.Draw(trainer.TrainedProduct).Images)) throw NonFinite();
    }

    TrainingDivergedException NonFinite() =>
        new($"training diverged at step {trainer.Step}: the generator's samples are not finite (NaN or infinity)");

    /// <inheritdoc/>
    public void Dispose() => grid.Dispose();
}
