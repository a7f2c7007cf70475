using GanSharp.Configuration;
using GanSharp.Data;
using GanSharp.Evaluation;
using GanSharp.Games;
using GanSharp.Theory;
using GanSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GanSharp.Experiments;

/// <summary>Settings of a toy run: Algorithm 1 on small MLPs and low-dimensional data.</summary>
internal sealed record ToyOptions
{
    /// <summary>The adversarial loss.</summary>
    public LossConfig Loss { get; init; } = new NonSaturatingLossConfig();
    /// <summary>Discriminator updates per generator update.</summary>
    public int K { get; init; } = 1;
    /// <summary>Training iterations (generator updates).</summary>
    public int Steps { get; init; } = 3000;
    /// <summary>Seed of the data, the nets and every draw.</summary>
    public long Seed { get; init; } = 1;
    /// <summary>Minibatch size.</summary>
    public int Batch { get; init; } = 256;
    /// <summary>The prior of z (uniform on [−√3, √3] as in the paper's Figure 1, or a standard normal).</summary>
    public NoiseKind Noise { get; init; } = NoiseKind.Uniform;
    /// <summary>Adam's initial learning rate (β₁ = 0.5, β₂ = 0.999, both nets), falling tenfold over the run.</summary>
    public double LearningRate { get; init; } = 1e-3;
}

/// <summary>What the paper's Figure 1 shows, at one moment of a 1-D run, measured.</summary>
/// <param name="Label">Panel: (a) … (d).</param>
/// <param name="Step">Completed iterations.</param>
/// <param name="Description">What happened just before the snapshot.</param>
/// <param name="DistanceToOptimalD">E_m |D(x) − D*_G(x)| under m = (p_data + p_g)/2, by quadrature.</param>
/// <param name="MeanD">E_m D(x): ½ at the global optimum.</param>
/// <param name="ValueEstimate">V(D, G) = E log D(x) + E log(1 − D(G(z))) from 20,000 fresh samples of each.</param>
/// <param name="CriterionFromJsd">C(G) = −log 4 + 2·JSD(p_data ‖ p_g), by quadrature.</param>
/// <param name="CriterionDirect">C(G) = ∫ p_data log D* + p_g log(1 − D*), by quadrature (an independent computation).</param>
/// <param name="JensenShannon">JSD(p_data ‖ p_g).</param>
/// <param name="GeneratorMassOutsideGrid">Share of the generator's samples outside the plotted range (not in p_g on the grid).</param>
internal sealed record Snapshot1D(string Label, int Step, string Description, double DistanceToOptimalD, double MeanD,
                                double ValueEstimate, double CriterionFromJsd, double CriterionDirect, double JensenShannon,
                                double GeneratorMassOutsideGrid)
{
    /// <summary>Grid points.</summary>
    public required double[] X { get; init; }
    /// <summary>p_data on the grid.</summary>
    public required double[] DataDensity { get; init; }
    /// <summary>p_g on the grid (a histogram of 200,000 samples of G).</summary>
    public required double[] GeneratorDensity { get; init; }
    /// <summary>D(x) on the grid.</summary>
    public required double[] D { get; init; }
    /// <summary>D*_G(x) on the grid (NaN where neither density has mass).</summary>
    public required double[] OptimalD { get; init; }
    /// <summary>Evenly spaced z of the prior's support, and G(z): the mapping drawn as arrows.</summary>
    public required (double Z, double X)[] Mapping { get; init; }
}

