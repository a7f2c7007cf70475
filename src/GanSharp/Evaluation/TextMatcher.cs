using System.Security.Cryptography;
using GanSharp.Data;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace GanSharp.Evaluation;

/// <summary>
/// The image–text matching model of R-precision (Xu et al. 2018, AttnGAN, section 5: the DAMSM image encoder; here a
/// smaller one): an image's ImageNet ResNet-18 features (512, frozen) through a trained two-layer projection into the
/// caption embeddings' space (all-MiniLM-L6-v2's 384, frozen), trained contrastively — CLIP's symmetric InfoNCE
/// (Radford et al. 2021) at temperature 0.07 — on real <i>training</i> images and their captions only, never on a
/// generator's images or on held-out emoji. It is cached by the training images and captions it learned from.
/// <para>
/// <see cref="RPrecision"/>: each image's own caption ranked against 99 captions of other images by cosine similarity;
/// the share ranked first (R = 1). Chance is 1%; the matcher's R-precision on the real held-out images is the ceiling a
/// generator's images can be held to.
/// </para>
/// </summary>
public sealed class TextMatcher : IDisposable
{
    /// <summary>Training passes (steps of <see cref="Batch"/> images, a random caption of each).</summary>
    public const int Steps = 2_000, Batch = 256;
    /// <summary>The contrastive loss's temperature (CLIP's initial 0.07).</summary>
    public const double Temperature = 0.07;
    const string Architecture = "matcher-resnet18-mlp512-v1";

    private readonly Sequential projection;

    TextMatcher(int textDim)
    {
        projection = nn.Sequential(nn.Linear(ResNet18Features.FeatureDim, 512), nn.ReLU(), nn.Linear(512, textDim));
    }

