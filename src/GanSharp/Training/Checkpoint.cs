using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using GanSharp.Configuration;
using TorchSharp;
using static TorchSharp.torch;

namespace GanSharp.Training;

/// <summary>
/// A training checkpoint: named binary sections (a game's players and optimizers, the random number generator) and a JSON
/// header with the format version, the configuration and the progress, all covered by one SHA-256. Written atomically;
/// read back only if the checksum matches, so a torn, corrupted or edited file is reported, never half-loaded.
/// </summary>
/// <remarks>
/// Layout (format 2): the 16-byte magic <c>GANSHARP-CKPT-2\n</c>, the header length (int64 little-endian), the UTF-8
/// JSON header (<c>version</c>, <c>step</c>, <c>dataBatches</c>, <c>sections</c> [name, length], <c>config</c>), the
/// sections back to back in the header's order, and last the 32-byte SHA-256 of every byte before it.
/// Format 1 (magic <c>GANSHARP-CKPT-1\n</c>, written before 2026-11-26) had no trailer and a checksum of the sections
/// only, in the header; it is still read, and a run resumed from one writes format 2 from its next checkpoint on.
/// A file of a newer format is refused with a message saying so.
/// <para>
/// Reading streams the file: its magic is checked before anything else is read (a device or a file of another kind is
/// refused at once), the whole-file checksum is verified in one pass of bounded memory before the header is parsed,
/// and then each section is read into its own buffer — so a checkpoint over 2 GB (nets of a few hundred million
/// weights with Adam's moments) reads back; one section must stay under .NET's largest array (about 2 GB).
/// </para>
/// </remarks>
public sealed class Checkpoint : Games.ISavedPlayers
{
    /// <summary>The format this release writes.</summary>
    public const int FormatVersion = 2;
    static readonly byte[] MagicStem = "GANSHARP-CKPT-"u8.ToArray();  // then the format version's digit and '\n'
    const int MagicLength = 16, ChecksumLength = 32;

    /// <summary>Section holding the generator's parameters (TorchSharp's module format).</summary>
    public const string GeneratorSection = Games.TwoPlayerGame.GeneratorName;
    /// <summary>Section holding the discriminator's parameters.</summary>
    public const string DiscriminatorSection = Games.TwoPlayerGame.DiscriminatorName;
    /// <summary>Section holding the generator optimizer's state (momentum buffers, Adam moments).</summary>
    public const string GeneratorOptimizerSection = Games.TwoPlayerGame.GeneratorOptimizerName;
    /// <summary>Section holding the discriminator optimizer's state.</summary>
    public const string DiscriminatorOptimizerSection = Games.TwoPlayerGame.DiscriminatorOptimizerName;
    /// <summary>Section holding the state of the run's random number generator (noise and dropout masks).</summary>
    public const string RngSection = "rng";
    /// <summary>Section holding the exponential moving average of the generator's weights, in runs that keep one.</summary>
    public const string GeneratorEmaSection = Games.Game.GeneratorAverageName;
    /// <summary>Section holding the running average of the discriminator's weights (the semi-supervised game's classifier).</summary>
    public const string DiscriminatorAverageSection = Games.SemiSupervisedGan.DiscriminatorAverageName;

    /// <summary>
    /// Whether the checkpoint holds a moving average of a generator's weights (the run's <c>ema</c>: of G, or of both
    /// translators), which drawing from it then uses.
    /// </summary>
    public bool HasEma => Sections.Keys.Any(name => name.EndsWith(Games.Game.AverageSuffix, StringComparison.Ordinal));
    /// <summary>Whether the checkpoint holds an average of D's weights (which classification then uses).</summary>
    public bool HasDiscriminatorAverage => Sections.ContainsKey(DiscriminatorAverageSection);

    /// <summary>The run's configuration.</summary>
    public required GanConfig Config { get; init; }
    /// <summary>Completed training iterations (generator updates).</summary>
    public required long Step { get; init; }

    /// <inheritdoc/>
    long? Games.ISavedPlayers.StepsTrained => Step;
    /// <summary>Completed discriminator minibatches (locates the data order).</summary>
    public required long DataBatches { get; init; }
    /// <summary>The sections by name.</summary>
    public required IReadOnlyDictionary<string, byte[]> Sections { get; init; }
    /// <summary>The file it was read from (null for one built in memory).</summary>
    public string? Source { get; init; }