/// <summary>
/// How the generator's loss saturates: its gradient for both losses while D, with G fixed at its initialisation, learns
/// to reject G's samples (the situation early in training that the paper describes).
/// </summary>
/// <param name="DiscriminatorUpdates">Updates of D so far (G untouched).</param>
/// <param name="MeanDOfGz">Mean D(G(z)) over the minibatch.</param>
/// <param name="MinimaxGradientNorm">‖∇θ_g (1/m) Σ log(1 − D(G(z)))‖.</param>
/// <param name="NonSaturatingGradientNorm">‖∇θ_g −(1/m) Σ log D(G(z))‖.</param>
internal sealed record SaturationPoint(int DiscriminatorUpdates, double MeanDOfGz, double MinimaxGradientNorm, double NonSaturatingGradientNorm)
{
    /// <summary>D(G(z)) of each sample of the minibatch.</summary>
    public required double[] DOfGz { get; init; }
    /// <summary>|∂ℓ/∂logit| per sample for ℓ = log(1 − D(G(z))), by autograd (closed form: D(G(z))).</summary>
    public required double[] MinimaxLogitGradient { get; init; }
    /// <summary>|∂ℓ/∂logit| per sample for ℓ = −log D(G(z)), by autograd (closed form: 1 − D(G(z))).</summary>
    public required double[] NonSaturatingLogitGradient { get; init; }
}

/// <summary>A 2-D benchmark's state at one step.</summary>
internal sealed record Snapshot2D(int Step, ModeCoverageResult Coverage)
{
    /// <summary>2,500 samples of G, (x, y) pairs, for the scatter plot.</summary>
    public required float[] Points { get; init; }
}

/// <summary>
/// Algorithm 1 at toy scale, where everything the paper proves can be computed: the 1-D experiment of Figure 1, the
/// saturation of log(1 − D(G(z))), and the 2-D mode-collapse benchmarks. All train <see cref="Algorithm1"/> with
/// <see cref="Trainer"/> itself, on toy nets (<see cref="ToyModelConfig"/>), so what is shown is what GanSharp trains.
/// </summary>
internal static class ToyExperiments
{
    /// <summary>The 1-D data distribution of the experiment: 𝒩(2, 0.5²) (the paper's Figure 1 draws one Gaussian bump).</summary>
    public static readonly IDensity1D DefaultData1D = new Gaussian1D(2, 0.5);

    /// <summary>The configuration of a toy run over points in ℝ^<paramref name="dimension"/>.</summary>
    public static GanConfig Config(ToyOptions o, int dimension, int noiseDim, int generatorWidth, int discriminatorWidth,
                                   Activation generatorActivation = Activation.Relu) => new()
    {
        Preset = "toy",
        Data = new DataConfig { Dataset = "synthetic" },
        Model = new ToyModelConfig
        {
            NoiseDim = noiseDim, Noise = o.Noise, GeneratorHidden = [generatorWidth, generatorWidth], GeneratorActivation = generatorActivation,
            DiscriminatorUnits = discriminatorWidth, DiscriminatorLayers = 2, Channels = 1, Height = 1, Width = dimension,
        },
        Loss = o.Loss,
        Game = new Algorithm1Config { K = o.K },
        Train = new TrainConfig { Batch = o.Batch, Steps = o.Steps, Seed = o.Seed, Device = "cpu" },
        // The rate falls tenfold over the run, so that the game's oscillations settle by the end.
        Optimizer = new OptimizerConfig
        {
            Kind = OptimizerKind.Adam, LearningRate = o.LearningRate, Schedule = new ExponentialDecay { Decay = Math.Pow(10, 1.0 / o.Steps) }, Beta1 = 0.5,
        },
        Output = new OutputConfig { TensorBoard = false },
    };

