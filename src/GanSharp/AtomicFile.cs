namespace GanSharp;

/// <summary>
/// Writes files so that a reader, or a crash, never sees half of one: the content goes to a temporary file in the same
/// folder, is flushed to disk, and is renamed over the target (an atomic replace on POSIX file systems).
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/>; on any failure the old file stays.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(folder);
        var temp = Path.Combine(folder, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>Writes text (UTF-8) atomically.</summary>
    public static void WriteText(string path, string text) =>
        Write(path, s => { var bytes = System.Text.Encoding.UTF8.GetBytes(text); s.Write(bytes); });
}
