namespace GanSharp.Configuration;

/// <summary>A named starting configuration, and the paper it follows.</summary>
/// <param name="Name">What <c>--preset</c> takes.</param>
/// <param name="Source">The paper (and, where it matters, the code) the settings come from.</param>
/// <param name="Config">The configuration.</param>
public sealed record Preset(string Name, string Source, GanConfig Config);

/// <summary>Named starting configurations, as data. Each follows a paper and says which.</summary>
public static class Presets
{
    /// <summary>The preset used when none is named.</summary>
    public const string Default = "paper-mnist";

    /// <summary>
    /// Goodfellow et al. (2014), the MNIST model of the paper's released code (adversarial/mnist.yaml): G 100 → 1200 ReLU
    /// → 1200 ReLU → 784 sigmoid, z ~ U(−√3, √3)¹⁰⁰, weights U(±0.05), output bias from pixel means; D 784 → maxout
    /// 240×5 → maxout 240×5 → 1, weights U(±0.005), dropout keep 0.8 on the image and 0.5 on hidden layers; SGD batch
    /// 100, lr 0.1 divided by 1.000004 per minibatch (floor 1e-6), momentum 0.5 → 0.7 linearly over epochs 1–250;
    /// Algorithm 1 with k = 1 and the non-saturating generator loss. The defaults of the configuration records are
    /// exactly this preset.
    /// </summary>
    public static GanConfig PaperMnist => new() { Preset = "paper-mnist" };

    /// <summary>The paper's MNIST model and schedule, trained on Fashion-MNIST.</summary>
    public static GanConfig PaperFashionMnist => PaperMnist with { Preset = "paper-fashion-mnist", Data = new DataConfig { Dataset = "fashion-mnist" } };

    /// <summary>
    /// Radford, Metz and Chintala (2015), DCGAN, section 4 "Details of adversarial training": minibatches of 128, weights
    /// N(0, 0.02), LeakyReLU slope 0.2, Adam lr 2e-4 with β₁ 0.5, and the nets of their Figure 1 sized for 28×28 MNIST
    /// (ngf = ndf = 64, z ∈ ℝ¹⁰⁰ ~ 𝒩(0, I) as in the authors' and PyTorch's reference code); Algorithm 1 with k = 1 and
    /// the non-saturating loss, as the reference trains. 5 epochs (1,950 iterations of 128): DCGAN draws clear digits by then.
    /// </summary>
    public static GanConfig DcganMnist => new()
    {
        Preset = "dcgan-mnist",
        Model = new DcganModelConfig(),
        Train = new TrainConfig { Batch = 128, Epochs = 5 },
        Optimizer = OptimizerConfig.DcganAdam,
        Output = new OutputConfig { SampleEvery = 500, CheckpointEvery = 2000 },
    };

    /// <summary>DCGAN's MNIST preset (<see cref="DcganMnist"/>) on Fashion-MNIST.</summary>
    public static GanConfig DcganFashionMnist => DcganMnist with { Preset = "dcgan-fashion-mnist", Data = new DataConfig { Dataset = "fashion-mnist" } };

    /// <summary>
    /// DCGAN (Radford et al. 2015, as <see cref="DcganMnist"/>) on Twemoji in colour at 32×32 (the nets' 32-pixel plan):
    /// 3,030 training images, so many more epochs than MNIST needs — 150 epochs, 3,450 iterations of 128.
    /// </summary>
    public static GanConfig DcganEmoji => DcganMnist with
    {
        Preset = "dcgan-emoji",
        Data = new DataConfig { Dataset = "emoji-twitter", ImageSize = 32, Color = ColorMode.Rgb },
        Train = DcganMnist.Train with { Epochs = 150 },
    };

    /// <summary>
    /// Least squares GAN (Mao et al. 2017): DCGAN's nets and Adam recipe (which their paper also uses: lr 2e-4, β₁ 0.5)
    /// with the least-squares loss, a = 0, b = c = 1. Same lengths as the DCGAN presets.
    /// </summary>
    static GanConfig Lsgan(GanConfig dcgan, string name) => dcgan with { Preset = name, Loss = new LeastSquaresLossConfig() };

