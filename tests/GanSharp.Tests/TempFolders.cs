namespace GanSharp.Tests;

/// <summary>
/// A test class whose tests delete their temporary folders when they end: xunit makes the class anew for every test and
/// disposes it after, and this <see cref="TempFolder"/> hides <see cref="TestSupport.TempFolder"/> in the class's
/// methods. The classes that write whole runs derive from it (their checkpoints are 30 MB each for the paper's nets):
/// kept until the process exits, the suite's folders reached 3.4 GB by its end, more than a CI machine had free;
/// deleted per test, the disk holds only the tests that run at the same time (the peak 1.1 GB, measured with `du` every
/// 2 s). A test that fails leaves nothing either.
/// </summary>
public abstract class TempFolders : IDisposable
{
    readonly List<string> made = [];

    /// <summary>A fresh temporary folder, deleted when the test ends.</summary>
    protected string TempFolder()
    {
        var folder = TestSupport.TempFolder();
        lock (made) made.Add(folder);
        return folder;
    }

    public void Dispose()
    {
        lock (made)
            foreach (var folder in made)
                try { Directory.Delete(folder, recursive: true); }
                catch (IOException) { }  // a file still held: the process's exit handler removes the rest
                catch (UnauthorizedAccessException) { }
        GC.SuppressFinalize(this);
    }
}
