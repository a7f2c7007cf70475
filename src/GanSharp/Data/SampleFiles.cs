using System.Text;
using static TorchSharp.torch;

namespace GanSharp.Data;

/// <summary>File formats for exchanging image samples with other tools.</summary>
public enum SampleFormat
{
    /// <summary>A PNG grid, for people.</summary>
    Png,
    /// <summary>IDX unsigned bytes, N×H×W (one channel) or N×C×H×W, pixel = round(255·x).</summary>
    Idx,
    /// <summary>NumPy .npy, float32, N×H×W (one channel) or N×C×H×W, values in [0, 1].</summary>
    Npy,
}

/// <summary>Writes and reads sample arrays as IDX and NPY files, so that samples from any tool can be evaluated.</summary>
public static class SampleFiles
{
    static readonly byte[] NpyMagic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>The format a file name implies (.png, .npy, anything else IDX).</summary>
    public static SampleFormat FormatOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".png" => SampleFormat.Png,
        ".npy" => SampleFormat.Npy,
        _ => SampleFormat.Idx,
    };

    /// <summary>
    /// The format a file to be written is named for: <c>.png</c>, <c>.npy</c>, or IDX (<c>.idx</c>, a name ending
    /// <c>-ubyte</c> as MNIST's files do, or no extension). Any other extension is refused rather than silently written
    /// as IDX under a name that says otherwise.
    /// </summary>
    /// <exception cref="InputException">An extension of another format (.jpeg, .txt, …).</exception>
    public static SampleFormat FormatToWrite(string path)
    {
        var extension = Path.GetExtension(path).ToLowerInvariant();
        if (extension is ".png" or ".npy" or ".idx" or "" || extension.EndsWith("-ubyte", StringComparison.Ordinal)) return FormatOf(path);
        throw new InputException($"{Text.Short(path)}: images are written as .png (a grid), .npy or IDX (.idx, or no extension), not {Text.Short(extension)}; " +
                                 "rename it, or say which with --format");
    }

    /// <summary>Writes <paramref name="images"/> <c>[N, C, H, W]</c> in [0, 1] as IDX unsigned bytes, atomically.</summary>
    public static void WriteIdx(string path, Tensor images)
    {
        using var scope = NewDisposeScope();
        var bytes = Imaging.ImageGrid.ToBytes(images).contiguous();
        Idx.Write(path, new IdxArray(ShapeWithoutSingleChannel(images), bytes.data<byte>().ToArray()));
    }

    /// <summary>Writes <paramref name="images"/> <c>[N, C, H, W]</c> as a little-endian float32 .npy file, atomically.</summary>
    public static void WriteNpy(string path, Tensor images)
    {
        using var scope = NewDisposeScope();
        var values = images.numel() == 0 ? []  // TorchSharp's accessor cannot copy out an empty tensor
            : images.detach().cpu().to_type(ScalarType.Float32).contiguous().data<float>().ToArray();
        var shape = ShapeWithoutSingleChannel(images);
        var dict = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({string.Join(", ", shape)}{(shape.Length == 1 ? "," : "")}), }}";
        int unpadded = 10 + dict.Length + 1;                    // magic(6) + version(2) + length(2) + dict + '\n'
        var header = dict + new string(' ', (64 - unpadded % 64) % 64) + "\n";
        AtomicFile.Write(path, s =>
        {
            s.Write(NpyMagic);
            s.Write([1, 0]);
            s.Write(BitConverter.GetBytes((ushort)header.Length));
            s.Write(Encoding.ASCII.GetBytes(header));
            s.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        });
    }

    /// <summary>
    /// Reads samples from an IDX (unsigned bytes, scaled to [0, 1]) or .npy (float32, or uint8 scaled) file as
    /// <c>[N, C, H, W]</c>, checked: at least one image, and every value a finite pixel in [0, 1].
    /// </summary>
    /// <exception cref="InputException">Malformed or unsupported file, no images, or values that are not pixels.</exception>
    public static Tensor Read(string path)
    {
        Tensor samples;
        if (FormatOf(path) == SampleFormat.Npy) samples = ReadNpy(path);
        else
        {
            var array = Idx.Read(path);
            using var dataset = ImageDataset.FromIdx(path, array, null);
            samples = dataset.Images.clone();
        }
        try
        {
            Check(samples, path);
            return samples;
        }
        catch
        {
            samples.Dispose();
            throw;
        }
    }

    /// <summary>Refuses samples that are not images with pixels in [0, 1]: none at all, NaN or infinite values, values out of range.</summary>
    /// <exception cref="InputException">What is wrong, and the first image where it is.</exception>
    public static void Check(Tensor samples, string where)
    {
        if (samples.shape[0] == 0) throw new InputException($"{where}: holds no images");
        using var scope = NewDisposeScope();
        var flat = samples.reshape(samples.shape[0], -1);
        long FirstImageWhere(Tensor bad) => bad.any(1).nonzero()[0, 0].item<long>();
        var notFinite = flat.isfinite().logical_not();
        if (notFinite.any().item<bool>())
            throw new InputException($"{where}: image {FirstImageWhere(notFinite)} has NaN or infinite values");
        var outside = flat.lt(0).logical_or(flat.gt(1));
        if (outside.any().item<bool>())
            throw new InputException(
                $"{where}: values must be pixels in [0, 1]; image {FirstImageWhere(outside)} has values in " +
                $"[{flat.min().item<float>():G4}, {flat.max().item<float>():G4}] (for images in [-1, 1], save (x + 1) / 2)");
    }

    /// <summary>
    /// Reads noise <c>[N, <paramref name="noiseDim"/>]</c> from a float32 .npy file (what <c>gan sample --z</c> draws from),
    /// checked: at least one row, every value finite.
    /// </summary>
    /// <exception cref="InputException">Malformed or unsupported file, another shape, or values that are not finite.</exception>
    public static Tensor ReadNoise(string path, int noiseDim)
    {
        var z = ReadNpyArray(path, (dims, isFloat) =>
            !isFloat ? "noise must be float32"
            : dims.Length != 2 || dims[1] != noiseDim || dims[0] < 1 ? $"expected noise of shape (N, {noiseDim}) for this generator, got ({string.Join(", ", dims)})"
            : null);
        if (!z.isfinite().all().item<bool>())
        {
            z.Dispose();
            throw new InputException($"{path}: the noise has NaN or infinite values");
        }
        return z;
    }

    static Tensor ReadNpy(string path)
    {
        var samples = ReadNpyArray(path, (dims, _) => dims.Length is < 3 or > 4 ? $"expected N×H×W or N×C×H×W samples, got shape ({string.Join(", ", dims)})" : null);
        if (samples.dim() == 4) return samples;
        using (samples) return samples.unsqueeze(1);                       // N×H×W: one channel
    }

    /// <summary>A .npy file's float32 (or uint8, scaled to [0, 1]) array in its own shape, after <paramref name="shapeProblem"/> finds nothing wrong with it.</summary>
    static Tensor ReadNpyArray(string path, Func<long[], bool, string?> shapeProblem)
    {
        if (!File.Exists(path)) throw new InputException($"{path}: file not found");
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 10 || !bytes.AsSpan(0, 6).SequenceEqual(NpyMagic))
            throw new InputException($"{path}: not a .npy file");
        int major = bytes[6];
        int headerLength = major == 1 ? BitConverter.ToUInt16(bytes, 8) : BitConverter.ToInt32(bytes, 8);
        int start = (major == 1 ? 10 : 12) + headerLength;
        if (start > bytes.Length) throw new InputException($"{path}: truncated .npy header");
        var header = Encoding.ASCII.GetString(bytes, major == 1 ? 10 : 12, headerLength);
        string Field(string key)
        {
            int i = header.IndexOf($"'{key}'", StringComparison.Ordinal);
            if (i < 0) throw new InputException($"{path}: .npy header lacks '{key}'");
            return header[(header.IndexOf(':', i) + 1)..].TrimStart();
        }
        var descr = Field("descr");
        bool isFloat = descr.StartsWith("'<f4'") || descr.StartsWith("'float32'");
        bool isByte = descr.StartsWith("'|u1'") || descr.StartsWith("'<u1'");
        if (!isFloat && !isByte) throw new InputException($"{path}: .npy dtype {descr.Split(',')[0]} is not supported (float32 or uint8)");
        if (Field("fortran_order").StartsWith("True")) throw new InputException($"{path}: Fortran-ordered .npy is not supported");
        var shapeText = Field("shape");
        int close = shapeText.IndexOf(')');
        var parts = close < 1 ? [] : shapeText[1..close].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var dims = parts.Select(d => long.TryParse(d, out var v) && v >= 0 ? v : -1).ToArray();
        if (close < 1 || dims.Any(d => d < 0)) throw new InputException($"{path}: malformed .npy shape {shapeText.Split('}')[0].TrimEnd(',', ' ')}");
        if (shapeProblem(dims, isFloat) is { } problem) throw new InputException($"{path}: {problem}");
        int size = isFloat ? 4 : 1;
        double claimed = dims.Aggregate(1.0, (product, d) => product * d);  // in double: a lying header cannot overflow it
        long held = (bytes.Length - start) / size;
        if (claimed != held || (bytes.Length - start) % size != 0)
            throw new InputException($"{path}: header claims {claimed:N0} values but the file holds {held:N0}");
        long count = held, needed = count * size;
        if (isByte) return tensor(bytes.AsSpan(start).ToArray(), dtype: ScalarType.Byte).reshape(dims).to_type(ScalarType.Float32).div_(255f);
        var floats = new float[count];
        Buffer.BlockCopy(bytes, start, floats, 0, (int)needed);
        return tensor(floats).reshape(dims);
    }

    static int[] ShapeWithoutSingleChannel(Tensor images)
    {
        if (images.dim() != 4) throw new ArgumentException("expected [N, C, H, W] images");
        var s = images.shape.Select(d => (int)d).ToArray();
        return s[1] == 1 ? [s[0], s[2], s[3]] : s;
    }
}
