using System.Buffers.Binary;
using System.IO.Compression;
using GanSharp.Data;

namespace GanSharp.Tests;

public class IdxTests
{
    static byte[] Header(byte type, params int[] dims)
    {
        var h = new byte[4 + 4 * dims.Length];
        h[2] = type;
        h[3] = (byte)dims.Length;
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(h.AsSpan(4 + 4 * i), dims[i]);
        return h;
    }

    static string Write(byte[] content, bool gzip = false)
    {
        var path = Path.Combine(TestSupport.TempFolder(), gzip ? "x.gz" : "x");
        if (!gzip) File.WriteAllBytes(path, content);
        else
        {
            using var f = File.Create(path);
            using var z = new GZipStream(f, CompressionLevel.Fastest);
            z.Write(content);
        }
        return path;
    }

    [Fact]
    public void Reads_a_valid_file()
    {
        var data = Enumerable.Range(0, 2 * 3 * 4).Select(i => (byte)i).ToArray();
        var a = Idx.Read(Write([.. Header(8, 2, 3, 4), .. data]));
        Assert.Equal([2, 3, 4], a.Shape);
        Assert.Equal(data, a.Data);
    }

    [Fact]
    public void Reads_gzip_by_content_not_name()
    {
        var data = new byte[] { 9, 8, 7 };
        var a = Idx.Read(Write([.. Header(8, 3), .. data], gzip: true));
        Assert.Equal([3], a.Shape);
        Assert.Equal(data, a.Data);
    }

    [Fact]
    public void Round_trips_through_the_writer()
    {
        var array = new IdxArray([2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]);
        var path = Path.Combine(TestSupport.TempFolder(), "w-idx3-ubyte");
        Idx.Write(path, array);
        var back = Idx.Read(path);
        Assert.Equal(array.Shape, back.Shape);
        Assert.Equal(array.Data, back.Data);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_truncated_file_is_a_clear_error(bool gzip)
    {
        var path = Write([.. Header(8, 10, 28, 28), .. new byte[100]], gzip);
        var e = Assert.Throws<InputException>(() => Idx.Read(path));
        Assert.Contains("claims 10×28×28", e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Wrong_magic_is_a_clear_error()
    {
        var e = Assert.Throws<InputException>(() => Idx.Read(Write([0x1, 0x2, 0x8, 0x1, 0, 0, 0, 1, 5])));
        Assert.Contains("not an IDX file", e.Message);
    }

    [Fact]
    public void Unsupported_element_type_is_a_clear_error()
    {
        var e = Assert.Throws<InputException>(() => Idx.Read(Write([.. Header(0x0D, 1), 0, 0, 0, 0])));
        Assert.Contains("0x0D", e.Message);
    }

    [Fact]
    public void Absurd_dimensions_are_refused_before_allocating()
    {
        var e = Assert.Throws<InputException>(() => Idx.Read(Write(Header(8, 1_000_000, 100_000, 100_000))));
        Assert.Contains("absurd", e.Message);
        Assert.Throws<InputException>(() => Idx.Read(Write(Header(8, 5, -3))));
        Assert.Throws<InputException>(() => Idx.Read(Write([0, 0, 8, 9])));  // rank 9
    }

    [Fact]
    public void A_gzip_header_claiming_more_than_the_stream_holds_is_refused_before_allocating()
    {
        // The gzip trailer declares the real (small) length, so the 2 GB claim is caught from the header alone.
        var e = Assert.Throws<InputException>(() => Idx.Read(Write([.. Header(8, 40_000, 200, 200), 1, 2, 3], gzip: true)));
        Assert.Contains("claims", e.Message);
    }

    [Fact]
    public void Trailing_bytes_are_an_error()
    {
        var e = Assert.Throws<InputException>(() => Idx.Read(Write([.. Header(8, 2), 1, 2, 3])));
        Assert.Contains("unexpected bytes", e.Message);
    }

    [Fact]
    public void A_missing_file_is_a_clear_error() =>
        Assert.Contains("not found", Assert.Throws<InputException>(() => Idx.Read("/nonexistent/file")).Message);

    [Fact]
    public void The_fixture_loads_with_the_paper_split()
    {
        using var splits = DatasetLoader.Load(TestSupport.MnistFixture);
        Assert.Equal(500 - 83, splits.Train.Count);  // validation: min(10000, N/6) = 83
        Assert.Equal(83, splits.Validation.Count);
        Assert.Equal(100, splits.Test!.Count);
        Assert.Equal((1, 28, 28), splits.Train.ImageShape);
        Assert.Equal(5L, splits.Train.Labels![0].item<long>());  // MNIST's first training digit is a 5
        Assert.InRange(splits.Train.Images.max().item<float>(), 0.99f, 1f);
        Assert.Equal(0f, splits.Train.Images.min().item<float>());
    }
}
