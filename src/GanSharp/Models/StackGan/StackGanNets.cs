using GanSharp.Configuration;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace GanSharp.Models;

/// <summary>
/// Conditioning augmentation (Zhang et al. 2017, section 3.1): a sentence embedding φ_t <c>[B, E]</c> → the mean μ and
/// log-variance log σ² <c>[B, c]</c> of a Gaussian the condition is drawn from, c = μ + σ ⊙ ε, ε ~ 𝒩(0, I) — more
/// conditions around each of the few captions, and a smooth conditioning manifold. As the reference's <c>CA_NET</c>,
/// one fully connected layer to 2c with a ReLU, then split (so μ ≥ 0 and σ ≥ 1 there: the reference's choice, kept).
/// The generator's loss adds <see cref="Kl"/>, weighted (the paper's λ = 2 in the reference's configurations).
/// </summary>
public sealed class ConditioningAugmentation : nn.Module<Tensor, (Tensor Mu, Tensor LogVariance)>
{
    private readonly Linear fc;
    private readonly int conditionDim;
    private readonly double scale;

    /// <summary>
    /// From embeddings of <paramref name="textDim"/>, multiplied by <paramref name="scale"/> (<see cref="StackGanModelConfig.TextScale"/>),
    /// to conditions of <paramref name="conditionDim"/>; weights N(0, 0.02) from <paramref name="rng"/>.
    /// </summary>
    public ConditioningAugmentation(int textDim, int conditionDim, torch.Generator? rng = null, double scale = 1) : base("ca")
    {
        fc = nn.Linear(textDim, 2 * conditionDim);
        (this.conditionDim, this.scale) = (conditionDim, scale);
        RegisterComponents();
        using var _ = no_grad();
        fc.weight!.normal_(0, 0.02, rng);
        fc.bias!.zero_();
    }

    /// <summary>φ_t <c>[B, E]</c> → (μ, log σ²), each <c>[B, c]</c>: ReLU(FC(scale·φ_t)) split in two.</summary>
    public override (Tensor Mu, Tensor LogVariance) forward(Tensor embedding)
    {
        using var scope = NewDisposeScope();
        var x = F.relu(fc.forward(scale == 1 ? embedding : embedding.mul(scale)));     // [B, 2c]
        return (x.narrow(1, 0, conditionDim).MoveToOuterDisposeScope(), x.narrow(1, conditionDim, conditionDim).MoveToOuterDisposeScope());
    }

    /// <summary>c = μ + exp(½ log σ²) ⊙ ε with ε ~ 𝒩(0, I) from <paramref name="rng"/>.</summary>
    public static Tensor Sample(Tensor mu, Tensor logVariance, torch.Generator? rng)
    {
        using var scope = NewDisposeScope();
        var eps = randn(mu.shape, generator: rng, device: mu.device);
        return (mu + logVariance.mul(0.5).exp() * eps).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// KL(𝒩(μ, σ²) ‖ 𝒩(0, I)) per dimension, averaged over the batch and the c dimensions as the reference's
    /// <c>KL_loss</c>: −½ · mean(1 + log σ² − μ² − σ²).
    /// </summary>
    public static Tensor Kl(Tensor mu, Tensor logVariance) =>
        (1 + logVariance - mu.square() - logVariance.exp()).mean().mul(-0.5);
}

/// <summary>
/// Nearest-neighbour ×2 upsampling followed by a 3×3 convolution (padding 1, no bias) — the reference's up-block
/// convolution — computed as four 2×2 convolutions at the input's resolution, one per output phase, interleaved
/// (a sub-pixel convolution): output pixel (2i + a, 2j + b) reads only input rows i − 1 + a … i + a and columns
/// j − 1 + b … j + b, so each phase's 2×2 kernel is the 3×3 kernel's taps that land on the same input pixel, summed
/// (rows: phase 0 takes {w₀, w₁ + w₂}, phase 1 {w₀ + w₁, w₂}; columns alike). The same function of the same weight
/// (<c>weight</c> <c>[out, in, 3, 3]</c>, as <c>Conv2d</c>'s), with 16 multiply-adds per input pixel and channel pair
/// instead of 36: measured 2.1× faster forward and backward in PyTorch on this machine (the up-blocks of Stage-II's
/// 32×32 and 64×64 maps, one thread).
/// </summary>
public sealed class NearestUpConv : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;

