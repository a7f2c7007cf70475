using System.Security.Cryptography;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace GanSharp.Evaluation;

/// <summary>
/// Image features from an ImageNet-trained ResNet-18 (He et al. 2016): the 512 averages of its last block, the feature
/// space GanSharp's colour metrics are reported in beside the dataset's own small classifier (<c>fid_resnet18</c>, …) —
/// named so that nobody takes them for Inception numbers. The net is ML.NET's, from the NuGet package
/// <c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c> 0.24.0 (MIT; a CNTK model exported to ONNX), both files verified by
/// SHA-256 before use. Its graph is run here with TorchSharp's operators (<see cref="OnnxModel"/>: 22 convolutions with
/// batch norm, 9 residual additions — CNTK's export has 2, 2, 2 and 3 blocks in its four stages, one more in the last
/// than He et al.'s ResNet-18), so no second runtime is loaded; docs/performance.md compares this route with ONNX
/// Runtime on the same images.
/// <para>
/// Preprocessing, as the package's own <c>ResNetPreprocess.onnx</c> and ML.NET's featurizer do it: images in [0, 1]
/// (grey ones repeated to three channels) scaled to 0…255, resized to 224×224 (bilinear, half-pixel centres), channels
/// reordered to BGR, and the package's 224×224 mean image subtracted — CNTK's convention, with no division by a standard
/// deviation.
/// </para>
/// </summary>
public sealed class ResNet18Features : IDisposable
{
    /// <summary>The NuGet package that serves the net, and its version.</summary>
    public const string Package = "Microsoft.ML.DnnImageFeaturizer.ResNet18", Version = "0.24.0";
    /// <summary>Width of the features.</summary>
    public const int FeatureDim = 512;
    /// <summary>The side of the net's input images.</summary>
    public const int InputSide = 224;
    const string NetFile = "ResNet18Onnx/ResNet18.onnx", PrepFile = "ResNetPrepOnnx/ResNetPreprocess.onnx";
    const string NetSha256 = "e2552f19db2dfdb01b3669537b6a0f1b44da38d18279535492ed5dfc2ef1ff8f";
    const string PrepSha256 = "84bf8def78d0befaa3f6e73745d57d7016c6a192ead76f79686bd438c1047004";

    private readonly OnnxModel net;
    private readonly Dictionary<string, Tensor> weights;
    private readonly Tensor mean;           // [1, 3, 224, 224], BGR, 0…255
    private readonly int[] lastUse;         // for each node, the last node that reads each of its outputs (to free them)
    private readonly Dictionary<int, (Tensor Weight, Tensor Bias)> fused = [];   // convolutions with their batch norm folded in
    private readonly HashSet<int> folded = [];                                  // the batch norms folded into the convolution before them
    private readonly Device device;
    private readonly int styleChannels;     // channels of all the ReLUs' outputs together

    /// <summary>The folder the net was read from.</summary>
    public string Folder { get; }

    /// <summary>The kind of device the net runs on (<c>CPU</c>, <c>CUDA</c>): features computed on two kinds differ in their last bits.</summary>
    public string DeviceKind => device.type.ToString();

    /// <summary>Images per pass through the net (their 112×112 activations add up: about 26 MB an image at the widest).</summary>
    public int Chunk { get; init; } = 16;

