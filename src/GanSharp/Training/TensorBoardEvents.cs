using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace GanSharp.Training;

/// <summary>
/// Writes TensorBoard event files (scalars and PNG images) without TensorFlow: TFRecord framing around hand-encoded
/// <c>Event</c> protocol buffers. Every event's wall time is Unix seconds (TorchSharp's writer stamped its first event in
/// .NET ticks, which broke readers' time axes). Each event is flushed as it is written, so a killed run loses none.
/// </summary>
/// <remarks>
/// TFRecord: uint64 length, uint32 masked CRC-32C of the length, the data, uint32 masked CRC-32C of the data (all little
/// endian). Event: wall_time (1, double), step (2, int64), file_version (3, string) or summary (5). Summary.Value: tag
/// (1, string), simple_value (2, float) or image (4: height 1, width 2, colorspace 3, encoded_image_string 4).
/// </remarks>
internal sealed class TensorBoardEvents : IDisposable
{
    private readonly FileStream file;

    /// <summary>The event file being written.</summary>
    public string Path => file.Name;

    /// <summary>Starts a new event file in <paramref name="folder"/> (created if needed), named as TensorBoard expects.</summary>
    public TensorBoardEvents(string folder)
    {
        Directory.CreateDirectory(folder);
        var name = $"events.out.tfevents.{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}.{Environment.MachineName}.{Environment.ProcessId}.{Guid.NewGuid():N}";
        file = new FileStream(System.IO.Path.Combine(folder, name), FileMode.CreateNew, FileAccess.Write, FileShare.Read);
        var e = new Proto();
        e.Double(1, Now());
        e.Bytes(3, Encoding.UTF8.GetBytes("brain.Event:2"));
        Write(e.ToArray());
    }

    /// <summary>Adds a scalar under <paramref name="tag"/> at <paramref name="step"/>.</summary>
    public void Scalar(string tag, float value, long step)
    {
        var v = new Proto();
        v.Bytes(1, Encoding.UTF8.GetBytes(tag));
        v.Float(2, value);
        Summary(v, step);
    }

    /// <summary>Adds a PNG image (RGBA, as GanSharp writes them) under <paramref name="tag"/> at <paramref name="step"/>.</summary>
    public void Png(string tag, byte[] png, long step)
    {
        var image = new Proto();
        image.Varint(1, BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(20, 4)));  // IHDR height
        image.Varint(2, BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(16, 4)));  // IHDR width
        image.Varint(3, 4);                                                        // colourspace: RGBA
        image.Bytes(4, png);
        var v = new Proto();
        v.Bytes(1, Encoding.UTF8.GetBytes(tag));
        v.Bytes(4, image.ToArray());
        Summary(v, step);
    }

    void Summary(Proto value, long step)
    {
        var summary = new Proto();
        summary.Bytes(1, value.ToArray());
        var e = new Proto();
        e.Double(1, Now());
        e.Varint(2, (ulong)step);
        e.Bytes(5, summary.ToArray());
        Write(e.ToArray());
    }

    static double Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;

    void Write(byte[] data)
    {
        Span<byte> head = stackalloc byte[12];
        BinaryPrimitives.WriteUInt64LittleEndian(head, (ulong)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(head[8..], MaskedCrc(head[..8]));
        Span<byte> tail = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(tail, MaskedCrc(data));
        file.Write(head);
        file.Write(data);
        file.Write(tail);
        file.Flush();
    }

    /// <summary>CRC-32C (Castagnoli) of <paramref name="data"/>.</summary>
    public static uint Crc32C(ReadOnlySpan<byte> data)
    {
        uint crc = ~0u;
        foreach (var b in data) crc = BitOperations.Crc32C(crc, b);
        return ~crc;
    }

    /// <summary>TFRecord's masked CRC: rotated right by 15 and offset, so that a CRC of CRCs stays informative.</summary>
    public static uint MaskedCrc(ReadOnlySpan<byte> data)
    {
        uint crc = Crc32C(data);
        return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
    }

    /// <inheritdoc/>
    public void Dispose() => file.Dispose();

    /// <summary>A protocol buffer message being encoded.</summary>
    sealed class Proto
    {
        private readonly MemoryStream bytes = new();

        void Tag(int field, int wireType) => Raw((ulong)(field << 3 | wireType));

        void Raw(ulong value)
        {
            while (value >= 0x80)
            {
                bytes.WriteByte((byte)(value | 0x80));
                value >>= 7;
            }
            bytes.WriteByte((byte)value);
        }

        public void Varint(int field, ulong value)
        {
            Tag(field, 0);
            Raw(value);
        }

        public void Double(int field, double value)
        {
            Tag(field, 1);
            Span<byte> b = stackalloc byte[8];
            BinaryPrimitives.WriteDoubleLittleEndian(b, value);
            bytes.Write(b);
        }

        public void Float(int field, float value)
        {
            Tag(field, 5);
            Span<byte> b = stackalloc byte[4];
            BinaryPrimitives.WriteSingleLittleEndian(b, value);
            bytes.Write(b);
        }

        public void Bytes(int field, byte[] value)
        {
            Tag(field, 2);
            Raw((ulong)value.Length);
            bytes.Write(value);
        }

        public byte[] ToArray() => bytes.ToArray();
    }
}