    /// <summary>From <paramref name="input"/> to <paramref name="output"/> channels; the weight uninitialised (the net's initialisation sets it).</summary>
    public NearestUpConv(long input, long output) : base("nearest_up_conv")
    {
        weight = new Parameter(empty(output, input, 3, 3));
        RegisterComponents();
    }

    /// <summary>The 3×3 kernel <c>[out, in, 3, 3]</c>.</summary>
    public Parameter Weight => weight;

    /// <summary><c>[B, in, H, W]</c> → <c>[B, out, 2H, 2W]</c>: conv3×3(upsample×2(x)), padding 1.</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var w = weight;
        Tensor[] rows = [stack([w.select(2, 0), w.select(2, 1) + w.select(2, 2)], 2), stack([w.select(2, 0) + w.select(2, 1), w.select(2, 2)], 2)];   // [out, in, 2, 3] per row phase
        var phases = new Tensor[4];
        for (int a = 0; a < 2; a++)
            for (int b = 0; b < 2; b++)
            {
                var r = rows[a];
                var kernel = b == 0 ? stack([r.select(3, 0), r.select(3, 1) + r.select(3, 2)], 3) : stack([r.select(3, 0) + r.select(3, 1), r.select(3, 2)], 3);   // [out, in, 2, 2]
                phases[2 * a + b] = F.conv2d(F.pad(x, [1 - b, b, 1 - a, a]), kernel);     // [B, out, H, W]: pad left, right, top, bottom
            }
        var o = stack(phases, 2);                                                          // [B, out, 4, H, W], phases (a, b) = 00, 01, 10, 11
        long n = o.shape[0], c = o.shape[1], h = o.shape[3], wd = o.shape[4];
        return o.view(n, c, 2, 2, h, wd).permute(0, 1, 4, 2, 5, 3).reshape(n, c, 2 * h, 2 * wd).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// The reference's joining of a feature map with a condition vector: the vector replicated over the map, concatenated
/// along the channels, then a 3×3 convolution (padding 1, no bias), batch norm and <paramref name="slope"/>-leaky ReLU —
/// with the convolution split in two, because the condition's half of the input is constant over the map:
/// conv([h; c·1], [W_h | W_c]) = conv(h, W_h) + conv(c·1, W_c), and with zero padding the second term takes only nine
/// values over an S×S map (S ≥ 3): the corner, edge and inner sums of W_c's taps against c, which a 3×3 convolution of c
/// replicated over a 3×3 map gives exactly (its corners see the same four taps as the map's corners, its middle all nine).
/// Those nine are then spread over the map (row and column 0 → 0, inner → 1, last → 2). The same function of the same
/// weight <c>[out, map + c, 3, 3]</c> as the concatenated form, with the condition's share of the multiply-adds cut from
/// S²·9 to 9 per output channel and input: at Stage-II's 16×16 join (128 + 128 channels) the join's forward and backward
/// took half the time (measured, one thread). Float sums come out in another order: equal within rounding, not bit for
/// bit. Parameters are named as the reference's <c>nn.Sequential</c> of the three layers (<c>0.weight</c>, <c>1.*</c>),
/// so saved nets and exported weights keep their names.
/// </summary>
public sealed class ConditionJoin : nn.Module<Tensor, Tensor, Tensor>
{
    // A tuple, not two module fields: TorchSharp registers a module's fields of module type under the fields' names, and
    // these must be registered once, as "0" and "1".
    private readonly (Conv2d Conv, BatchNorm2d Norm) layers;
    private readonly double slope;