    /// <summary>Loads the net from <paramref name="folder"/> (default: <see cref="Locate"/>) onto <paramref name="device"/> (default: the CPU).</summary>
    /// <exception cref="InputException">The package's files are missing or do not match their SHA-256.</exception>
    public ResNet18Features(string? folder = null, Device? device = null)
    {
        Folder = folder ?? Locate();
        this.device = device ?? CPU;
        net = OnnxModel.Read(Verified(Path.Combine(Folder, NetFile), NetSha256));
        var prep = OnnxModel.Read(Verified(Path.Combine(Folder, PrepFile), PrepSha256));
        var meanImage = prep.Weights.Values.Single();   // MeanImage [1, 3, 224, 224]
        mean = tensor(meanImage.Values, meanImage.Shape).to(this.device).DetachFromDisposeScope();
        weights = net.Weights.ToDictionary(w => w.Key, w => tensor(w.Value.Values, w.Value.Shape).to(this.device).DetachFromDisposeScope());
        var last = new Dictionary<string, int>();
        var readers = new Dictionary<string, int>();
        for (int i = 0; i < net.Nodes.Count; i++)
            foreach (var input in net.Nodes[i].Inputs)
            {
                last[input] = i;
                readers[input] = readers.GetValueOrDefault(input) + 1;
            }
        for (int i = 0; i + 1 < net.Nodes.Count; i++)   // a convolution read by one batch norm alone: fold the norm into it
        {
            var (conv, bn) = (net.Nodes[i], net.Nodes[i + 1]);
            if (conv.Op != "Conv" || bn.Op != "BatchNormalization" || bn.Inputs[0] != conv.Outputs[0] || readers[conv.Outputs[0]] != 1) continue;
            using var scope = NewDisposeScope();
            var scale = weights[bn.Inputs[1]] / (weights[bn.Inputs[4]] + (bn.Attributes["epsilon"].Float ?? 1e-5)).sqrt();   // γ/√(σ² + ε)
            var bias = conv.Inputs.Count > 2 ? weights[conv.Inputs[2]] : zeros_like(scale);
            fused[i] = ((weights[conv.Inputs[1]] * scale.view(-1, 1, 1, 1)).MoveToOuterDisposeScope().DetachFromDisposeScope(),
                        ((bias - weights[bn.Inputs[3]]) * scale + weights[bn.Inputs[2]]).MoveToOuterDisposeScope().DetachFromDisposeScope());
            folded.Add(i + 1);
        }
        // The last node that reads each node's output (its output is freed after it); a folded norm's convolution lives as long as the norm's output.
        lastUse = [.. net.Nodes.Select((n, i) => n.Outputs.Select(o => last.GetValueOrDefault(o, int.MaxValue)).Max())];
        foreach (var i in folded) lastUse[i - 1] = lastUse[i];
        styleChannels = StyleChannels();
        if (net.Nodes.Select(n => n.Op).Except(["Conv", "BatchNormalization", "Relu", "MaxPool", "Add", "AveragePool"]).FirstOrDefault() is { } op)
            throw new InputException($"{Path.Combine(Folder, NetFile)}: operator {op} is not one this reader runs");
    }

    /// <summary>The channels of every ReLU's output, together: each ReLU follows a batch norm or an addition of one.</summary>
    int StyleChannels()
    {
        var channels = new Dictionary<string, long>();
        foreach (var n in net.Nodes)
            channels[n.Outputs[0]] = n.Op switch
            {
                "Conv" => net.Weights[n.Inputs[1]].Shape[0],
                "BatchNormalization" => net.Weights[n.Inputs[1]].Shape[0],
                _ => channels.GetValueOrDefault(n.Inputs[0]),
            };
        return (int)net.Nodes.Where(n => n.Op == "Relu").Sum(n => channels[n.Outputs[0]]);
    }

    /// <summary>
    /// Where the package's <c>DnnImageModels</c> folder is: beside the application (the package copies it into the
    /// output of a project that references it), else in the NuGet packages folder (<c>NUGET_PACKAGES</c>, or
    /// <c>~/.nuget/packages</c>), where a restore of GanSharp put it.
    /// </summary>
    /// <exception cref="InputException">Neither holds it.</exception>
    public static string Locate()
    {
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                       ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string[] candidates =
        [
            Path.Combine(AppContext.BaseDirectory, "DnnImageModels"),
            Path.Combine(packages, Package.ToLowerInvariant(), Version, "tools", "DnnImageModels"),
        ];
        return candidates.FirstOrDefault(c => File.Exists(Path.Combine(c, NetFile)))
            ?? throw new InputException($"the ImageNet ResNet-18 ({Package} {Version}) is not here: restore it with " +
                                        $"'dotnet add package {Package} --version {Version}' (looked in {string.Join(" and ", candidates)})");
    }

    static string Verified(string path, string sha256)
    {
        if (!File.Exists(path)) throw new InputException($"{path}: missing from {Package} {Version}");
        using var stream = File.OpenRead(path);
        var hash = Convert.ToHexStringLower(SHA256.HashData(stream));
        if (hash != sha256) throw new InputException($"{path}: SHA-256 {hash} does not match {Package} {Version}'s {sha256}");
        return path;
    }