    /// <summary>
    /// WGAN-GP (Gulrajani et al. 2017, Algorithm 1): the Wasserstein critic loss with the gradient penalty λ = 10,
    /// n_critic = 5 critic updates per generator update, Adam lr 1e-4 with β = (0, 0.9) and a constant rate; DCGAN's nets
    /// with layer norm in the critic in place of batch norm (their recommendation: the penalty is per image). An epoch
    /// is five times fewer generator updates, so the run is five times as many epochs as the DCGAN preset's.
    /// </summary>
    static GanConfig WganGp(GanConfig dcgan, string name) => dcgan with
    {
        Preset = name,
        Model = ((DcganModelConfig)dcgan.Model) with { DiscriminatorNorm = Normalisation.Layer },
        Loss = new WassersteinLossConfig(),
        Game = new Algorithm1Config { K = 5, GradientPenalty = 10 },
        Optimizer = new OptimizerConfig { Kind = OptimizerKind.Adam, LearningRate = 1e-4, Schedule = ExponentialDecay.Constant, Beta1 = 0, Beta2 = 0.9 },
        Train = dcgan.Train with { Epochs = dcgan.Train.Epochs * 5 },
    };

    /// <summary>
    /// SNGAN (Miyato et al. 2018): the standard CNN with spectral normalisation in every layer of D, the hinge loss, and
    /// their setting C — Adam α = 2e-4, β₁ = 0.5, β₂ = 0.999, one D update per G update, minibatches of 64. MNIST: 5 epochs
    /// (4,690 iterations).
    /// </summary>
    public static GanConfig SnganMnist => new()
    {
        Preset = "sngan-mnist",
        Model = new SnganModelConfig(),
        Loss = new HingeLossConfig(),
        Train = new TrainConfig { Batch = 64, Epochs = 5 },
        Optimizer = OptimizerConfig.DcganAdam,
        Output = new OutputConfig { SampleEvery = 1000, CheckpointEvery = 5000 },
    };

    /// <summary>
    /// Conditional adversarial nets (Mirza &amp; Osindero 2014, section 4.1): their MNIST nets
    /// (<see cref="ConditionalMlpModelConfig"/>, z uniform in the unit hypercube) and schedule — SGD on minibatches of 100,
    /// lr 0.1 divided by 1.00004 per minibatch down to 1e-6, momentum 0.5 rising to 0.7 (over epochs 1–250, the 2014
    /// paper's ramp: their paper does not say over how long) — Algorithm 1 with k = 1 and the non-saturating loss (as the
    /// 2014 paper's code). Their stopping point was the best validation log-likelihood; 100 epochs here, with a Parzen
    /// evaluation every 5,000 iterations keeping the best checkpoint.
    /// </summary>
    public static GanConfig CganMnist => new()
    {
        Preset = "cgan-mnist",
        Model = new ConditionalMlpModelConfig(),
        Train = new TrainConfig { Batch = 100, Epochs = 100 },
        Optimizer = new OptimizerConfig { Schedule = new ExponentialDecay { Decay = 1.00004 } },
        Output = new OutputConfig { EvalEvery = 5000 },
    };

    /// <summary>
    /// The auxiliary classifier GAN (Odena, Olah and Shlens 2017) on DCGAN's nets and recipe (their own MNIST and CIFAR
    /// nets are DCGAN-like; Adam 2e-4, β₁ 0.5 as DCGAN): G takes the one-hot class beside z, D gives class logits beside
    /// its real-or-generated output, the auxiliary-classifier game with the non-saturating source loss. Same lengths as
    /// the DCGAN presets.
    /// </summary>
    static GanConfig Acgan(GanConfig dcgan, string name) => dcgan with
    {
        Preset = name,
        Model = new AcganModelConfig((DcganModelConfig)dcgan.Model),
        Game = new AuxiliaryClassifierConfig(),
    };