    /// <summary>A map of <paramref name="mapChannels"/> joined with a condition of <paramref name="conditionDim"/>, to <paramref name="output"/> channels; LeakyReLU's <paramref name="slope"/> (0: ReLU).</summary>
    public ConditionJoin(long mapChannels, long conditionDim, long output, double slope = 0) : base("condition_join")
    {
        (MapChannels, this.slope) = (mapChannels, slope);
        layers = (nn.Conv2d(mapChannels + conditionDim, output, 3, padding: 1, bias: false), nn.BatchNorm2d(output));
        register_module("0", layers.Conv);                                             // the reference's Sequential's names
        register_module("1", layers.Norm);
    }

    /// <summary>Channels of the map (the weight's first input channels; the condition's follow).</summary>
    public long MapChannels { get; }

    /// <summary>Feature map <c>[B, m, S, S]</c> and condition <c>[B, c]</c> → <c>[B, out, S, S]</c>.</summary>
    public override Tensor forward(Tensor map, Tensor condition)
    {
        using var scope = NewDisposeScope();
        long side = map.shape[2], cd = condition.shape[1];
        if (map.shape[3] != side || side < 3) throw new ArgumentException($"the map must be square and at least 3×3, not {map.shape[2]}×{map.shape[3]}", nameof(map));
        var w = layers.Conv.weight!;                                                   // [out, m + c, 3, 3]
        var fromMap = F.conv2d(map, w.narrow(1, 0, MapChannels), padding: [1, 1]);     // [B, out, S, S]
        var nine = F.conv2d(condition.view(-1, cd, 1, 1).expand(-1, -1, 3, 3), w.narrow(1, MapChannels, cd), padding: [1, 1]);   // [B, out, 3, 3]
        var spread = full(side, 1L, ScalarType.Int64, device: map.device);             // 0, 1, …, 1, 2: corner, inner, far edge
        spread[0] = 0; spread[side - 1] = 2;
        var h = layers.Norm.forward(fromMap + nine.index_select(2, spread).index_select(3, spread));
        return (slope == 0 ? F.relu(h, inplace: true) : F.leaky_relu(h, slope, inplace: true)).MoveToOuterDisposeScope();
    }
}

/// <summary>The layers StackGAN's nets are made of, and their initialisation.</summary>
internal static class StackGanLayers
{
    /// <summary>
    /// The reference's <c>upBlock</c>: nearest-neighbour ×2, 3×3 convolution without bias (<see cref="NearestUpConv"/>: the
    /// same function, computed at the input's resolution), batch norm, ReLU.
    /// </summary>
    public static Sequential Up(long input, long output) => nn.Sequential(
        new NearestUpConv(input, output), nn.BatchNorm2d(output), nn.ReLU(inplace: true));

    /// <summary>The reference's initialisation: convolutions and linear layers N(0, 0.02), batch-norm scales N(1, 0.02) and shifts 0.</summary>
    public static void Initialise(nn.Module net, torch.Generator? rng)
    {
        using var _ = no_grad();
        foreach (var (name, m) in net.named_modules())
            switch (m)
            {
                case Conv2d c: c.weight!.normal_(0, 0.02, rng); c.bias?.zero_(); break;
                case NearestUpConv u: u.Weight.normal_(0, 0.02, rng); break;
                case Linear l when !name.StartsWith("ca", StringComparison.Ordinal): l.weight!.normal_(0, 0.02, rng); l.bias?.zero_(); break;   // the CA initialised itself
                case BatchNorm2d b: b.weight!.normal_(1, 0.02, rng); b.bias!.zero_(); break;
                case BatchNorm1d b: b.weight!.normal_(1, 0.02, rng); b.bias!.zero_(); break;
            }
    }

    /// <summary>A 3×3 convolution to image channels, tanh, mapped to [0, 1].</summary>
    public static Tensor ToImage(Conv2d last, Tensor h) => last.forward(h).tanh().add(1).mul_(0.5);
}

/// <summary>
/// A generator of images from text: conditioning augmentation of a sentence embedding, then a net. Its forward pass
/// returns the image <c>[B, C, S, S]</c> in [0, 1] with the μ and log σ² it drew the condition from (the KL term's inputs).
/// </summary>
public abstract class TextStageGenerator : nn.Module<Tensor, Tensor?, Tensor, (Tensor Image, Tensor Mu, Tensor LogVariance)>
{
    /// <summary>Base constructor.</summary>
    protected TextStageGenerator(string name, StackGanModelConfig config) : base(name) => Config = config;

