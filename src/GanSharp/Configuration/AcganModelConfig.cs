using System.Text.Json.Serialization;

namespace GanSharp.Configuration;

/// <summary>
/// ACGAN's nets (Odena, Olah and Shlens 2017): DCGAN's (every setting of <see cref="DcganModelConfig"/>), G taking the
/// one-hot class beside z (its first layer's input channels), D with a second last layer giving class logits beside
/// its real-or-generated output. The classes are taken from the training labels. Written <c>"kind": "acgan"</c>;
/// configurations from before it had a kind of its own (<c>"dcgan"</c> with <c>"auxiliary-classifier": true</c>) read as it.
/// </summary>
public sealed record AcganModelConfig : DcganModelConfig
{
    /// <summary>ACGAN's nets with DCGAN's defaults.</summary>
    public AcganModelConfig() { }

    /// <summary>ACGAN's nets with every setting of <paramref name="dcgan"/>'s (sizes, prior, normalisation).</summary>
    public AcganModelConfig(DcganModelConfig dcgan) : base(dcgan) { }

    /// <inheritdoc/>
    [JsonIgnore]
    public override Conditioning Conditioning => Conditioning.AuxiliaryClassifier;

    /// <inheritdoc/>
    [JsonIgnore]
    public override string TrainedBy => "auxiliary-classifier";
}