    /// <summary>
    /// The net's input for images <c>[N, C, H, W]</c> in [0, 1] (C = 1 or 3): <c>[N, 3, 224, 224]</c>, BGR, 0…255 less the
    /// mean image.
    /// </summary>
    public Tensor Preprocess(Tensor images)
    {
        using var scope = NewDisposeScope();
        var x = images.to(device).to_type(ScalarType.Float32);
        if (x.shape[1] == 1) x = x.expand(-1, 3, -1, -1);
        x = F.interpolate(x * 255, [InputSide, InputSide], mode: InterpolationMode.Bilinear, align_corners: false);
        return (x.flip(1) - mean).MoveToOuterDisposeScope();      // RGB → BGR, less the mean image
    }

    /// <summary>Features <c>[N, 512]</c> of images <c>[N, C, H, W]</c> in [0, 1], <see cref="Chunk"/> at a time, on the CPU.</summary>
    public Tensor Features(Tensor images)
    {
        var (features, style) = Describe(images, withStyle: false);
        style?.Dispose();
        return features;
    }

    /// <summary>
    /// Features <c>[N, 512]</c> and style statistics <c>[N, <see cref="StyleDim"/>]</c> of images in [0, 1], in one pass: the
    /// mean and the standard deviation over positions of every channel of every ReLU's output (the instance statistics
    /// that Huang &amp; Belongie 2017 take for an image's style; Gatys et al. 2016 use the Gram matrices of the same layers).
    /// </summary>
    public (Tensor Features, Tensor Style) FeaturesAndStyle(Tensor images)
    {
        var (features, style) = Describe(images, withStyle: true);
        return (features, style!);
    }

    /// <summary>Width of the style statistics: a mean and a deviation for each channel of the net's 19 ReLUs (9,856).</summary>
    public int StyleDim => 2 * styleChannels;

    (Tensor Features, Tensor? Style) Describe(Tensor images, bool withStyle)
    {
        using var _ = inference_mode();
        var features = new List<Tensor>();
        var styles = new List<Tensor>();
        try
        {
            for (long start = 0; start < images.shape[0]; start += Chunk)
            {
                using var scope = NewDisposeScope();
                var input = Preprocess(images.narrow(0, start, Math.Min(Chunk, images.shape[0] - start)));
                var taps = new List<Tensor>();
                var output = Run(input, withStyle ? (node, t) => { if (node.Op == "Relu") taps.Add(cat([t.mean([2, 3]), t.std([2, 3])], 1)); } : null);
                features.Add(output.flatten(1).cpu().MoveToOuterDisposeScope());
                if (withStyle) styles.Add(cat(taps, 1).cpu().MoveToOuterDisposeScope());
            }
            return (Joined(features), withStyle ? Joined(styles) : null);
        }
        finally
        {
            if (features.Count > 1) foreach (var p in features) p.Dispose();
            if (styles.Count > 1) foreach (var p in styles) p.Dispose();
        }
    }

    static Tensor Joined(List<Tensor> parts) => parts.Count == 1 ? parts[0] : cat(parts);

