using GanSharp.Configuration;
using TorchSharp;
using static TorchSharp.torch;

namespace GanSharp.Models;

/// <summary>
/// A discriminator D(x; θ_d): maps images <c>[B, C, H, W]</c> to raw outputs <c>[B]</c>; a conditional one D(x | y) also
/// takes their class labels y <c>[B]</c> (its model's <see cref="ModelConfig.Conditional"/>). Under the paper's losses these
/// are logits, D(x) = σ(logit) the probability that x came from the data; other losses read them as scores. Losses work
/// on the raw outputs for numerical stability. Subclass it to bring your own architecture, implementing
/// <c>forward(x, labels)</c> (an unconditional net is always given null labels).
/// </summary>
public abstract class Discriminator : nn.Module<Tensor, Tensor?, Tensor>, IRandomDraws
{
    /// <summary>The model configuration this discriminator was built from.</summary>
    public ModelConfig Config { get; }

    /// <summary>Base constructor: subclasses build their layers and call RegisterComponents.</summary>
    protected Discriminator(string name, ModelConfig config) : base(name) => Config = config;

    /// <summary>D(x) of an unconditional discriminator: <c>forward(x, null)</c>.</summary>
    public Tensor forward(Tensor x) => forward(x, null);

    /// <summary>
    /// Initialisation that depends on the training images (such as weight normalisation's data-dependent one), called
    /// once before training starts (not on resume), with the run's initialisation generator for any draws. Default: nothing.
    /// </summary>
    public virtual void InitialiseFromData(Data.ImageDataset train, torch.Generator rng) { }

    /// <summary>
    /// Source of the discriminator's random draws, such as dropout masks (null: libtorch's global generator). A trainer
    /// sets its own, so that its runs are reproducible whatever else the process draws. Default: D draws nothing.
    /// </summary>
    public virtual torch.Generator? Rng { get; set; }

    /// <summary>
    /// Whether D's output for an image depends on that image alone in training mode (no batch norm): then real and
    /// generated minibatches may share one pass, which is faster and the same function. False (the safe answer) for
    /// nets with batch statistics: they must see real and generated images in separate passes, as DCGAN's reference
    /// implementation does.
    /// </summary>
    public virtual bool ImagesIndependent => false;
}
