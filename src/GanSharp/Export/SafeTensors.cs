using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace GanSharp.Export;

/// <summary>
/// The safetensors format (Hugging Face, <c>huggingface/safetensors</c>, format version of 2023): what PyTorch, JAX and
/// the Hugging Face tools load without running any of the file's code.
/// <code>
/// 8 bytes        N, the header's length, unsigned little-endian
/// N bytes        the header, UTF-8 JSON: { "NAME": { "dtype": "F32", "shape": [d0, d1, …], "data_offsets": [begin, end] }, …,
///                "__metadata__": { "KEY": "VALUE", … } }   (padded with spaces to a multiple of 8, so the data is aligned)
/// the data      each tensor's bytes, row-major, little-endian, at [begin, end) from the data's start, in order, no gaps
/// </code>
/// Tensors are written in name order (the format's own tools sort them too), so the same weights make the same file.
/// </summary>
public static class SafeTensors
{
    /// <summary>The element types written, by their name in the format.</summary>
    static string DType(ScalarType type) => type switch
    {
        ScalarType.Float32 => "F32",
        ScalarType.Float64 => "F64",
        ScalarType.Float16 => "F16",
        ScalarType.BFloat16 => "BF16",
        ScalarType.Int64 => "I64",
        ScalarType.Int32 => "I32",
        ScalarType.Int8 => "I8",
        ScalarType.Byte => "U8",
        ScalarType.Bool => "BOOL",
        _ => throw new ArgumentException($"safetensors has no element type for {type}"),
    };

    /// <summary>
    /// Writes <paramref name="tensors"/> (copied to the CPU; not disposed) and string <paramref name="metadata"/> to
    /// <paramref name="path"/>, atomically.
    /// </summary>
    /// <exception cref="ArgumentException">Two tensors of one name, a name that is empty or the metadata's key, or an element type the format lacks.</exception>
    public static void Write(string path, IEnumerable<(string Name, Tensor Value)> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var sorted = tensors.OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
        if (sorted.Select(t => t.Name).Distinct().Count() != sorted.Count) throw new ArgumentException("two tensors share a name");
        if (sorted.Any(t => t.Name is "" or "__metadata__")) throw new ArgumentException("a tensor's name may be neither empty nor __metadata__");
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
        {
            var meta = new JsonObject();
            foreach (var (key, value) in metadata.OrderBy(m => m.Key, StringComparer.Ordinal)) meta[key] = value;
            header["__metadata__"] = meta;
        }
        var blobs = new List<byte[]>(sorted.Count);
        long offset = 0;
        foreach (var (name, value) in sorted)
        {
            var bytes = Bytes(value);
            header[name] = new JsonObject
            {
                ["dtype"] = DType(value.dtype),
                ["shape"] = new JsonArray(value.shape.Select(d => (JsonNode)d).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + bytes.Length),
            };
            blobs.Add(bytes);
            offset += bytes.Length;
        }
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        int padded = (json.Length + 7) / 8 * 8;
        AtomicFile.Write(path, s =>
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
            s.Write(length);
            s.Write(json);
            for (int i = json.Length; i < padded; i++) s.WriteByte((byte)' ');
            foreach (var b in blobs) s.Write(b);
        });
    }

    /// <summary>A tensor's elements as little-endian bytes, row-major (this library runs on little-endian machines only).</summary>
    static byte[] Bytes(Tensor value)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors are little-endian");
        using var cpu = value.detach().cpu().contiguous();
        var bytes = new byte[cpu.numel() * cpu.ElementSize];
        if (bytes.Length > 0) cpu.bytes.CopyTo(bytes);
        return bytes;
    }
}
