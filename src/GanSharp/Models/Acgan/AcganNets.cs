using GanSharp.Configuration;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GanSharp.Models;

/// <summary>
/// ACGAN's generator (Odena, Olah and Shlens 2017, section 3, on DCGAN's nets as their MNIST and CIFAR-10 ones are):
/// DCGAN's generator whose input is z with the one-hot class beside it, X_fake = G(c, z) — the class enters as
/// K more channels of the 1×1 map G starts from.
/// </summary>
internal sealed class AcganGenerator : Generator
{
    /// <summary>2,000 images at a time, as DCGAN's generator.</summary>
    protected override long SampleChunk => 2_000;

    // The names and order of DCGAN's own fields, so that checkpoints keep their keys (those of runs made before ACGAN had
    // its own nets load unchanged) and the initialisation draws stay in the same order.
    private readonly ModuleList<ConvTranspose2d> layers;
    private readonly ModuleList<BatchNorm2d> norms;

    /// <summary>Builds and initialises the generator for the configuration's image size and classes.</summary>
    /// <exception cref="InputException">A model without classes.</exception>
    public AcganGenerator(AcganModelConfig config, torch.Generator? rng = null) : base("dcgan_generator", config)
    {
        if (config.Classes < 1) throw new InputException("an ACGAN generator needs the number of classes (taken from the training labels)");
        (layers, norms) = DcganPlan.GeneratorLayers(config, config.NoiseDim + config.Classes);
        RegisterComponents();
        DcganPlan.Initialise(layers.Cast<nn.Module>().Concat(norms), rng);
    }

    /// <summary>z [B, NoiseDim] and labels [B] → images [B, C, H, W] in [0, 1].</summary>
    public override Tensor forward(Tensor z, Tensor? labels)
    {
        using var scope = NewDisposeScope();
        var oneHot = nn.functional.one_hot(labels ?? throw new ArgumentNullException(nameof(labels)), Classes).to_type(z.dtype);  // [B, K]
        return DcganPlan.Generate(cat([z, oneHot], 1), layers, norms).MoveToOuterDisposeScope();                                // [B, nz + K] → images
    }
}

/// <summary>
/// ACGAN's discriminator: DCGAN's, with a second last layer beside the real-or-generated one — from the same trunk
/// features [B, 8·ndf, 4, 4] to K class logits, P(C | X) beside P(S | X) (the paper's "auxiliary decoder").
/// <c>forward</c> is DCGAN's D (the source output alone); <see cref="Classify"/> gives both from one pass.
/// </summary>
internal sealed class AcganDiscriminator : Discriminator, IClassifyingDiscriminator
{
    private readonly ModuleList<Conv2d> layers;                   // DCGAN's field names and order (see AcganGenerator)
    private readonly ModuleList<nn.Module<Tensor, Tensor>> norms;
    private readonly Conv2d classHead;

    /// <summary>Builds and initialises the discriminator for the configuration's image size and classes.</summary>
    /// <exception cref="InputException">A model without classes.</exception>
    public AcganDiscriminator(AcganModelConfig config, torch.Generator? rng = null) : base("dcgan_discriminator", config)
    {
        if (config.Classes < 1) throw new InputException("an auxiliary classifier needs the number of classes (taken from the training labels)");
        (layers, norms) = DcganPlan.DiscriminatorLayers(config);
        var plan = DcganPlan.Layers(config.Height);
        var (kernel, stride, padding) = plan[0];                                    // D's last layer is G's first, read backwards
        long features = (long)config.DiscriminatorFeatures << (plan.Length - 2);    // 8·ndf (64×64), as the trunk ends
        classHead = nn.Conv2d(features, config.Classes, kernel, stride, padding);   // beside the real-or-generated layer
        RegisterComponents();
        DcganPlan.Initialise(layers.Cast<nn.Module>().Concat(norms).Append(classHead), rng);
    }

    /// <inheritdoc/>
    public int Classes => (int)classHead.weight!.shape[0];

    /// <inheritdoc/>
    public override bool ImagesIndependent => ((DcganModelConfig)Config).DiscriminatorNorm != Normalisation.Batch;

    /// <summary>images [B, C, H, W] in [0, 1] → raw outputs [B].</summary>
    public override Tensor forward(Tensor x, Tensor? labels)
    {
        using var scope = NewDisposeScope();
        return layers[^1].forward(DcganPlan.Trunk(x, layers, norms)).view(-1).MoveToOuterDisposeScope();    // [B]
    }

    /// <summary>One pass to the raw outputs [B] and the class logits [B, K].</summary>
    public (Tensor Source, Tensor Classes) Classify(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = DcganPlan.Trunk(x, layers, norms);                                  // [B, 8·ndf, 4, 4]
        var source = layers[^1].forward(h).view(-1);                                // [B]
        var classes = classHead.forward(h).flatten(1);                              // [B, K]
        return (source.MoveToOuterDisposeScope(), classes.MoveToOuterDisposeScope());
    }
}
