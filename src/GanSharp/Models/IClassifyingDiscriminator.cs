using static TorchSharp.torch;

namespace GanSharp.Models;

/// <summary>
/// A discriminator that also tells K classes apart: ACGAN's (an auxiliary classifier beside its real-or-generated
/// output) and the semi-supervised GAN's (a K-class classifier whose "generated" class is implicit). Games that train
/// one, the <c>classify</c> evaluation and <c>gan eval classify</c> ask for it by this interface; other nets do not
/// carry its members.
/// </summary>
public interface IClassifyingDiscriminator
{
    /// <summary>The classes D tells apart.</summary>
    int Classes { get; }

    /// <summary>
    /// One pass over images <c>[B, C, H, W]</c>: the raw real-or-generated outputs <c>[B]</c> (what <c>forward(x)</c>
    /// gives) and class logits <c>[B, Classes]</c>.
    /// </summary>
    (Tensor Source, Tensor Classes) Classify(Tensor x);
}

/// <summary>
/// A discriminator that exposes its features: its last hidden layer <c>[B, F]</c> for images <c>[B, C, H, W]</c> — what
/// feature matching (Salimans et al. 2016, section 3.1) asks G to match.
/// </summary>
public interface IFeatureDiscriminator
{
    /// <summary>D's features of images <c>[B, C, H, W]</c>: <c>[B, F]</c>.</summary>
    Tensor Features(Tensor x);
}