    /// <summary>The nets' configuration.</summary>
    public StackGanModelConfig Config { get; }

    /// <summary>The generator's conditioning augmentation.</summary>
    public abstract ConditioningAugmentation Augmentation { get; }

    /// <summary>The side of its images.</summary>
    public abstract int Side { get; }

    /// <summary>Source of the condition's ε in training (the run's generator); sampling passes its own.</summary>
    public torch.Generator? Rng { get; set; }
}

/// <summary>
/// Stage-I's generator (the reference's <c>STAGE1_G</c>, to <see cref="StackGanModelConfig.StageOneSize"/>): z ⊕ c →
/// fully connected to a 4×4 map of 8·ngf channels (batch norm, ReLU), up-blocks that halve the channels as they double
/// the side, a 3×3 convolution to the image, tanh. Inputs: (φ_t <c>[B, E]</c>, unused, z <c>[B, NoiseDim]</c>).
/// </summary>
public sealed class StageOneGenerator : TextStageGenerator
{
    private readonly ConditioningAugmentation ca;
    private readonly Linear fc;
    private readonly BatchNorm1d norm;
    private readonly ModuleList<Sequential> ups = new();
    private readonly Conv2d last;
    private readonly long width;

    /// <summary>Builds and initialises the generator from <paramref name="rng"/> (CA first, then the layers in order).</summary>
    public StageOneGenerator(StackGanModelConfig config, torch.Generator? rng = null) : base("stage1_generator", config)
    {
        ca = new ConditioningAugmentation(config.TextDim, config.ConditionDim, rng, config.TextFactor);
        width = 8L * config.GeneratorFeatures;
        fc = nn.Linear(config.NoiseDim + config.ConditionDim, width * 16, hasBias: false);
        norm = nn.BatchNorm1d(width * 16);
        long channels = width;
        for (int i = 0; i < StackGanModelConfig.Doublings(config.StageOneSize); i++, channels /= 2) ups.Add(StackGanLayers.Up(channels, channels / 2));
        last = nn.Conv2d(channels, config.Channels, 3, padding: 1, bias: false);
        RegisterComponents();
        StackGanLayers.Initialise(this, rng);
    }

    /// <inheritdoc/>
    public override ConditioningAugmentation Augmentation => ca;
    /// <inheritdoc/>
    public override int Side => Config.StageOneSize;

    /// <summary>(φ_t, —, z) → (image <c>[B, C, S₁, S₁]</c>, μ, log σ²).</summary>
    public override (Tensor Image, Tensor Mu, Tensor LogVariance) forward(Tensor embedding, Tensor? _, Tensor z)
    {
        using var scope = NewDisposeScope();
        var (mu, logVar) = ca.forward(embedding);                                     // [B, c] each
        var c = ConditioningAugmentation.Sample(mu, logVar, Rng);
        var h = F.relu(norm.forward(fc.forward(cat([z, c], 1)))).view(-1, width, 4, 4);   // [B, 8·ngf, 4, 4]
        foreach (var up in ups) h = up.forward(h);                                    // … [B, 8·ngf/2ⁿ, S₁, S₁]
        var image = StackGanLayers.ToImage(last, h);
        return (image.MoveToOuterDisposeScope(), mu.MoveToOuterDisposeScope(), logVar.MoveToOuterDisposeScope());
    }
}

/// <summary>
/// Stage-II's generator (the reference's <c>STAGE2_G</c>): Stage-I's image encoded down to the joining side
/// <see cref="StackGanModelConfig.JoinSide"/> (16, or Stage-I's side when smaller) — a 3×3 convolution to ngf channels
/// (ReLU), a 4×4 stride-2 convolution per halving that doubles the channels (batch norm, ReLU; the reference halves its
/// 64×64 Stage-I image twice, to 4·ngf at 16×16), and a 3×3 convolution to 4·ngf where the halvings stop short of it —
/// joined with its own augmented condition c replicated over the map (3×3 convolution, batch norm, ReLU), residual
/// blocks, then up-blocks to the full side and a 3×3 convolution to the image. Inputs: (φ_t, Stage-I image, —).
/// </summary>
public sealed class StageTwoGenerator : TextStageGenerator
{
    private readonly ConditioningAugmentation ca;
    private readonly Sequential encoder;
    private readonly ConditionJoin joint;
    private readonly ModuleList<Sequential> residuals = new(), ups = new();
    private readonly Conv2d last;