    /// <summary>The ONNX graph on a preprocessed input <c>[N, 3, 224, 224]</c>: the output <c>[N, 512, 1, 1]</c>.</summary>
    /// <remarks>
    /// Each batch norm that follows a convolution is folded into it once, at load (W·γ/√(σ² + ε), (b − μ)·γ/√(σ² + ε) + β:
    /// the same function, one pass fewer over the widest activations); ReLU and the residual additions work in place on
    /// values nothing else reads.
    /// </remarks>
    /// <param name="input">The preprocessed images.</param>
    /// <param name="observe">Shown each node's output as it is made (an intermediate activation; it is freed after its last reader).</param>
    public Tensor Run(Tensor input, Action<OnnxModel.Node, Tensor>? observe = null)
    {
        var values = new Dictionary<string, Tensor> { [net.Inputs[0]] = input };
        var owned = new List<(int LastUse, Tensor Value)>();
        for (int i = 0; i < net.Nodes.Count; i++)
        {
            var node = net.Nodes[i];
            if (folded.Contains(i)) { values[node.Outputs[0]] = values[node.Inputs[0]]; continue; }   // in its convolution
            Tensor In(int k) => values.TryGetValue(node.Inputs[k], out var v) ? v : weights[node.Inputs[k]];
            bool mine = owned.Any(o => ReferenceEquals(o.Value, values.GetValueOrDefault(node.Inputs[0])) && o.LastUse == i);  // read here last: reusable
            Tensor output;
            switch (node.Op)
            {
                case "Relu" when mine: output = F.relu(In(0), inplace: true); break;
                case "Add" when mine: output = In(0).add_(In(1)); break;
                default:
                    output = node.Op switch
                    {
                        "Conv" => Convolution(In(0), fused.TryGetValue(i, out var f) ? f.Weight : In(1), fused.TryGetValue(i, out f) ? f.Bias : node.Inputs.Count > 2 ? In(2) : null, node.Attributes),
                        "BatchNormalization" => F.batch_norm(In(0), In(3), In(4), In(1), In(2), training: false, eps: node.Attributes["epsilon"].Float ?? 1e-5),
                        "Relu" => F.relu(In(0)),
                        "Add" => In(0) + In(1),
                        "MaxPool" => F.max_pool2d(Padded(In(0), node.Attributes, float.NegativeInfinity), Kernel(node.Attributes), Strides(node.Attributes)),
                        "AveragePool" => F.avg_pool2d(Padded(In(0), node.Attributes, 0), Kernel(node.Attributes), Strides(node.Attributes)),
                        _ => throw new InvalidOperationException($"operator {node.Op}"),
                    };
                    break;
            }
            values[node.Outputs[0]] = output;
            observe?.Invoke(node, output);
            if (mine)   // the input became the output: it lives on until the output's last reader
                owned.RemoveAll(o => ReferenceEquals(o.Value, output));
            owned.Add((lastUse[i], output));
            foreach (var (_, value) in owned.Where(o => o.LastUse <= i)) value.Dispose();   // read for the last time
            owned.RemoveAll(o => o.LastUse <= i);
        }
        var result = values[net.Outputs[0]];
        foreach (var (_, value) in owned) if (!ReferenceEquals(value, result)) value.Dispose();
        return result;
    }

    /// <summary>A convolution with ONNX's padding (begin h, begin w, end h, end w), which CNTK writes unequal (3, 3, 2, 2).</summary>
    static Tensor Convolution(Tensor x, Tensor w, Tensor? b, IReadOnlyDictionary<string, OnnxModel.Attribute> a)
    {
        var dilation = a.TryGetValue("dilations", out var d) ? d.Ints!.ToArray() : null;
        long groups = a.TryGetValue("group", out var g) ? g.Int ?? 1 : 1;
        if (a.TryGetValue("pads", out var p) && p.Ints is [var top, var left, var bottom, var right] && top == bottom && left == right)
            return F.conv2d(x, w, b, strides: Strides(a), padding: [top, left], dilation: dilation, groups: groups);   // the convolution pads: no copy
        using var padded = Padded(x, a, 0);
        return F.conv2d(padded, w, b, strides: Strides(a), dilation: dilation, groups: groups);
    }

    static Tensor Padded(Tensor x, IReadOnlyDictionary<string, OnnxModel.Attribute> a, double fill)
    {
        if (!a.TryGetValue("pads", out var p) || p.Ints is not { } pads || pads.All(v => v == 0)) return x.alias();
        return F.pad(x, [pads[1], pads[3], pads[0], pads[2]], PaddingModes.Constant, fill);   // (left, right, top, bottom)
    }

    static long[] Kernel(IReadOnlyDictionary<string, OnnxModel.Attribute> a) => [.. a["kernel_shape"].Ints!];
    static long[] Strides(IReadOnlyDictionary<string, OnnxModel.Attribute> a) => a.TryGetValue("strides", out var s) ? [.. s.Ints!] : [1, 1];

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var w in weights.Values) w.Dispose();
        foreach (var (w, b) in fused.Values) { w.Dispose(); b.Dispose(); }
        mean.Dispose();
    }
}