    /// <summary>
    /// The paper's Figure 1, measured: a 1-D run with four snapshots — (a) early in training; (b) after D alone was
    /// trained for a while with G fixed, so that D approaches D*_G; (c) halfway; (d) at the end, where p_g ≈ p_data,
    /// D ≈ ½ and V ≈ −log 4 if the run converged. Also returns the saturation measurements of the early steps.
    /// </summary>
    public static (IReadOnlyList<Snapshot1D> Snapshots, IReadOnlyList<SaturationPoint> Saturation) Figure1(
        ToyOptions o, IDensity1D? data = null, Grid1D? grid = null, IProgress<string>? progress = null)
    {
        data ??= DefaultData1D;
        grid ??= Distribution1D.GridFor(data);
        var random = new Random((int)o.Seed);
        using var points = new ImageDataset("1-D", tensor(Enumerable.Range(0, 100_000).Select(_ => (float)data.Sample(random)).ToArray()).view(-1, 1, 1, 1));
        // tanh in G: the 1-D map z → x is then smooth, and p_g has no spikes at the kinks of a ReLU net.
        var config = Config(o, 1, 1, 32, 64, Activation.Tanh);
        using var trainer = new Trainer(config, points);
        using var evalRng = new torch.Generator(unchecked((ulong)o.Seed * 7919 + 1));
        var snapshots = new List<Snapshot1D>();
        var saturation = new List<SaturationPoint>();
        // Saturation, on a second pair of nets initialised alike: D alone learns to reject the untrained G.
        using (var probe = new Trainer(config, points))
        {
            int updates = 0;
            foreach (var n in new[] { 0, 5, 10, 20, 40, 80, 160, 320 })
            {
                for (; updates < n; updates++) Algorithm1Of(probe).DiscriminatorStep(probe.Context);
                saturation.Add(Saturation(probe, evalRng, updates));
            }
        }
        int early = Math.Max(1, o.Steps / 20);
        while (trainer.Step < early) trainer.TrainStep();
        snapshots.Add(Snapshot1(trainer, data, grid, "(a)", "early in training", points, evalRng));
        for (int i = 0; i < o.Steps / 5; i++) Algorithm1Of(trainer).DiscriminatorStep(trainer.Context);
        snapshots.Add(Snapshot1(trainer, data, grid, "(b)", $"then {o.Steps / 5:N0} updates of D alone (G fixed): D moves toward D*", points, evalRng));
        progress?.Report("1-D: (a), (b) recorded");
        while (trainer.Step < o.Steps / 2) trainer.TrainStep();
        snapshots.Add(Snapshot1(trainer, data, grid, "(c)", "halfway", points, evalRng));
        while (trainer.Step < o.Steps) trainer.TrainStep();
        snapshots.Add(Snapshot1(trainer, data, grid, "(d)", "at the end", points, evalRng));
        return (snapshots, saturation);
    }

    /// <summary>The game of a toy trainer (<see cref="Config"/> always builds Algorithm 1).</summary>
    static Algorithm1 Algorithm1Of(Trainer trainer) => (Algorithm1)trainer.Game;

    static Snapshot1D Snapshot1(Trainer trainer, IDensity1D data, Grid1D grid, string label, string description, ImageDataset dataPoints,
                                torch.Generator rng)
    {
        var D = Algorithm1Of(trainer).D;
        using var scope = NewDisposeScope();
        var xs = grid.Points();
        var pData = xs.Select(data.Density).ToArray();
        // p_g: a histogram of 200,000 samples of G with one bin per grid point, as a density.
        var samples = trainer.G.Sample(200_000, rng).flatten().to_type(ScalarType.Float64).data<double>().ToArray();
        var (pG, outside) = grid.Histogram(samples);

        // D on the grid, and V(D, G) from fresh samples: E log D(x) + E log(1 − D(G(z))), logits through softplus for stability.
        double[] d;
        double value;
        using (inference_mode())
        {
            var wasTraining = D.training;
            D.eval();
            d = D.forward(tensor(xs.Select(x => (float)x).ToArray()).view(-1, 1, 1, 1)).sigmoid().to_type(ScalarType.Float64).data<double>().ToArray();
            var real = dataPoints.Images.index_select(0, randint(0, dataPoints.Count, [20_000], generator: rng));
            var fake = trainer.G.Sample(20_000, rng);
            value = -nn.functional.softplus(D.forward(real).neg()).mean().item<float>()
                    - nn.functional.softplus(D.forward(fake)).mean().item<float>();
            D.train(wasTraining);
        }
        var dStar = OptimalDiscriminator.Values(pData, pG);
        var mixture = pData.Zip(pG, (a, b) => (a + b) / 2).ToArray();
        double distance = grid.Integrate(mixture.Select((m, i) => m > 0 ? m * Math.Abs(d[i] - dStar[i]) : 0).ToArray());
        double meanD = grid.Integrate(mixture.Select((m, i) => m * d[i]).ToArray()) / grid.Integrate(mixture);
        double jsd = Divergences.JensenShannon(grid, pData, pG);
        // Arrows from evenly spaced z: over the uniform prior's support, or over ±2.5 standard deviations of a normal one.
        double zMax = trainer.G.Prior is Models.UniformNoise ? Models.UniformNoise.HalfWidth : 2.5;
        var zs = Enumerable.Range(0, 13).Select(i => -zMax + 2 * zMax * i / 12).ToArray();
        var mapped = trainer.G.Generate(tensor(zs.Select(z => (float)z).ToArray()).view(-1, 1)).flatten().to_type(ScalarType.Float64).data<double>().ToArray();
        return new Snapshot1D(label, (int)trainer.Step, description, distance, meanD, value,
                              OptimalDiscriminator.OptimalValue + 2 * jsd, OptimalDiscriminator.VirtualTrainingCriterion(grid, pData, pG), jsd,
                              (double)outside / samples.Length)
        {
            X = xs, DataDensity = pData, GeneratorDensity = pG, D = d, OptimalD = dStar, Mapping = zs.Zip(mapped).ToArray(),
        };
    }

