using static TorchSharp.torch;

namespace GanSharp.Evaluation;

/// <summary>
/// Where the feature metrics measure images: GanSharp's own classifier of a dataset (trained on its labels, the
/// features of its last hidden layer, with class probabilities for the classifier score), or the ImageNet-trained
/// ResNet-18 (<see cref="ResNet18Features"/>: 512 pooled features, no classes of ours). Owns its net.
/// </summary>
public sealed class FeatureSpace : IDisposable
{
    private readonly Func<Tensor, (Tensor Features, Tensor? Probabilities)> embed;
    private readonly IDisposable net;

    private FeatureSpace(string name, string key, string description, Func<Tensor, (Tensor, Tensor?)> embed, IDisposable net)
    {
        Name = name;
        Key = key;
        Description = description;
        this.embed = embed;
        this.net = net;
    }

    /// <summary>Its short name: <c>classifier</c> or <c>resnet18</c>.</summary>
    public string Name { get; }

    /// <summary>What metric names carry between the metric and <c>_valid</c>: empty for the own classifier, <c>_resnet18</c>.</summary>
    public string Key { get; }

    /// <summary>The space for people: which net, and what its numbers are not comparable with.</summary>
    public string Description { get; }

    /// <summary>The dataset's own classifier (<see cref="FeatureClassifier.ForDataset"/>).</summary>
    public static FeatureSpace Of(FeatureClassifier classifier, ClassifierInfo? info = null) =>
        new("classifier", "", info is null ? "GanSharp's own classifier" : $"GanSharp's {info.Dataset} classifier (test accuracy {info.TestAccuracy:P2})",
            images => classifier.Embed(images), classifier);

    /// <summary>The ImageNet ResNet-18 (<see cref="ResNet18Features"/>).</summary>
    public static FeatureSpace Of(ResNet18Features net) =>
        new("resnet18", "_resnet18", $"the ImageNet ResNet-18 of {ResNet18Features.Package} {ResNet18Features.Version} (512 pooled features of 224×224 inputs)",
            images => (net.Features(images), null), net);

    /// <summary>Features <c>[N, D]</c> of images <c>[N, C, H, W]</c> in [0, 1], and class probabilities where the space has classes.</summary>
    public (Tensor Features, Tensor? Probabilities) Embed(Tensor images) => embed(images);

    /// <summary>
    /// The share of <paramref name="queries"/> whose nearest neighbour among <paramref name="reference"/> in these features
    /// (Euclidean) has the same label: how well the space separates the classes without being trained on them.
    /// </summary>
    public double NearestNeighbourAccuracy(Data.ImageDataset queries, Data.ImageDataset reference)
    {
        if (queries.Labels is not { } queryLabels || reference.Labels is not { } referenceLabels)
            throw new InputException($"{(queries.Labels is null ? queries.Name : reference.Name)}: nearest-neighbour accuracy needs labelled images");
        using var scope = NewDisposeScope();
        var (q, _) = Embed(queries.Images);
        var (r, _) = Embed(reference.Images);
        var (nearest, _) = NearestNeighbours.Nearest(q, r);
        return referenceLabels.cpu().index_select(0, nearest.cpu()).eq(queryLabels.cpu()).to_type(ScalarType.Float64).mean().item<double>();
    }

    /// <summary>
    /// Both spaces on <paramref name="data"/>'s labelled images: the own classifier (trained on its first use, then
    /// cached in <paramref name="dataDir"/>) with its accuracy, and the ResNet-18 — each space's
    /// <see cref="NearestNeighbourAccuracy"/> of the test images among the training images.
    /// </summary>
    /// <exception cref="InputException">No test images, or no labels.</exception>
    public static FeatureSpacesResultFile Survey(Data.DatasetSplits data, string? dataDir = null, IProgress<string>? progress = null)
    {
        var test = data.Test ?? throw new InputException($"{data.Train.Name} has no test images to classify");
        if (data.Train.Labels is null) throw new InputException($"{data.Train.Name}: its images have no labels to tell apart");
        var rows = new List<FeatureSpaceRow>();
        var (classifier, info) = FeatureClassifier.ForDataset(data, dataDir, progress);
        using (var own = Of(classifier, info))
            rows.Add(new FeatureSpaceRow(own.Name, own.Description, info.TestAccuracy, own.NearestNeighbourAccuracy(test, data.Train)));
        progress?.Report($"embedding {data.Train.Count + test.Count:N0} images in the ResNet-18…");
        using (var resnet = Of(new ResNet18Features()))
            rows.Add(new FeatureSpaceRow(resnet.Name, resnet.Description, null, resnet.NearestNeighbourAccuracy(test, data.Train)));
        return new FeatureSpacesResultFile(data.Train.Name, test.Name, test.Count, data.Train.Count, rows);
    }

    /// <inheritdoc/>
    public void Dispose() => net.Dispose();
}
