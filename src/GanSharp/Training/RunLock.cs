using System.Runtime.InteropServices;
using System.Text;

namespace GanSharp.Training;

/// <summary>
/// The one-writer lock of a run folder: an exclusive lock on <c>run.lock</c>, held by the process that trains (or resumes)
/// the run and released by the operating system when that process ends, however it ends — a killed run leaves no stale
/// lock. The file holds the holder's process id, so a refused second writer can say who holds it. Readers (sample, eval,
/// figure) do not take it.
/// </summary>
/// <remarks>
/// On Linux the lock is a POSIX record lock (<c>fcntl F_SETLK</c>) rather than .NET's <c>FileShare.None</c> (an
/// <c>flock</c>): the two kinds do not see each other, so other processes can still open the file to read the holder's
/// id. Elsewhere <c>FileShare.None</c> is the lock and the holder is not named.
/// </remarks>
internal sealed class RunLock : IDisposable
{
    private readonly FileStream stream;

    private RunLock(FileStream stream) => this.stream = stream;

    /// <summary>Takes the lock of the run in <paramref name="directory"/> (whose folder must exist).</summary>
    /// <exception cref="InputException">Another process holds it.</exception>
    public static RunLock Take(RunDirectory directory)
    {
        var path = directory.LockPath;
        string Refusal(string holder) =>
            $"{directory.Folder} is being trained by {holder}: one process at a time may write a run (wait for it, or stop it first)";
        if (!OperatingSystem.IsLinux())
        {
            try { return Written(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None)); }
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
        return Written(stream);
    }

    static RunLock Written(FileStream stream)
    {
        stream.SetLength(0);
        stream.Write(Encoding.UTF8.GetBytes($"{Environment.ProcessId}\n"));
        stream.Flush();
        return new RunLock(stream);
    }

    /// <summary>Releases the lock (closing the file releases it; the file stays, empty of meaning).</summary>
    public void Dispose() => stream.Dispose();

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