    /// <summary>Builds and initialises the generator from <paramref name="rng"/>.</summary>
    public StageTwoGenerator(StackGanModelConfig config, torch.Generator? rng = null) : base("stage2_generator", config)
    {
        long g4 = 4L * config.GeneratorFeatures;
        ca = new ConditioningAugmentation(config.TextDim, config.ConditionDim, rng, config.TextFactor);
        var encoding = new List<nn.Module<Tensor, Tensor>> { nn.Conv2d(config.Channels, config.GeneratorFeatures, 3, padding: 1, bias: false), nn.ReLU(inplace: true) };
        long width = config.GeneratorFeatures;
        for (int i = StackGanModelConfig.Doublings(config.JoinSide); i < StackGanModelConfig.Doublings(config.StageOneSize); i++, width = Math.Min(2 * width, g4))
            encoding.AddRange([nn.Conv2d(width, Math.Min(2 * width, g4), 4, stride: 2, padding: 1, bias: false), nn.BatchNorm2d(Math.Min(2 * width, g4)), nn.ReLU(inplace: true)]);
        if (width < g4) encoding.AddRange([nn.Conv2d(width, g4, 3, padding: 1, bias: false), nn.BatchNorm2d(g4), nn.ReLU(inplace: true)]);
        encoder = nn.Sequential(encoding);
        joint = new ConditionJoin(g4, config.ConditionDim, g4);
        for (int i = 0; i < config.ResidualBlocks; i++)
            residuals.Add(nn.Sequential(nn.Conv2d(g4, g4, 3, padding: 1, bias: false), nn.BatchNorm2d(g4), nn.ReLU(inplace: true),
                                        nn.Conv2d(g4, g4, 3, padding: 1, bias: false), nn.BatchNorm2d(g4)));
        long channels = g4;
        int doublings = StackGanModelConfig.Doublings(config.Height) - StackGanModelConfig.Doublings(config.JoinSide);
        for (int i = 0; i < doublings; i++, channels = Math.Max(channels / 2, 8)) ups.Add(StackGanLayers.Up(channels, Math.Max(channels / 2, 8)));
        last = nn.Conv2d(channels, config.Channels, 3, padding: 1, bias: false);
        RegisterComponents();
        StackGanLayers.Initialise(this, rng);
    }

    /// <inheritdoc/>
    public override ConditioningAugmentation Augmentation => ca;
    /// <inheritdoc/>
    public override int Side => Config.Height;