    // Sha256 is format 1's checksum of the sections; format 2 leaves it out and checks the whole file instead.
    sealed record Header(int Version, long Step, long DataBatches, SectionInfo[] Sections, JsonObject Config, string? Sha256 = null);
    sealed record SectionInfo(string Name, long Length);

    /// <summary>Serialises a module's parameters and buffers to a section.</summary>
    public static byte[] Save(nn.Module module)
    {
        using var memory = new MemoryStream();
        using (var writer = new BinaryWriter(memory, Encoding.UTF8, leaveOpen: true)) module.save(writer);
        return memory.ToArray();
    }

    /// <summary>Serialises an optimizer's state to a section.</summary>
    public static byte[] Save(TorchSharp.Modules.OptimizerHelper optimizer)
    {
        using var memory = new MemoryStream();
        using (var writer = new BinaryWriter(memory, Encoding.UTF8, leaveOpen: true)) optimizer.save_state_dict(writer);
        return memory.ToArray();
    }

    /// <summary>Serialises a game's own state (an image pool) to a section.</summary>
    public static byte[] Save(Games.IGameState state)
    {
        using var memory = new MemoryStream();
        using (var writer = new BinaryWriter(memory, Encoding.UTF8, leaveOpen: true)) state.Save(writer);
        return memory.ToArray();
    }

    /// <summary>Loads section <paramref name="name"/> into a game's own state.</summary>
    /// <exception cref="InputException">No such section, or bytes that are not that state.</exception>
    public void LoadInto(string name, Games.IGameState state)
    {
        using var reader = new BinaryReader(new MemoryStream(Section(name)));
        try { state.Load(reader); }
        catch (EndOfStreamException) { throw new InputException($"{Where}: section '{name}' is cut short"); }
    }

    /// <summary>Loads section <paramref name="name"/> into a module of the same architecture.</summary>
    public void LoadInto(string name, nn.Module module)
    {
        using var reader = new BinaryReader(new MemoryStream(Section(name)));
        module.load(reader, strict: true);
    }

    /// <summary>Loads section <paramref name="name"/> into an optimizer over the same parameters.</summary>
    public void LoadInto(string name, TorchSharp.Modules.OptimizerHelper optimizer)
    {
        using var reader = new BinaryReader(new MemoryStream(Section(name)));
        optimizer.load_state_dict(reader);
    }

    /// <inheritdoc/>
    public string Where => Source ?? "checkpoint";
    /// <inheritdoc/>
    public bool Has(string name) => Sections.ContainsKey(name);

    /// <summary>The bytes of section <paramref name="name"/>.</summary>
    public byte[] Section(string name) =>
        Sections.TryGetValue(name, out var bytes) ? bytes : throw new InputException($"{Where}: no section '{name}' (it has {string.Join(", ", Sections.Keys)})");

    /// <summary>Writes the checkpoint to <paramref name="path"/> atomically (temporary file, fsync, rename).</summary>
    public void Write(string path)
    {
        var names = Sections.Keys.ToArray();
        var header = new Header(FormatVersion, Step, DataBatches, names.Select(n => new SectionInfo(n, Sections[n].LongLength)).ToArray(),
                                JsonSerializer.SerializeToNode(Config, GanConfig.Json)!.AsObject());
        var json = JsonSerializer.SerializeToUtf8Bytes(header, GanConfig.Json);
        AtomicFile.Write(path, stream =>
        {
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            void Put(ReadOnlySpan<byte> bytes)
            {
                stream.Write(bytes);
                sha.AppendData(bytes);
            }
            Put(Magic(FormatVersion));
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(length, json.LongLength);
            Put(length);
            Put(json);
            foreach (var n in names) Put(Sections[n]);
            stream.Write(sha.GetHashAndReset());
        });
    }

    static byte[] Magic(int version) => [.. MagicStem, (byte)('0' + version), (byte)'\n'];

