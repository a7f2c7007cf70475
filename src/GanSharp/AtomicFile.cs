namespace GanSharp;

/// <summary>
/// Writes files so that a reader, or a crash, never sees half of one: the content goes to a temporary file in the same
/// folder, is flushed to disk, and is renamed over the target (an atomic replace on POSIX file systems).
/// </summary>
internal static class AtomicFile
{
    /// <summary>
    /// Writes <paramref name="path"/> through <paramref name="write"/>; on any failure the old file stays. With
    /// <paramref name="overwrite"/> false an existing file is never replaced: the write fails with an
    /// <see cref="IOException"/> instead, and leaves nothing behind.
    /// </summary>
    public static void Write(string path, Action<Stream> write, bool overwrite = true)
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
            File.Move(temp, full, overwrite);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    static readonly System.Text.RegularExpressions.Regex TempName = new(@"^\..+\.(\d+)\.[0-9a-f]{32}\.tmp$");

    /// <summary>Whether <paramref name="fileName"/> is one of this type's temporary files.</summary>
    public static bool IsTemporary(string fileName) => TempName.IsMatch(fileName);

    /// <summary>
    /// Deletes the temporary files a killed writer left in <paramref name="folder"/> and its subfolders (a kill between
    /// creating one and renaming it leaves it behind: tens of megabytes for a checkpoint). A file is a leftover when the
    /// process id in its name is no longer running, so a live writer's file is never touched. Returns what was deleted.
    /// </summary>
    public static IReadOnlyList<string> RemoveLeftovers(string folder)
    {
        var removed = new List<string>();
        if (!Directory.Exists(folder)) return removed;
        foreach (var file in Directory.EnumerateFiles(folder, ".*.tmp", SearchOption.AllDirectories))
        {
            var match = TempName.Match(Path.GetFileName(file));
            if (!match.Success || (int.TryParse(match.Groups[1].Value, out var pid) && IsRunning(pid))) continue;
            try
            {
                File.Delete(file);
                removed.Add(file);
            }
            catch (IOException) { }  // a file we cannot delete is left as it was
            catch (UnauthorizedAccessException) { }
        }
        return removed;
    }

    static bool IsRunning(int pid)
    {
        if (pid == Environment.ProcessId) return true;
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException) { return false; }         // no such process
        catch (InvalidOperationException) { return false; }
    }

    /// <summary>Writes text (UTF-8) atomically.</summary>
    public static void WriteText(string path, string text) =>
        Write(path, s => { var bytes = System.Text.Encoding.UTF8.GetBytes(text); s.Write(bytes); });
}
