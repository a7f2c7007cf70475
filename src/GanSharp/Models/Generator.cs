using GanSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GanSharp.Models;

/// <summary>
/// A generator G(z; θ_g): maps noise z ~ p_z, <c>[B, NoiseDim]</c>, to images <c>[B, C, H, W]</c> with pixels in [0, 1].
/// Load a trained one with <see cref="Load"/> and draw images with <see cref="Sample(long, double?, TorchSharp.torch.Generator?)"/>.
/// </summary>
public abstract class Generator : nn.Module<Tensor, Tensor>
{
    /// <summary>The model configuration this generator was built from.</summary>
    public ModelConfig Config { get; }
    /// <summary>The noise prior p_z.</summary>
    public NoisePrior Prior { get; }

    /// <summary>Base constructor: subclasses build their layers and call RegisterComponents.</summary>
    protected Generator(string name, ModelConfig config) : base(name)
    {
        Config = config;
        Prior = NoisePrior.For(config.Noise);
    }

    /// <summary>Dimension of z.</summary>
    public int NoiseDim => Config.NoiseDim;

    /// <summary>
    /// Draws <paramref name="count"/> images <c>[count, C, H, W]</c> in [0, 1] from fresh noise, without building an
    /// autograd graph. Pass <paramref name="rng"/> for reproducible draws.
    /// </summary>
    public Tensor Sample(long count, torch.Generator? rng = null) => Sample(count, null, rng);

    /// <summary>
    /// Draws <paramref name="count"/> images from truncated noise (<see cref="NoisePrior.FillTruncated"/>;
    /// <paramref name="truncation"/> null: the full prior).
    /// </summary>
    public Tensor Sample(long count, double? truncation, torch.Generator? rng = null)
    {
        using var _ = inference_mode();
        using var z = Prior.Sample(count, NoiseDim, truncation, rng);
        return Generate(z);
    }

    /// <summary>
    /// G(z) in evaluation mode without autograd, for given noise <c>[B, NoiseDim]</c> on any device; the images are on
    /// the generator's device.
    /// </summary>
    public Tensor Generate(Tensor z)
    {
        using var _ = inference_mode();
        bool wasTraining = training;
        eval();
        try
        {
            using var zHere = z.to(Device);  // an alias when z is already there
            return forward(zHere);
        }
        finally { train(wasTraining); }
    }

    /// <summary>The device holding the generator's parameters.</summary>
    public Device Device => parameters().First().device;

    /// <summary>
    /// The generator the configuration describes (the paper's MLP, or a toy MLP), initialised from <paramref name="rng"/>
    /// (null: libtorch's global generator).
    /// </summary>
    public static Generator Create(ModelConfig config, torch.Generator? rng = null) => config.Kind switch
    {
        ModelKind.Toy => new ToyGenerator(config, rng),
        _ => new MlpGenerator(config, rng),
    };

    /// <summary>
    /// Loads the generator of a training checkpoint (<c>checkpoints/last.ckpt</c> or any periodic one) onto
    /// <paramref name="device"/> (default: the CPU), whatever device it was trained on.
    /// </summary>
    /// <exception cref="InputException">The file is missing, corrupt or not a GanSharp checkpoint.</exception>
    public static Generator Load(string checkpointPath, Device? device = null) => FromCheckpoint(Checkpoint.Read(checkpointPath), device);

    /// <summary>The generator of a checkpoint already read, on <paramref name="device"/> (default: the CPU).</summary>
    public static Generator FromCheckpoint(Checkpoint checkpoint, Device? device = null)
    {
        var g = Create(checkpoint.Config.Model);
        checkpoint.LoadInto(Checkpoint.GeneratorSection, g);
        if (device is not null) g.to(device);
        g.eval();
        return g;
    }
}

/// <summary>
/// The paper's generator: a multilayer perceptron with ReLU hidden layers and a sigmoid output layer
/// (MNIST: 100 → 1200 → 1200 → 784).
/// </summary>
public sealed class MlpGenerator : Generator
{
    private readonly TorchSharp.Modules.ModuleList<TorchSharp.Modules.Linear> hidden = new();
    private readonly TorchSharp.Modules.Linear output;

    /// <summary>Builds and initialises the MLP generator (weights U(±GeneratorInitRange), biases 0).</summary>
    public MlpGenerator(ModelConfig config, torch.Generator? rng = null) : base("generator", config)
    {
        long width = config.NoiseDim;
        foreach (var h in config.GeneratorHidden)
        {
            hidden.Add(nn.Linear(width, h));
            width = h;
        }
        output = nn.Linear(width, (long)config.Channels * config.Height * config.Width);
        RegisterComponents();
        using var _ = no_grad();
        foreach (var layer in hidden.Append(output))
        {
            layer.weight.uniform_(-config.GeneratorInitRange, config.GeneratorInitRange, rng);  // nn.init.uniform_ ignores its generator (TorchSharp 0.107)
            nn.init.zeros_(layer.bias!);
        }
    }

    /// <summary>
    /// Sets the output bias to logit(mean pixel) of <paramref name="images"/>, clipped to [1e-7, 1 − 1e-7], so that
    /// the untrained generator already draws the average image (pylearn2's init_sigmoid_bias_from_marginals).
    /// </summary>
    public void InitOutputBiasFromData(Tensor images)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var mean = images.flatten(1).mean([0]).clamp(1e-7, 1 - 1e-7);  // [C·H·W]
        output.bias!.copy_(mean.logit());
    }

    /// <summary>z [B, NoiseDim] → images [B, C, H, W] in [0, 1].</summary>
    public override Tensor forward(Tensor z)
    {
        using var scope = NewDisposeScope();
        var h = z;
        foreach (var layer in hidden) h = layer.forward(h).relu_();          // [B, 1200]; in place: addmm needs no output
        var x = output.forward(h).sigmoid_();                                      // [B, C·H·W]
        return x.view(-1, Config.Channels, Config.Height, Config.Width).MoveToOuterDisposeScope();
    }
}
