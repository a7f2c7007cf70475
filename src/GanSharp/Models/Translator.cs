using TorchSharp;
using static TorchSharp.torch;

namespace GanSharp.Models;

/// <summary>
/// An image-to-image translator T: images of one domain <c>[B, C, H, W]</c> with pixels in [0, 1] to images of the
/// other, the same shape and range (CycleGAN's G: X → Y and F: Y → X). Subclass it for an architecture of your own:
/// build the layers, call <c>RegisterComponents()</c> and implement <c>forward(x)</c>.
/// </summary>
public abstract class Translator : nn.Module<Tensor, Tensor>
{
    /// <summary>Base constructor: subclasses build their layers and call RegisterComponents.</summary>
    protected Translator(string name) : base(name) { }

    /// <summary>Most images <see cref="Translate"/> passes through the net at once (their activations at full size add up).</summary>
    protected virtual long Chunk => 256;

    /// <summary>
    /// T(x) for images <c>[N, C, H, W]</c> in [0, 1]: in evaluation mode (the training mode is restored after), without
    /// autograd, <see cref="Chunk"/> images at a time, on the translator's device; the result on the images' device.
    /// </summary>
    public Tensor Translate(Tensor images)
    {
        bool wasTraining = training;
        eval();
        try
        {
            using var _ = inference_mode();
            var device = parameters().FirstOrDefault()?.device ?? images.device;
            var parts = new List<Tensor>();
            try
            {
                for (long start = 0; start < images.shape[0]; start += Chunk)
                {
                    using var chunk = images.narrow(0, start, Math.Min(Chunk, images.shape[0] - start)).to(device);
                    parts.Add(forward(chunk).to(images.device));
                }
                return parts.Count == 1 ? parts[0] : cat(parts);
            }
            finally { if (parts.Count > 1) foreach (var p in parts) p.Dispose(); }
        }
        finally { train(wasTraining); }
    }
}