    /// <summary>The gradient norms of both generator losses at the trainer's current G and D, on one minibatch of noise.</summary>
    static SaturationPoint Saturation(Trainer trainer, torch.Generator rng, int discriminatorUpdates)
    {
        using var scope = NewDisposeScope();
        var D = Algorithm1Of(trainer).D;
        var gParams = trainer.G.parameters().ToArray();
        var z = trainer.G.Prior.Sample(trainer.Config.Train.Batch, trainer.G.NoiseDim, rng);
        // Both gradients of one loss: w.r.t. G's parameters (its norm), and w.r.t. each sample's logit, scaled by the
        // batch size so that it is the per-sample term (the loss is a mean) — the quantity the paper's argument is about.
        (double Norm, double[] PerLogit) Gradients(Losses.IAdversarialLoss loss, out double[] dOfGz)
        {
            var logits = D.forward(trainer.G.forward(z));                  // [m]
            dOfGz = logits.detach().sigmoid().to_type(ScalarType.Float64).data<double>().ToArray();
            var grads = autograd.grad([loss.Generator(logits)], [.. gParams, logits]);
            double norm = Math.Sqrt(grads.Take(gParams.Length).Sum(g => g.square().sum().item<float>()));
            var perLogit = (grads[^1].abs() * logits.shape[0]).to_type(ScalarType.Float64).data<double>().ToArray();
            return (norm, perLogit);
        }
        var (minimax, minimaxPerLogit) = Gradients(new Losses.Minimax(), out var d);
        var (nonSaturating, nonSaturatingPerLogit) = Gradients(new Losses.NonSaturating(), out _);
        return new SaturationPoint(discriminatorUpdates, d.Average(), minimax, nonSaturating)
        {
            DOfGz = d, MinimaxLogitGradient = minimaxPerLogit, NonSaturatingLogitGradient = nonSaturatingPerLogit,
        };
    }

    /// <summary>
    /// A 2-D mode-collapse benchmark: trains on <paramref name="mixture"/> and measures coverage of 2,500 samples at
    /// <paramref name="snapshots"/> evenly spaced steps (the last at the end).
    /// </summary>
    public static IReadOnlyList<Snapshot2D> ModeCollapse(GaussianMixture2D mixture, ToyOptions o, int snapshots = 4)
    {
        var random = new Random((int)o.Seed);
        using var points = new ImageDataset(mixture.Name, mixture.Sample(100_000, random));
        using var trainer = new Trainer(Config(o, 2, 8, 128, 128), points);
        using var centres = mixture.Centres();
        using var rng = new torch.Generator(unchecked((ulong)o.Seed * 7919 + 2));
        var result = new List<Snapshot2D>();
        for (int s = 1; s <= snapshots; s++)
        {
            int until = o.Steps * s / snapshots;
            while (trainer.Step < until) trainer.TrainStep();
            using var samples = trainer.G.Sample(2500, rng).flatten(1);          // [2500, 2]
            result.Add(new Snapshot2D(until, ModeCoverage.Measure(samples, centres, mixture.Std)) { Points = samples.data<float>().ToArray() });
        }
        return result;
    }
}