    /// <summary>Unit-length embeddings <c>[n, E]</c> of images given as ResNet-18 features <c>[n, 512]</c>.</summary>
    public Tensor Embed(Tensor features)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        return F.normalize(projection.forward(features), dim: 1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Trains the projection on <paramref name="features"/> <c>[N, 512]</c> of training images and their caption embeddings
    /// <paramref name="captions"/> <c>[N, K, E]</c> (image i's first <paramref name="counts"/>[i]), seeded: each step a
    /// minibatch of images, one random caption of each, the symmetric InfoNCE over the minibatch.
    /// </summary>
    public static TextMatcher Train(Tensor features, Tensor captions, Tensor counts, long seed = 1, IProgress<string>? progress = null, int steps = Steps)
    {
        using var rng = new torch.Generator(unchecked((ulong)seed));
        var matcher = new TextMatcher((int)captions.shape[2]);
        using (no_grad())
            foreach (var layer in matcher.projection.modules().OfType<Linear>())
            {
                layer.weight!.normal_(0, 0.02, rng);
                layer.bias!.zero_();
            }
        using var optimizer = optim.Adam(matcher.projection.parameters(), 1e-3);
        long n = features.shape[0], k = captions.shape[1];
        int batch = (int)Math.Min(Batch, n);
        for (int step = 0; step < steps; step++)
        {
            using var scope = NewDisposeScope();
            var ids = randperm(n, generator: rng).narrow(0, 0, batch);
            var keys = rand([batch, k], generator: rng);
            var has = counts.index_select(0, ids).unsqueeze(1);
            var pick = keys.masked_fill(arange(k).unsqueeze(0) >= has, 2.0).argmin(1);         // one of each image's own captions
            var text = captions.index_select(0, ids).gather(1, pick.view(-1, 1, 1).expand(-1, 1, captions.shape[2])).squeeze(1);   // [b, E]
            var images = F.normalize(matcher.projection.forward(features.index_select(0, ids)), dim: 1);
            var logits = images.matmul(text.t()) / Temperature;                               // [b, b]
            var targets = arange(batch);
            var loss = (F.cross_entropy(logits, targets) + F.cross_entropy(logits.t(), targets)) / 2;
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            if ((step + 1) % 500 == 0) progress?.Report($"text matcher: step {step + 1:N0}/{steps:N0}, contrastive loss {loss.item<float>():F3}");
        }
        matcher.projection.eval();
        return matcher;
    }

    /// <summary>
    /// R-precision (R = 1): for each image <c>i</c> (<paramref name="images"/> <c>[n, E]</c>, from <see cref="Embed"/>),
    /// its caption <paramref name="own"/>[i] against <paramref name="distractors"/> captions drawn, with <paramref name="seed"/>,
    /// from <paramref name="pool"/> <c>[P, E]</c> among those whose owner (<paramref name="poolOwners"/>) is not
    /// <paramref name="owners"/>[i]; the share of images whose own caption scores highest (ties count against it).
    /// </summary>
    public static double RPrecision(Tensor images, Tensor own, IReadOnlyList<int> owners, Tensor pool, IReadOnlyList<int> poolOwners,
                                    int distractors = 99, long seed = 1)
    {
        using var rng = new torch.Generator(unchecked((ulong)seed));
        using var scope = NewDisposeScope();
        var ownScore = (images * own).sum(1);                                                   // [n]
        var all = images.matmul(pool.t());                                                      // [n, P]
        var ownerOf = tensor(poolOwners.Select(o => (long)o).ToArray());
        int wins = 0;
        for (int i = 0; i < images.shape[0]; i++)
        {
            var others = (ownerOf != owners[i]).nonzero().view(-1);                              // captions of other images
            if (others.shape[0] < distractors) throw new InputException($"R-precision needs {distractors} captions of other images; there are {others.shape[0]}");
            var chosen = others.index_select(0, randperm(others.shape[0], generator: rng).narrow(0, 0, distractors));
            if (ownScore[i].item<float>() > all[i].index_select(0, chosen).max().item<float>()) wins++;
        }
        return (double)wins / images.shape[0];
    }

    /// <summary>
    /// The matcher for <paramref name="data"/>'s training images and captions, from the cache (<c>&lt;cache&gt;/matchers/</c>)
    /// or trained there first (about a minute and a half: the ResNet-18 features of the training images, then the projection).
    /// </summary>
    public static TextMatcher ForData(CaptionedData data, ResNet18Features net, string? dataDir = null, IProgress<string>? progress = null)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData([.. Bytes(data.Images.Train.Images), .. Bytes(data.Train.Embeddings), .. Bytes(data.Train.Counts)]))[..16];
        var folder = Path.Combine(DatasetCatalog.CacheRoot(dataDir), "matchers");
        var path = Path.Combine(folder, $"{Architecture}-{hash}.weights");
        var matcher = new TextMatcher((int)data.Train.Embeddings.shape[2]);
        if (File.Exists(path))
        {
            var bytes = File.ReadAllBytes(path);
            if (bytes.Length > 32 && SHA256.HashData(bytes.AsSpan(0, bytes.Length - 32)).AsSpan().SequenceEqual(bytes.AsSpan(bytes.Length - 32)))
            {
                using var reader = new BinaryReader(new MemoryStream(bytes, 0, bytes.Length - 32));
                matcher.projection.load(reader, strict: true);
                matcher.projection.eval();
                return matcher;
            }
            progress?.Report($"{path}: checksum mismatch, training again");
        }
        matcher.Dispose();
        progress?.Report($"R-precision's text matcher: training it on the {data.Images.Train.Count:N0} training images' ResNet-18 features and captions (once; cached in {folder})");
        using var features = FeatureCache.In(dataDir).Features(net, data.Images.Train.Images);
        var trained = Train(features, data.Train.Embeddings, data.Train.Counts, progress: progress);
        using var memory = new MemoryStream();
        using (var writer = new BinaryWriter(memory, System.Text.Encoding.UTF8, leaveOpen: true)) trained.projection.save(writer);
        var body = memory.ToArray();
        Directory.CreateDirectory(folder);
        AtomicFile.Write(path, s => { s.Write(body); s.Write(SHA256.HashData(body)); });
        return trained;
    }

    static byte[] Bytes(Tensor t)
    {
        using var c = t.contiguous().cpu();
        return c.bytes.ToArray();
    }

    /// <inheritdoc/>
    public void Dispose() => projection.Dispose();
}