    /// <summary>
    /// The semi-supervised GAN (Salimans et al. 2016, section 5; released code train_mnist_feature_matching.py): their
    /// MNIST nets (<see cref="SemiSupervisedMlpModelConfig"/>), 100 labels (10 per class, by seed), D's unsupervised loss
    /// weighted 0.5 as the code does, G by feature matching; Adam lr 0.003, β₁ 0.5, constant, ε 10⁻⁴ (the code adds 10⁻⁸
    /// to v̂ under the square root, a floor of 10⁻⁴ on the denominator; with PyTorch's 10⁻⁸ outside it, G's sigmoid output
    /// saturated between iterations 6,000 and 10,000 in three seeds out of three and the game stopped — docs/results.md);
    /// minibatches of 100; 300 epochs; D's test and validation errors (its running average's) every 1,000 iterations, the
    /// best checkpoint by the validation error. Deviation: the 50,000 training images of the paper split (the reference
    /// trains on all 60,000).
    /// </summary>
    public static GanConfig SganMnist => new()
    {
        Preset = "sgan-mnist",
        Model = new SemiSupervisedMlpModelConfig(),
        Game = new SemiSupervisedConfig(),
        Train = new TrainConfig { Batch = 100, Epochs = 300 },
        Optimizer = new OptimizerConfig { Kind = OptimizerKind.Adam, LearningRate = 0.003, Schedule = ExponentialDecay.Constant, Beta1 = 0.5, Beta2 = 0.999, Epsilon = 1e-4 },
        Output = new OutputConfig { SampleEvery = 5000, CheckpointEvery = 10000, EvalEvery = 1000, Eval = ["classify"] },
    };

    /// <summary>
    /// CycleGAN (Zhu et al. 2017) between the two emoji styles, Twitter (X) and Google (Y), at 32×32 in colour, split by
    /// emoji so that no emoji is seen in both styles in training (<see cref="DomainSplit.EmojiPairs"/>): the reference's
    /// recipe — least squares, λ = 10, identity 0.5·λ, pools of 50, minibatches of 1, Adam 2e-4 with β (0.5, 0.999) held
    /// for the first half and decayed linearly to 0 over the second — on nets chosen for 32×32 emoji by measurement
    /// (docs/results.md, docs/models.md): the reference's U-Net translators (its <c>unet_256</c>) of 32 features and 3
    /// levels rather than its ResNet ones (which kept the style but not the emoji: a third of the held-out retrieval at five
    /// times the CPU), PatchGAN discriminators of 32 features and 1 layer (16×16 patches), and a moving average of both
    /// translators (β 0.999), which translate. 30,000 iterations: twice as many gave the same held-out translations within
    /// the seeds' spread (docs/results.md). One thread: at minibatches of 1 a second thread buys little and costs nearly
    /// twice the CPU per iteration.
    /// </summary>
    public static GanConfig CycleganEmoji => new()
    {
        Preset = "cyclegan-emoji",
        Data = new TwoDomainsConfig
        {
            X = new DataConfig { Dataset = "emoji-twitter", ImageSize = 32, Color = ColorMode.Rgb },
            Y = new DataConfig { Dataset = "emoji-google", ImageSize = 32, Color = ColorMode.Rgb },
            Split = DomainSplit.EmojiPairs,
        },
        Model = new CycleGanModelConfig
        {
            Translator = CycleGanTranslator.Unet, GeneratorFeatures = 32, ResidualBlocks = 0, Downsamplings = 3,
            DiscriminatorFeatures = 32, DiscriminatorLayers = 1,
        },
        Loss = new LeastSquaresLossConfig(),
        Game = new CycleConsistentConfig(),
        Train = new TrainConfig { Batch = 1, Steps = 30_000, Threads = 1 },
        Optimizer = OptimizerConfig.DcganAdam with { Schedule = new LinearDecay() },
        Output = new OutputConfig { LogEvery = 100, SampleEvery = 2000, CheckpointEvery = 4000, Eval = ["translation"] },
        Ema = new EmaConfig { Beta = 0.999 },
    };

