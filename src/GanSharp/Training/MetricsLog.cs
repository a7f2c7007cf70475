using System.Text.Json;

namespace GanSharp.Training;

/// <summary>
/// A run's measurements: one JSON object per line in metrics.jsonl and, if asked for, the same values in TensorBoard
/// under the same names (one name per scalar, everywhere). Rows carry <c>step</c> and <c>epoch</c>; the rest are
/// whatever the game and the evaluations measured. Read back with <see cref="MetricsFile"/>.
/// </summary>
internal sealed class MetricsLog : IDisposable
{
    /// <summary>Keys that locate a row rather than measure something: not sent to TensorBoard.</summary>
    static readonly HashSet<string> Position = ["step", "epoch", "wall_s", "eval_s", "cpu_s", "eval_cpu_s"];

    private readonly StreamWriter writer;
    private readonly TensorBoardEvents? tensorBoard;

    /// <summary>Appends to <paramref name="path"/>; writes TensorBoard events into <paramref name="tensorBoardFolder"/> unless null.</summary>
    public MetricsLog(string path, string? tensorBoardFolder)
    {
        writer = new StreamWriter(path, append: true) { AutoFlush = true };
        if (tensorBoardFolder is not null) tensorBoard = new TensorBoardEvents(tensorBoardFolder);
    }

    /// <summary>Writes one row (its <c>step</c> first) to the log and its numeric values to TensorBoard.</summary>
    public void Write(IReadOnlyDictionary<string, object> row)
    {
        writer.WriteLine(JsonSerializer.Serialize(row));
        if (tensorBoard is null) return;
        long step = Convert.ToInt64(row["step"]);
        foreach (var (name, value) in row)
            if (!Position.Contains(name) && value is double or float or int or long)
                tensorBoard.Scalar(name, Convert.ToSingle(value), step);
    }

    /// <summary>Adds an image (a sample grid PNG) to TensorBoard.</summary>
    public void Image(string tag, string pngPath, long step) => tensorBoard?.Png(tag, File.ReadAllBytes(pngPath), step);

    /// <inheritdoc/>
    public void Dispose()
    {
        writer.Dispose();
        tensorBoard?.Dispose();
    }
}
