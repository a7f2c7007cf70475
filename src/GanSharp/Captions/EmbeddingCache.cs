using System.Security.Cryptography;
using System.Text;
using GanSharp.Data;
using static TorchSharp.torch;

namespace GanSharp.Captions;

/// <summary>
/// Caption embeddings kept on disk, so that every caption is embedded once per encoder: one file per encoder,
/// <c>&lt;data cache&gt;/text-embeddings/&lt;encoder&gt;.bin</c>, keyed by the SHA-256 of each caption's UTF-8 text. A changed
/// caption is a new key and is embedded; a new encoder version is a new file. The encoder embeds each text alone
/// (<see cref="MiniLmEncoder"/>), so what the cache holds is what embedding the text now would give.
/// <para>
/// Layout (little-endian): "GSTE", format 1 (u32), dimension E (u32), the encoder's id (u32 byte count, UTF-8), the
/// entry count n (u32), n entries sorted by key (32-byte key, E float32), then the SHA-256 of everything before it. A
/// file that fails any check — a crash cannot leave one, writes are atomic — is set aside with a warning and rebuilt:
/// it is derived data, never trusted unverified.
/// </para>
/// </summary>
public sealed class EmbeddingCache(TextEncoder encoder, string folder)
{
    const uint Format = 1;
    static readonly byte[] Magic = "GSTE"u8.ToArray();

    /// <summary>The cache of <paramref name="encoder"/> in the data cache (<paramref name="dataDir"/>, else $GANSHARP_DATA, else ~/.cache/gansharp).</summary>
    public static EmbeddingCache InDataCache(TextEncoder encoder, string? dataDir = null) =>
        new(encoder, System.IO.Path.Combine(DatasetCatalog.CacheRoot(dataDir), "text-embeddings"));

    /// <summary>The file of this encoder's embeddings.</summary>
    public string Path => System.IO.Path.Combine(folder, string.Concat(encoder.Id.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' ? c : '_')) + ".bin");

    /// <summary>Captions embedded (not found in the cache) by the last <see cref="Embed"/>.</summary>
    public int LastEmbedded { get; private set; }

    /// <summary>
    /// The embeddings of <paramref name="texts"/>, <c>[n, E]</c> float32 on the CPU: from the cache where it has them, else
    /// embedded now and added to it (the file rewritten atomically).
    /// </summary>
    /// <param name="texts">The captions, each checked by <see cref="TextEncoder.Check"/>.</param>
    /// <param name="where">Names the texts in messages.</param>
    /// <param name="progress">Told how many captions are embedded, when any are.</param>
    /// <exception cref="InputException">A caption the encoder refuses.</exception>
    public Tensor Embed(IReadOnlyList<string> texts, string where = "captions", IProgress<FetchProgress>? progress = null)
    {
        var keys = texts.Select(t => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(t)))).ToArray();
        var known = Read(progress);
        var missing = Enumerable.Range(0, texts.Count).Where(i => !known.ContainsKey(keys[i])).DistinctBy(i => keys[i]).ToList();
        LastEmbedded = missing.Count;
        if (missing.Count > 0)
        {
            progress?.Report(new FetchProgress($"embedding {missing.Count:N0} captions with {encoder.Id}", 0, missing.Count));
            var fresh = encoder.Encode(missing.Select(i => texts[i]).ToList(), where);
            using (fresh)
                for (int j = 0; j < missing.Count; j++)
                    known[keys[missing[j]]] = fresh[j].data<float>().ToArray();
            Write(known);
        }
        var all = new float[texts.Count * encoder.Dimension];
        for (int i = 0; i < texts.Count; i++) known[keys[i]].CopyTo(all, i * encoder.Dimension);
        return tensor(all, [texts.Count, encoder.Dimension]);
    }

    Dictionary<string, float[]> Read(IProgress<FetchProgress>? progress)
    {
        var found = new Dictionary<string, float[]>(StringComparer.Ordinal);
        if (!File.Exists(Path)) return found;
        try
        {
            var bytes = File.ReadAllBytes(Path);
            if (bytes.Length < 4 + 4 + 4 + 4 + 4 + 32) throw new FormatException("too short");
            int body = bytes.Length - 32;
            if (!SHA256.HashData(bytes.AsSpan(0, body)).AsSpan().SequenceEqual(bytes.AsSpan(body))) throw new FormatException("checksum does not match");
            using var reader = new BinaryReader(new MemoryStream(bytes, 0, body));
            if (!reader.ReadBytes(4).SequenceEqual(Magic) || reader.ReadUInt32() != Format) throw new FormatException("not a GanSharp embedding cache of format 1");
            int dimension = (int)reader.ReadUInt32();
            var id = Encoding.UTF8.GetString(reader.ReadBytes((int)reader.ReadUInt32()));
            if (dimension != encoder.Dimension || id != encoder.Id) throw new FormatException($"made by {id}, not {encoder.Id}");
            uint count = reader.ReadUInt32();
            if ((long)count * (32 + 4 * dimension) != body - reader.BaseStream.Position) throw new FormatException("entry count does not match its length");
            for (uint i = 0; i < count; i++)
            {
                var key = Convert.ToHexString(reader.ReadBytes(32));
                var values = new float[dimension];
                for (int d = 0; d < dimension; d++) values[d] = reader.ReadSingle();
                found[key] = values;
            }
            return found;
        }
        catch (Exception e) when (e is FormatException or EndOfStreamException or IOException)
        {
            progress?.Report(new FetchProgress($"failed, {Path}: {e.Message}; embedding its captions again", 0, null));
            return [];
        }
    }

    void Write(Dictionary<string, float[]> entries)
    {
        Directory.CreateDirectory(folder);
        AtomicFile.Write(Path, stream =>
        {
            var buffer = new MemoryStream();
            using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
            {
                writer.Write(Magic);
                writer.Write(Format);
                writer.Write((uint)encoder.Dimension);
                var id = Encoding.UTF8.GetBytes(encoder.Id);
                writer.Write((uint)id.Length);
                writer.Write(id);
                writer.Write((uint)entries.Count);
                foreach (var (key, values) in entries.OrderBy(e => e.Key, StringComparer.Ordinal))
                {
                    writer.Write(Convert.FromHexString(key));
                    foreach (var v in values) writer.Write(v);
                }
            }
            var bytes = buffer.ToArray();
            stream.Write(bytes);
            stream.Write(SHA256.HashData(bytes));
        });
    }
}
