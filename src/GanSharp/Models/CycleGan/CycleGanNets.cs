using GanSharp.Configuration;
using TorchSharp;
using static TorchSharp.torch;

namespace GanSharp.Models;

/// <summary>CycleGAN's nets from their configuration: a ResNet or U-Net translator and a PatchGAN discriminator.</summary>
public static class CycleGanNets
{
    /// <summary>A translator of the model's images (G or F), initialised from <paramref name="rng"/>.</summary>
    public static Translator Translator(CycleGanModelConfig model, torch.Generator? rng = null) => model.Translator switch
    {
        CycleGanTranslator.Unet => new UnetTranslator(model.Channels, model.GeneratorFeatures, model.Downsamplings, rng),
        _ => new ResnetTranslator(model.Channels, model.GeneratorFeatures, model.ResidualBlocks, model.Downsamplings, rng,
                                  resize: model.Upsampling == CycleGanUpsampling.Resize),
    };

    /// <summary>A discriminator of the model's images (D_X or D_Y): raw outputs <c>[B, P]</c>, one per patch.</summary>
    public static nn.Module<Tensor, Tensor> Discriminator(CycleGanModelConfig model, torch.Generator? rng = null) =>
        new PatchDiscriminator(model.Channels, model.DiscriminatorFeatures, model.DiscriminatorLayers, rng);
}
