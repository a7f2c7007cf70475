using System.Text.Json;

namespace GanSharp.Evaluation;

/// <summary>How evaluation results are written (JSON, snake_case keys); where they go is the run's <c>RunDirectory.EvalPath</c>.</summary>
internal static class EvaluationFiles
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

    /// <summary>Writes <paramref name="document"/> as JSON to <paramref name="path"/> atomically, creating its folder.</summary>
    public static void Write(string path, object document)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(folder);
        AtomicFile.WriteText(path, JsonSerializer.Serialize(document, Json) + "\n");
    }
}