    /// <summary>(φ_t, Stage-I image <c>[B, C, S₁, S₁]</c>, —) → (image <c>[B, C, H, H]</c>, μ, log σ²).</summary>
    public override (Tensor Image, Tensor Mu, Tensor LogVariance) forward(Tensor embedding, Tensor? stageOne, Tensor _)
    {
        ArgumentNullException.ThrowIfNull(stageOne);
        using var scope = NewDisposeScope();
        var (mu, logVar) = ca.forward(embedding);
        var c = ConditioningAugmentation.Sample(mu, logVar, Rng);                      // [B, c]
        var h = encoder.forward(stageOne.mul(2).sub(1));                               // [B, 4·ngf, J, J], the image in [−1, 1]
        h = joint.forward(h, c);                                                       // c replicated over the map, joined
        foreach (var block in residuals) h = F.relu(h + block.forward(h));             // the reference's ResBlock: relu(x + F(x))
        foreach (var up in ups) h = up.forward(h);                                     // … [B, ·, H, H]
        var image = StackGanLayers.ToImage(last, h);
        return (image.MoveToOuterDisposeScope(), mu.MoveToOuterDisposeScope(), logVar.MoveToOuterDisposeScope());
    }
}

/// <summary>
/// StackGAN's matching-aware discriminator (the reference's <c>STAGE1_D</c>/<c>STAGE2_D</c> with <c>D_GET_LOGITS</c>):
/// 4×4 stride-2 convolutions (LeakyReLU 0.2, batch norm from the second) that double the channels (up to 8·ndf) as they
/// halve the side, down to a 4×4 map — <see cref="Features"/>; then the text: μ replicated over the 4×4 map and joined
/// (3×3 convolution, batch norm, LeakyReLU), and a 4×4 convolution to one logit per image — <see cref="Judge"/>. The
/// image features are computed once and judged against the right and the wrong text, as the reference does. Stage-II's
/// (<c>unconditional</c>) has a second head as the reference's <c>STAGE2_D</c>: a 4×4 convolution of the features alone
/// to a logit that the image is real whatever its text — <see cref="Realism"/>.
/// </summary>
public sealed class TextDiscriminator : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Sequential trunk;
    private readonly ConditionJoin joint;
    private readonly Conv2d output;
    private readonly Conv2d? unconditional;

    /// <summary>
    /// For images of <paramref name="side"/>² and conditions of the configuration's dimension, with the text-free head when
    /// <paramref name="withUnconditional"/>; initialised from <paramref name="rng"/>.
    /// </summary>
    public TextDiscriminator(StackGanModelConfig config, int side, torch.Generator? rng = null, bool withUnconditional = false) : base($"text_discriminator_{side}")
    {
        var layers = new List<nn.Module<Tensor, Tensor>>();
        long channels = config.Channels;
        for (int i = 0, n = StackGanModelConfig.Doublings(side); i < n; i++)
        {
            long next = (long)config.DiscriminatorFeatures << Math.Min(i, 3);
            layers.Add(nn.Conv2d(channels, next, 4, stride: 2, padding: 1, bias: false));
            if (i > 0) layers.Add(nn.BatchNorm2d(next));
            layers.Add(nn.LeakyReLU(0.2, inplace: true));
            channels = next;
        }
        trunk = nn.Sequential(layers);
        joint = new ConditionJoin(channels, config.ConditionDim, channels, slope: 0.2);
        output = nn.Conv2d(channels, 1, 4, stride: 4, bias: false);
        if (withUnconditional) unconditional = nn.Conv2d(channels, 1, 4, stride: 4, bias: false);
        Side = side;
        RegisterComponents();
        StackGanLayers.Initialise(this, rng);
    }

    /// <summary>The side of the images it judges.</summary>
    public int Side { get; }

    /// <summary>Images <c>[B, C, S, S]</c> in [0, 1] → features <c>[B, ch, 4, 4]</c>.</summary>
    public Tensor Features(Tensor images)
    {
        using var scope = NewDisposeScope();
        return trunk.forward(images.mul(2).sub(1)).MoveToOuterDisposeScope();
    }

    /// <summary>Features <c>[B, ch, 4, 4]</c> and conditions μ <c>[B, c]</c> → logits <c>[B]</c> that the image is real and matches the text.</summary>
    public Tensor Judge(Tensor features, Tensor mu)
    {
        using var scope = NewDisposeScope();
        return output.forward(joint.forward(features, mu)).view(-1).MoveToOuterDisposeScope();
    }

    /// <summary>Whether it has the text-free head (<see cref="Realism"/>).</summary>
    public bool HasUnconditional => unconditional is not null;

    /// <summary>Features <c>[B, ch, 4, 4]</c> → logits <c>[B]</c> that the image is real, text aside; null without that head.</summary>
    public Tensor? Realism(Tensor features)
    {
        if (unconditional is null) return null;
        using var scope = NewDisposeScope();
        return unconditional.forward(features).view(-1).MoveToOuterDisposeScope();
    }

    /// <summary>Judge(Features(images), μ).</summary>
    public override Tensor forward(Tensor images, Tensor mu)
    {
        using var features = Features(images);
        return Judge(features, mu);
    }
}
