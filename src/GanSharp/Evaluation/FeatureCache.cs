using System.Reflection;
using System.Security.Cryptography;
using GanSharp.Data;
using static TorchSharp.torch;

namespace GanSharp.Evaluation;

/// <summary>
/// The ImageNet ResNet-18's features of real images, kept on disk (<c>&lt;cache&gt;/features/</c>) so that an evaluation
/// run again — <c>gan eval text</c> on each checkpoint of a run, a sweep's second process — reads what the first computed
/// instead of passing the same few thousand images through the net (about 20 images a second on one core; the text
/// evaluation's real images cost it four of its nine minutes).
/// <para>
/// A file is named by the SHA-256 of the images' bytes and shape, the net's package version, the device kind and this
/// build of GanSharp (its informational version, which names the commit): a changed image, net or feature code misses
/// the cache rather than reading stale features. Layout: the features <c>[N, 512]</c> as little-endian float32, then the
/// SHA-256 of those bytes; a file whose length or checksum does not match is computed again and replaced (atomically).
/// The features read back are the bytes the net gave: an evaluation's numbers are the same with or without the cache.
/// </para>
/// </summary>
/// <param name="folder">The cache folder (created at the first write).</param>
public sealed class FeatureCache(string folder)
{
    static readonly string Build = typeof(FeatureCache).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unversioned";

    /// <summary>The folder the files are kept in.</summary>
    public string Folder { get; } = folder;

    /// <summary>The cache in <paramref name="dataDir"/>'s cache root (default: <see cref="DatasetCatalog.CacheRoot"/>).</summary>
    public static FeatureCache In(string? dataDir) => new(Path.Combine(DatasetCatalog.CacheRoot(dataDir), "features"));

    /// <summary>Features computed by <paramref name="net"/> since the cache was made (misses), for tests and logs.</summary>
    public int Misses { get; private set; }

    /// <summary>
    /// <paramref name="net"/>'s features <c>[N, 512]</c> of <paramref name="images"/> <c>[N, C, H, W]</c> in [0, 1]: read
    /// from the cache, or computed and written there.
    /// </summary>
    public Tensor Features(ResNet18Features net, Tensor images)
    {
        long n = images.shape[0];
        var path = Path.Combine(Folder, $"resnet18-{Key(net, images)}.f32");
        long bodyLength = n * ResNet18Features.FeatureDim * sizeof(float);
        if (File.Exists(path))
        {
            var bytes = File.ReadAllBytes(path);
            if (bytes.Length == bodyLength + 32 && SHA256.HashData(bytes.AsSpan(0, (int)bodyLength)).AsSpan().SequenceEqual(bytes.AsSpan((int)bodyLength)))
            {
                var values = new float[n * ResNet18Features.FeatureDim];
                Buffer.BlockCopy(bytes, 0, values, 0, (int)bodyLength);
                return tensor(values, [n, ResNet18Features.FeatureDim]);
            }
        }
        Misses++;
        var features = net.Features(images);
        var body = new byte[bodyLength];
        using (var dense = features.contiguous()) Buffer.BlockCopy(dense.data<float>().ToArray(), 0, body, 0, body.Length);
        Directory.CreateDirectory(Folder);
        AtomicFile.Write(path, s => { s.Write(body); s.Write(SHA256.HashData(body)); });
        return features;
    }

    static string Key(ResNet18Features net, Tensor images)
    {
        using var c = images.detach().to_type(ScalarType.Float32).contiguous().cpu();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(c.bytes);
        hash.AppendData(System.Text.Encoding.UTF8.GetBytes($"|{string.Join('x', images.shape)}|{ResNet18Features.Version}|{net.DeviceKind}|{Build}"));
        return Convert.ToHexStringLower(hash.GetHashAndReset())[..24];
    }
}