    /// <summary>Reads and verifies a checkpoint.</summary>
    /// <exception cref="InputException">Missing file, not a checkpoint, a newer format, truncated, or checksum mismatch.</exception>
    public static Checkpoint Read(string path)
    {
        if (!File.Exists(path)) throw new InputException($"{path}: checkpoint not found");
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
            return Read(stream, path);
        }
        catch (IOException e) { throw new InputException($"{path}: cannot read ({e.Message})", e); }
        catch (UnauthorizedAccessException e) { throw new InputException($"{path}: cannot read ({e.Message})", e); }
    }

    static Checkpoint Read(FileStream stream, string path)
    {
        // The magic first, before the file's length is trusted or anything else is read.
        var magic = new byte[MagicLength];
        if (stream.ReadAtLeast(magic, MagicLength, throwOnEndOfStream: false) < MagicLength || !magic.AsSpan(0, MagicStem.Length).SequenceEqual(MagicStem)
            || magic[MagicLength - 1] != '\n' || magic[MagicStem.Length] is < (byte)'1' or > (byte)'9')
            throw new InputException($"{path}: not a GanSharp checkpoint");
        int version = magic[MagicStem.Length] - '0';
        if (version > FormatVersion)
            throw new InputException($"{path}: checkpoint format {version} was written by a newer GanSharp; this release reads formats 1 to {FormatVersion}");

        // Format 2: the trailer checks every byte, header included, before anything is parsed.
        long end = stream.Length;
        if (version >= 2)
        {
            end -= ChecksumLength;
            if (end < MagicLength + 8 || !TrailerMatches(stream, end))
                throw new InputException($"{path}: checkpoint checksum mismatch (the file is corrupt, truncated or was edited)");
            stream.Position = MagicLength;
        }
        var lengthBytes = new byte[8];
        if (stream.ReadAtLeast(lengthBytes, 8, throwOnEndOfStream: false) < 8) throw new InputException($"{path}: truncated checkpoint header");
        long headerLength = BinaryPrimitives.ReadInt64LittleEndian(lengthBytes);
        long offset = MagicLength + 8;
        if (headerLength <= 0 || offset + headerLength > end || headerLength > Array.MaxLength)
            throw new InputException($"{path}: truncated checkpoint header");
        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        Header header;
        try
        {
            header = JsonSerializer.Deserialize<Header>(headerBytes, GanConfig.Json) ?? throw new JsonException("empty header");
        }
        catch (JsonException e) { throw new InputException($"{path}: corrupt checkpoint header ({e.Message})", e); }
        if (header.Version != version)
            throw new InputException($"{path}: corrupt checkpoint header (format {header.Version} in a format-{version} file)");
        offset += headerLength;
        if (header.Sections.Any(s => s.Length < 0 || s.Length > end) || offset + header.Sections.Sum(s => s.Length) != end)
            throw new InputException($"{path}: checkpoint is truncated or has trailing bytes");
        if (header.Sections.FirstOrDefault(s => s.Length > Array.MaxLength) is { } huge)
            throw new InputException($"{path}: section '{huge.Name}' is {huge.Length / (double)(1L << 30):N1} GiB; this release reads sections of up to 2 GiB");
        var sections = new Dictionary<string, byte[]>();
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var s in header.Sections)
        {
            var section = new byte[s.Length];
            stream.ReadExactly(section);
            if (version == 1) sha.AppendData(section);
            sections[s.Name] = section;
        }
        if (version == 1 && Convert.ToHexStringLower(sha.GetHashAndReset()) != header.Sha256)
            throw new InputException($"{path}: checkpoint checksum mismatch (the file is corrupt)");
        if (header.Step < 0 || header.DataBatches < 0)
            throw new InputException($"{path}: corrupt checkpoint header (negative progress)");
        // The configuration as written by any release (older ones are upgraded to today's shape).
        var config = GanConfig.FromNode(header.Config, $"{path}: configuration");
        return new Checkpoint { Config = config, Step = header.Step, DataBatches = header.DataBatches, Sections = sections, Source = path };
    }

    /// <summary>Whether the SHA-256 of the stream's first <paramref name="end"/> bytes is the 32 bytes after them (one pass, 1 MiB at a time).</summary>
    static bool TrailerMatches(Stream stream, long end)
    {
        stream.Position = 0;
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        for (long left = end; left > 0;)
        {
            int n = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
            if (n == 0) return false;
            sha.AppendData(buffer, 0, n);
            left -= n;
        }
        var trailer = new byte[ChecksumLength];
        return stream.ReadAtLeast(trailer, ChecksumLength, throwOnEndOfStream: false) == ChecksumLength
               && sha.GetHashAndReset().AsSpan().SequenceEqual(trailer);
    }
}
