using System.Runtime.InteropServices;
using System.Text;

namespace GanSharp.Training;

/// <summary>
/// The one-writer lock of a run folder: an exclusive lock on <c>run.lock</c>, held by the process that trains (or resumes)
/// the run and released by the operating system when that process ends, however it ends — a killed run leaves no stale
/// lock (only its file, which the next writer takes over). The file holds the holder's process id, so a refused second
/// writer can say who holds it. A run that ends in its own process removes the file, still holding the lock. Readers
/// (sample, eval, figure) do not take it.
/// </summary>
/// <remarks>
/// On Linux the lock is a POSIX record lock (<c>fcntl F_SETLK</c>) rather than .NET's <c>FileShare.None</c> (an
/// <c>flock</c>): the two kinds do not see each other, so other processes can still open the file to read the holder's
/// id. Elsewhere <c>FileShare.None</c> is the lock and the holder is not named.
/// <para>
/// Removing the file makes one race: a second writer that opened it just before the removal may take the lock on the
/// removed file after the first lets go, while a third creates a new one. So a writer that took the lock checks that its
/// file was not removed (its <c>/proc/self/fd</c> link does not end in "(deleted)"; opening the path to look would
/// release the lock, as closing any descriptor of a file releases the process's record locks on it) and otherwise lets
/// go and tries again.
/// </para>
/// </remarks>
internal sealed class RunLock : IDisposable
{
    private readonly FileStream stream;
    private readonly string path;

    private RunLock(FileStream stream, string path) => (this.stream, this.path) = (stream, path);

    /// <summary>Takes the lock of the run in <paramref name="directory"/> (whose folder must exist).</summary>
    /// <exception cref="InputException">Another process holds it.</exception>
    public static RunLock Take(RunDirectory directory)
    {
        for (int attempt = 1; ; attempt++)
        {
            var taken = TakeOnce(directory);
            if (taken.IsAtPath() || attempt == 3) return taken;
            taken.stream.Dispose();                                  // a removed file's lock: let go, open the path again
        }
    }

    static RunLock TakeOnce(RunDirectory directory)
    {
        var path = directory.LockPath;
        string Refusal(string holder) =>
            $"{directory.Folder} is being trained by {holder}: one process at a time may write a run (wait for it, or stop it first)";
        if (!OperatingSystem.IsLinux())
        {
            try { return Written(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 4096, FileOptions.DeleteOnClose), path); }
            catch (IOException) { throw new InputException(Refusal("another process")); }
        }
        var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        var request = new Flock { Type = WriteLock, Whence = 0 /* SEEK_SET */, Start = 0, Length = 0 /* the whole file */ };
        if (fcntl(stream.SafeFileHandle.DangerousGetHandle().ToInt32(), SetLock, ref request) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            string holder;
            try
            {
                var text = new StreamReader(stream, Encoding.UTF8).ReadToEnd().Trim();
                holder = int.TryParse(text, out var pid) ? $"process {pid}" : "another process";
            }
            finally { stream.Dispose(); }
            throw new InputException(errno is EAGAIN or EACCES ? Refusal(holder) : $"{path}: cannot lock the run (errno {errno})");
        }
        return Written(stream, path);
    }

    static RunLock Written(FileStream stream, string path)
    {
        stream.SetLength(0);
        stream.Write(Encoding.UTF8.GetBytes(Holder));
        stream.Flush();
        return new RunLock(stream, path);
    }

    static string Holder => $"{Environment.ProcessId}\n";

    /// <summary>Whether the locked file is still the one at the path (not removed since it was opened); elsewhere than Linux, always.</summary>
    internal bool IsAtPath()
    {
        if (!OperatingSystem.IsLinux()) return true;
        var link = new FileInfo($"/proc/self/fd/{stream.SafeFileHandle.DangerousGetHandle().ToInt32()}").LinkTarget;
        return link is null || !link.EndsWith(" (deleted)", StringComparison.Ordinal);
    }

    /// <summary>Removes the file and releases the lock (closing the file releases it).</summary>
    public void Dispose()
    {
        if (OperatingSystem.IsLinux())
        {
            try { File.Delete(path); }                               // still held: no other writer is between these lines
            catch (IOException) { }                                  // a lock file left is harmless: the next writer takes it over
            catch (UnauthorizedAccessException) { }
        }
        stream.Dispose();
    }

    // struct flock of 64-bit Linux (x64 and arm64 alike): short l_type, short l_whence, off_t l_start, off_t l_len, pid_t l_pid.
    [StructLayout(LayoutKind.Sequential)]
    struct Flock
    {
        public short Type, Whence;
        public long Start, Length;
        public int Pid;
    }

    const int SetLock = 6;        // F_SETLK: take or fail at once
    const short WriteLock = 1;    // F_WRLCK
    const int EACCES = 13, EAGAIN = 11;

    [DllImport("libc", SetLastError = true)]
    static extern int fcntl(int fd, int command, ref Flock lockRequest);
}
