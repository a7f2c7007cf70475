using System.Text.Json;

namespace GanSharp.Evaluation;

/// <summary>Where a run's evaluation results go (<c>eval/</c>), and how they are written (JSON, snake_case keys).</summary>
public static class EvaluationFiles
{
    /// <summary>JSON options of evaluation results: indented, snake_case keys, enums by name.</summary>
    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
        // Enums by name ("non-saturating"), as in config.json, not by number.
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    /// <summary>The run's evaluation folder.</summary>
    public static string Folder(string runFolder) => Path.Combine(runFolder, "eval");

    /// <summary><c>eval/&lt;name&gt;-step-NNNNNNN.&lt;extension&gt;</c>: one result per metric and checkpoint.</summary>
    public static string PathFor(string runFolder, string name, long step, string extension = "json") =>
        Path.Combine(Folder(runFolder), $"{name}-step-{step:D7}.{extension}");

    /// <summary>Writes <paramref name="document"/> as JSON to <paramref name="path"/> atomically, creating its folder.</summary>
    public static void Write(string path, object document)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(folder);
        AtomicFile.WriteText(path, JsonSerializer.Serialize(document, Json) + "\n");
    }
}