    /// <summary>
    /// StackGAN (Zhang et al. 2017) on Twitter's emoji from their names: captions from emoji.json and CLDR embedded by
    /// all-MiniLM-L6-v2, split by emoji so that test emoji are named by nothing training reads; Stage-I at 16×16 (the
    /// paper's 4× jump to 64×64), then Stage-II to 64×64 with Stage-I frozen; the reference's recipe — conditioning
    /// augmentation to 128 dimensions with KL weight 2, matching-aware discriminators, binary cross-entropy, Adam 2e-4
    /// with β₁ ½, the mean of 4 captions an image per step, minibatches of 64 — on nets narrowed for this machine (32
    /// generator and 16 discriminator features: the reference's 2 : 1, 192 : 96 on COCO; 2 residual blocks), one thread.
    /// The rate stays constant: the reference halves it every 20 epochs of COCO, about 13,000 iterations, more than either
    /// stage runs here (a halving every sixth of the stage instead, measured on Stage-I at 2,000 iterations: ResNet-18
    /// Fréchet 544 against 493 constant). 4,000 Stage-I and 2,000 Stage-II iterations: about 66 training CPU minutes on
    /// this machine (measured in a 40-minute run: Stage-I 0.15 s an iteration, Stage-II 1.7 s; docs/results.md).
    /// </summary>
    public static GanConfig StackganEmoji => new()
    {
        Preset = "stackgan-emoji",
        Data = new CaptionedConfig { Images = new DataConfig { Dataset = "emoji-twitter", ImageSize = 64, Color = ColorMode.Rgb } },
        Model = new StackGanModelConfig { DiscriminatorFeatures = 16 },
        Loss = new NonSaturatingLossConfig(),
        Game = new StackedConfig { StageOneSteps = 4_000 },
        Train = new TrainConfig { Batch = 64, Steps = 6_000, Threads = 1 },
        Optimizer = OptimizerConfig.DcganAdam,
        Output = new OutputConfig { SampleEvery = 500, CheckpointEvery = 1000 },
    };

    /// <summary>
    /// The single-stage baseline of <see cref="StackganEmoji"/>: the same captions, encoder, conditioning augmentation,
    /// matching-aware discriminator and recipe, one generator straight to 64×64 (Stage-I's nets with four up-blocks, as the
    /// reference's Stage-I draws 64×64) — 7,500 iterations of 0.51 CPU seconds, about the CPU minutes of
    /// <see cref="StackganEmoji"/>'s 6,000; docs/results.md compares the two at equal CPU minutes.
    /// </summary>
    public static GanConfig TextGanEmoji => StackganEmoji with
    {
        Preset = "text-gan-emoji",
        Model = new StackGanModelConfig { StageOneSize = 64, DiscriminatorFeatures = 16 },
        Game = new StackedConfig(),
        Train = StackganEmoji.Train with { Steps = 7_500 },
    };

