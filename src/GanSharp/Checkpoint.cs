using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using GanSharp.Configuration;
using TorchSharp;
using static TorchSharp.torch;

namespace GanSharp;

/// <summary>
/// A training checkpoint: named binary sections (a game's players and optimizers, the random number generator) and a JSON
/// header with the configuration, the progress and the SHA-256 of the sections. Written atomically; read back only if
/// the checksum matches, so a torn or corrupted file is reported, never half-loaded.
/// </summary>
/// <remarks>
/// Layout: the 16-byte magic <c>GANSHARP-CKPT-1\n</c>, the header length (int64 little-endian), the UTF-8 JSON
/// header, then the sections back to back in the order the header lists them.
/// </remarks>
public sealed class Checkpoint
{
    static readonly byte[] Magic = "GANSHARP-CKPT-1\n"u8.ToArray();

    /// <summary>Section holding the generator's parameters (TorchSharp's module format).</summary>
    public const string GeneratorSection = "generator";
    /// <summary>Section holding the discriminator's parameters.</summary>
    public const string DiscriminatorSection = "discriminator";
    /// <summary>Section holding the generator optimizer's state (momentum buffers, Adam moments).</summary>
    public const string GeneratorOptimizerSection = "generator-optimizer";
    /// <summary>Section holding the discriminator optimizer's state.</summary>
    public const string DiscriminatorOptimizerSection = "discriminator-optimizer";
    /// <summary>Section holding the state of the run's random number generator (noise and dropout masks).</summary>
    public const string RngSection = "rng";

    /// <summary>The run's configuration.</summary>
    public required GanConfig Config { get; init; }
    /// <summary>Completed training iterations (generator updates).</summary>
    public required long Step { get; init; }
    /// <summary>Completed discriminator minibatches (locates the data order).</summary>
    public required long DataBatches { get; init; }
    /// <summary>The sections by name.</summary>
    public required IReadOnlyDictionary<string, byte[]> Sections { get; init; }

    sealed record Header(int Version, long Step, long DataBatches, string Sha256, SectionInfo[] Sections, JsonObject Config);
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

    /// <summary>The bytes of section <paramref name="name"/>.</summary>
    public byte[] Section(string name) =>
        Sections.TryGetValue(name, out var bytes) ? bytes : throw new InputException($"checkpoint has no '{name}' section");

    /// <summary>Writes the checkpoint to <paramref name="path"/> atomically (temporary file, fsync, rename).</summary>
    public void Write(string path)
    {
        var names = Sections.Keys.ToArray();
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var n in names) sha.AppendData(Sections[n]);
        var header = new Header(1, Step, DataBatches, Convert.ToHexStringLower(sha.GetHashAndReset()),
                                names.Select(n => new SectionInfo(n, Sections[n].LongLength)).ToArray(),
                                JsonSerializer.SerializeToNode(Config, GanConfig.Json)!.AsObject());
        var json = JsonSerializer.SerializeToUtf8Bytes(header, GanConfig.Json);
        AtomicFile.Write(path, stream =>
        {
            stream.Write(Magic);
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(length, json.LongLength);
            stream.Write(length);
            stream.Write(json);
            foreach (var n in names) stream.Write(Sections[n]);
        });
    }

    /// <summary>Reads and verifies a checkpoint.</summary>
    /// <exception cref="InputException">Missing file, not a checkpoint, truncated, or checksum mismatch.</exception>
    public static Checkpoint Read(string path)
    {
        if (!File.Exists(path)) throw new InputException($"{path}: checkpoint not found");
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (IOException e) { throw new InputException($"{path}: cannot read ({e.Message})", e); }
        if (bytes.Length < Magic.Length + 8 || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw new InputException($"{path}: not a GanSharp checkpoint");
        long headerLength = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(Magic.Length, 8));
        long offset = Magic.Length + 8;
        if (headerLength <= 0 || offset + headerLength > bytes.Length)
            throw new InputException($"{path}: truncated checkpoint header");
        Header header;
        try
        {
            header = JsonSerializer.Deserialize<Header>(bytes.AsSpan((int)offset, (int)headerLength), GanConfig.Json)
                     ?? throw new JsonException("empty header");
        }
        catch (JsonException e) { throw new InputException($"{path}: corrupt checkpoint header ({e.Message})", e); }
        offset += headerLength;
        if (offset + header.Sections.Sum(s => s.Length) != bytes.Length)
            throw new InputException($"{path}: checkpoint is truncated or has trailing bytes");
        var sections = new Dictionary<string, byte[]>();
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var s in header.Sections)
        {
            var section = bytes.AsSpan((int)offset, (int)s.Length).ToArray();
            sha.AppendData(section);
            sections[s.Name] = section;
            offset += s.Length;
        }
        if (Convert.ToHexStringLower(sha.GetHashAndReset()) != header.Sha256)
            throw new InputException($"{path}: checkpoint checksum mismatch (the file is corrupt)");
        // The configuration as written by any release (older ones are upgraded to today's shape).
        var config = GanConfig.FromNode(header.Config, $"{path}: configuration");
        return new Checkpoint { Config = config, Step = header.Step, DataBatches = header.DataBatches, Sections = sections };
    }
}
