using System.Buffers.Binary;
using System.IO.Compression;

namespace GanSharp.Data;

/// <summary>An unsigned-byte IDX array: its dimensions (outermost first) and its elements in row-major order.</summary>
internal sealed record IdxArray(int[] Shape, byte[] Data)
{
    /// <summary>The number of items along the first dimension (images or labels).</summary>
    public int Count => Shape[0];
}

/// <summary>
/// Reads and writes IDX files (LeCun's MNIST format): a 4-byte magic (0, 0, element type, rank), rank big-endian int32
/// dimensions, then the elements. Gzip-compressed files are recognised by their content, not their name. Every header is
/// checked against the file length before anything is allocated.
/// </summary>
internal static class Idx
{
    /// <summary>Element type code of unsigned bytes, the only type image and label files use.</summary>
    public const byte UnsignedByte = 0x08;
    /// <summary>Largest accepted element count (2 GiB of pixels).</summary>
    public const long MaxElements = int.MaxValue;
    const int MaxRank = 4;

    /// <summary>Reads an IDX file of unsigned bytes, raw or gzip-compressed.</summary>
    /// <exception cref="InputException">The file is missing, truncated, or not an unsigned-byte IDX file.</exception>
    public static IdxArray Read(string path)
    {
        if (!File.Exists(path)) throw new InputException($"{path}: file not found");
        try
        {
            using var file = File.OpenRead(path);
            Span<byte> magic = stackalloc byte[2];
            int got = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
            file.Position = 0;
            if (got == 2 && magic[0] == 0x1f && magic[1] == 0x8b)
            {
                long contentLength = GzipContentLength(file, path);
                using var gz = new GZipStream(file, CompressionMode.Decompress);
                return ReadStream(gz, contentLength, path);
            }
            return ReadStream(file, file.Length, path);
        }
        catch (InvalidDataException e)
        {
            throw new InputException($"{path}: corrupt gzip data ({e.Message})", e);
        }
        catch (IOException e)
        {
            throw new InputException($"{path}: cannot read ({e.Message})", e);
        }
    }

    /// <summary>
    /// Parses an IDX stream whose decoded length is <paramref name="length"/> bytes (for gzip, the length stored in the
    /// trailer, which is exact modulo 2³²).
    /// </summary>
    static IdxArray ReadStream(Stream stream, long length, string path)
    {
        Span<byte> head = stackalloc byte[4];
        if (stream.ReadAtLeast(head, 4, throwOnEndOfStream: false) < 4)
            throw new InputException($"{path}: too short to be an IDX file ({length} bytes)");
        if (head[0] != 0 || head[1] != 0)
            throw new InputException($"{path}: not an IDX file (magic {head[0]:X2} {head[1]:X2} {head[2]:X2} {head[3]:X2})");
        if (head[2] != UnsignedByte)
            throw new InputException($"{path}: IDX element type 0x{head[2]:X2} is not supported (only unsigned bytes, 0x08)");
        int rank = head[3];
        if (rank < 1 || rank > MaxRank)
            throw new InputException($"{path}: IDX rank {rank} is not supported (1 to {MaxRank})");

        Span<byte> dims = stackalloc byte[4 * rank];
        if (stream.ReadAtLeast(dims, dims.Length, throwOnEndOfStream: false) < dims.Length)
            throw new InputException($"{path}: truncated IDX header");
        var shape = new int[rank];
        long count = 1;
        for (int i = 0; i < rank; i++)
        {
            int d = BinaryPrimitives.ReadInt32BigEndian(dims.Slice(4 * i, 4));
            if (d <= 0) throw new InputException($"{path}: IDX dimension {i} is {d}");
            shape[i] = d;
            count *= d;
            if (count > MaxElements)
                throw new InputException($"{path}: IDX header claims an absurd size ({string.Join("×", shape[..(i + 1)])}…)");
        }
        long expected = 4 + 4L * rank + count;
        bool gz = stream is GZipStream;
        bool lengthMatches = gz ? (expected & 0xffffffffL) == length : expected == length;
        if (gz && !lengthMatches)
        {
            // The trailer's length is only a hint: decode the rest to learn what the file really holds (this path only
            // runs for a bad file, so the extra pass costs nothing in normal use).
            long actual = 4 + 4L * rank + DecodedLength(stream, path);
            if (actual == expected)
                throw new InputException($"{path}: corrupt gzip file (the length in its trailer does not match its content)");
            if (actual < expected)
                throw new InputException($"{path}: truncated or corrupt gzip file: {actual - 4 - 4L * rank:N0} bytes of data decode, " +
                                         $"but its IDX header claims {string.Join("×", shape)} = {count:N0}");
            length = actual;
            gz = false;
        }
        if (!lengthMatches)
        {
            string dimsText = string.Join("×", shape);
            throw new InputException(expected > length || (gz && expected != length)
                ? $"{path}: IDX header claims {dimsText} = {count:N0} bytes of data but the file holds {length - 4 - 4L * rank:N0}"
                : $"{path}: {length - expected:N0} unexpected bytes after the {dimsText} IDX data");
        }

        var data = new byte[count];
        int read = stream.ReadAtLeast(data, data.Length, throwOnEndOfStream: false);
        if (read < data.Length)
            throw new InputException($"{path}: truncated IDX data ({read:N0} of {count:N0} bytes)");
        return new IdxArray(shape, data);
    }

    /// <summary>Decodes the rest of a gzip stream, counting bytes; a truncated or corrupt stream is reported as such.</summary>
    static long DecodedLength(Stream stream, string path)
    {
        var buffer = new byte[1 << 16];
        long total = 0;
        try
        {
            int n;
            while ((n = stream.Read(buffer)) > 0) total += n;
        }
        catch (InvalidDataException e) { throw new InputException($"{path}: corrupt gzip data ({e.Message})", e); }
        catch (EndOfStreamException e) { throw new InputException($"{path}: truncated gzip file", e); }
        return total;
    }

    /// <summary>The uncompressed length a gzip file declares in its trailer (ISIZE, modulo 2³²).</summary>
    static long GzipContentLength(FileStream file, string path)
    {
        if (file.Length < 18) throw new InputException($"{path}: truncated gzip file");
        Span<byte> trailer = stackalloc byte[4];
        file.Position = file.Length - 4;
        file.ReadExactly(trailer);
        file.Position = 0;
        return BinaryPrimitives.ReadUInt32LittleEndian(trailer);
    }

    /// <summary>Writes an unsigned-byte IDX file (uncompressed), atomically: a temporary file renamed into place.</summary>
    public static void Write(string path, IdxArray array)
    {
        long count = array.Shape.Aggregate(1L, (a, d) => a * d);
        if (count != array.Data.Length)
            throw new ArgumentException($"shape {string.Join("×", array.Shape)} does not match {array.Data.Length} elements");
        AtomicFile.Write(path, stream =>
        {
            Span<byte> head = stackalloc byte[4];
            head[0] = 0; head[1] = 0; head[2] = UnsignedByte; head[3] = (byte)array.Shape.Length;
            stream.Write(head);
            foreach (int d in array.Shape)
            {
                BinaryPrimitives.WriteInt32BigEndian(head, d);
                stream.Write(head);
            }
            stream.Write(array.Data);
        });
    }
}