    /// <summary>Every preset by name, with its source.</summary>
    public static IReadOnlyList<Preset> All { get; } =
    [
        new("paper-mnist", "Goodfellow et al. 2014, Generative Adversarial Nets; released code adversarial/mnist.yaml", PaperMnist),
        new("paper-fashion-mnist", "Goodfellow et al. 2014 (the MNIST model) on Fashion-MNIST (Xiao et al. 2017)", PaperFashionMnist),
        new("dcgan-mnist", "Radford, Metz and Chintala 2015, DCGAN, section 4 and Figure 1, sized for 28×28", DcganMnist),
        new("dcgan-fashion-mnist", "Radford et al. 2015 (DCGAN, as dcgan-mnist) on Fashion-MNIST", DcganFashionMnist),
        new("dcgan-emoji", "Radford et al. 2015 (DCGAN, 32×32 nets) on Twemoji (emoji-datasource-twitter 16.0.0, CC-BY 4.0)", DcganEmoji),
        new("lsgan-mnist", "Mao et al. 2017, Least Squares GAN (a = 0, b = c = 1), on DCGAN's nets and recipe", Lsgan(DcganMnist, "lsgan-mnist")),
        new("lsgan-fashion-mnist", "Mao et al. 2017 (as lsgan-mnist) on Fashion-MNIST", Lsgan(DcganFashionMnist, "lsgan-fashion-mnist")),
        new("lsgan-emoji", "Mao et al. 2017 (as lsgan-mnist, 32×32 nets) on Twemoji", Lsgan(DcganEmoji, "lsgan-emoji")),
        new("wgan-gp-mnist", "Gulrajani et al. 2017, WGAN-GP Algorithm 1 (λ 10, n_critic 5, Adam 1e-4, β (0, 0.9)), DCGAN nets with a layer-norm critic", WganGp(DcganMnist, "wgan-gp-mnist")),
        new("wgan-gp-fashion-mnist", "Gulrajani et al. 2017 (as wgan-gp-mnist) on Fashion-MNIST", WganGp(DcganFashionMnist, "wgan-gp-fashion-mnist")),
        new("wgan-gp-emoji", "Gulrajani et al. 2017 (as wgan-gp-mnist, 32×32 nets) on Twemoji", WganGp(DcganEmoji, "wgan-gp-emoji")),
        new("sngan-mnist", "Miyato et al. 2018, SNGAN: standard CNN, spectral norm in D, hinge loss, setting C (Adam 2e-4, β 0.5/0.999, n_dis 1)", SnganMnist),
        new("sngan-fashion-mnist", "Miyato et al. 2018 (as sngan-mnist) on Fashion-MNIST",
            SnganMnist with { Preset = "sngan-fashion-mnist", Data = new DataConfig { Dataset = "fashion-mnist" } }),
        new("sngan-emoji", "Miyato et al. 2018 (as sngan-mnist, the 32×32 standard CNN) on Twemoji, 100 epochs",
            SnganMnist with { Preset = "sngan-emoji", Data = DcganEmoji.Data, Train = SnganMnist.Train with { Epochs = 100 } }),
        new("acgan-mnist", "Odena, Olah and Shlens 2017, ACGAN (auxiliary classifier; D ascends L_S + L_C, G L_C − L_S) on DCGAN's nets and recipe", Acgan(DcganMnist, "acgan-mnist")),
        new("acgan-fashion-mnist", "Odena et al. 2017 (as acgan-mnist) on Fashion-MNIST's 10 classes", Acgan(DcganFashionMnist, "acgan-fashion-mnist")),
        new("acgan-emoji", "Odena et al. 2017 (as acgan-mnist, 32×32 nets) on Twemoji's 10 categories", Acgan(DcganEmoji, "acgan-emoji")),
        new("sgan-mnist", "Salimans et al. 2016, Improved Techniques for Training GANs, section 5: semi-supervised MNIST with 100 labels (--labels N), feature matching", SganMnist),
        new("dcgan-history-mnist", "Shrivastava et al. 2017, section 2.3: D shown a history of G's images (CycleGAN's pool of 50, Zhu et al. 2017), on DCGAN's nets and recipe",
            DcganMnist with { Preset = "dcgan-history-mnist", Game = new ImageHistoryConfig() }),
        new("cgan-mnist", "Mirza & Osindero 2014, Conditional Generative Adversarial Nets, section 4.1: MLP nets given one-hot labels, SGD", CganMnist),
        new("cyclegan-emoji", "Zhu et al. 2017, CycleGAN (LSGAN, λ 10, identity 0.5, pools of 50, Adam 2e-4 then linear decay), 32×32 U-Nets with averages, Twitter ↔ Google emoji split by emoji", CycleganEmoji),
        new("stackgan-emoji", "Zhang et al. 2017, StackGAN (CA with KL 2, matching-aware D, Stage-I 16×16 then Stage-II 64×64), Twitter's emoji from their names, split by emoji", StackganEmoji),
        new("text-gan-emoji", "Zhang et al. 2017, StackGAN's single-stage baseline: the same captions, CA and matching-aware D, one generator to 64×64", TextGanEmoji),
    ];

    /// <summary>The names of every preset.</summary>
    public static IEnumerable<string> Names => All.Select(p => p.Name);

    /// <summary>The preset called <paramref name="name"/>.</summary>
    /// <exception cref="InputException">No such preset.</exception>
    public static GanConfig Get(string name) =>
        All.FirstOrDefault(p => p.Name == name)?.Config
        ?? throw new InputException($"unknown preset '{Text.Short(name)}'" +
                                    (Text.Nearest(name, Names) is { Count: > 0 } near ? $": {Text.DidYouMean(near)}" : $" (known: {string.Join(", ", Names)})"));
}
