using GanSharp.Configuration;
using GanSharp.Data;
using GanSharp.Experiments;
using GanSharp.Models;
using GanSharp.Training;
using TorchSharp.Modules;
using static GanSharp.Tests.TestSupport;
using static TorchSharp.torch;

namespace GanSharp.Tests;

/// <summary>Conditional nets (Mirza &amp; Osindero 2014): labels in the game, class-aware sampling, classes from the data.</summary>
public class ConditionalTests
{
    /// <summary>A user's conditional generator whose every pixel is its label / 10: what it was asked for can be read back.</summary>
    sealed class LabelEcho : GanSharp.Models.Generator
    {
        readonly Linear layer;  // unused by the images; a generator needs a parameter (its device)
        public LabelEcho(ModelConfig config, long chunk = 10_000) : base("label_echo", config)
        {
            layer = nn.Linear(1, 1);
            RegisterComponents();
            this.chunk = chunk;
        }
        readonly long chunk;
        protected override long SampleChunk => chunk;
        public override Tensor forward(Tensor z, Tensor? labels) =>
            labels!.to_type(ScalarType.Float32).div(10).view(-1, 1, 1, 1).expand(-1, Config.Channels, Config.Height, Config.Width).contiguous();
    }

    static CustomModelConfig EchoConfig(double[]? frequencies = null) => new()
    {
        ConditionalNets = true, Classes = 3, ClassNames = ["cat", "dog", "owl"], ClassFrequencies = frequencies,
        NoiseDim = 2, Height = 2, Width = 2,
    };

    /// <summary>The label each image of an echo generator was drawn for.</summary>
    static long[] LabelsOf(Tensor images) => images.flatten(1).select(1, 0).mul(10).round().to_type(ScalarType.Int64).data<long>().ToArray();

    [Fact]
    public void SampleClassDrawsOnlyThatClassInEveryChunk()
    {
        using var g = new LabelEcho(EchoConfig(), chunk: 7);
        using var images = g.SampleClass(20, 2, rng: new TorchSharp.torch.Generator(1));
        Assert.All(LabelsOf(images), l => Assert.Equal(2, l));
        Assert.Contains("not one of the generator's 3", Assert.Throws<InputException>(() => g.SampleClass(4, 3)).Message);
    }

    [Fact]
    public void SampleDrawsClassesAsOftenAsTheData()
    {
        // 20,000 draws of shares 0.2 / 0.5 / 0.3: each count within 4 standard deviations of its binomial mean.
        double[] shares = [0.2, 0.5, 0.3];
        using var g = new LabelEcho(EchoConfig(shares), chunk: 3_000);
        using var images = g.Sample(20_000, new TorchSharp.torch.Generator(5));
        var labels = LabelsOf(images);
        for (int k = 0; k < 3; k++)
        {
            double count = labels.Count(l => l == k), mean = 20_000 * shares[k], sd = Math.Sqrt(20_000 * shares[k] * (1 - shares[k]));
            Assert.InRange(count, mean - 4 * sd, mean + 4 * sd);
        }
        // The same seed, the same labels.
        using var again = g.Sample(20_000, new TorchSharp.torch.Generator(5));
        Assert.Equal(labels, LabelsOf(again));
    }

    [Fact]
    public void GenerateRefusesLabelsItCannotTake()
    {
        using var g = new LabelEcho(EchoConfig());
        using var z = zeros(4, 2);
        Assert.Contains("lie in 0–2", Assert.Throws<InputException>(() => g.Generate(z, tensor(new long[] { 0, 1, 2, 3 }))).Message);
        Assert.Contains("one per noise row", Assert.Throws<InputException>(() => g.Generate(z, tensor(new long[] { 0, 1 }))).Message);
        using var unconditional = new ChunkedGenerator(Tiny().Model);
        Assert.Contains("not conditional", Assert.Throws<InputException>(() => unconditional.Generate(zeros(2, 3), tensor(new long[] { 0, 1 }))).Message);
        Assert.Contains("not conditional", Assert.Throws<InputException>(() => unconditional.SampleClass(2, 0)).Message);
    }

    [Fact]
    public void ClassRowsPutClassRInRowR()
    {
        using var g = new LabelEcho(EchoConfig());
        using var images = PaperFigures.ClassRows(g, 4, new TorchSharp.torch.Generator(2));
        Assert.Equal([0L, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2], LabelsOf(images));
    }

    [Fact]
    public void ClassesByNameOrIndex()
    {
        var m = EchoConfig();
        Assert.Equal(1, m.ClassIndex("Dog"));
        Assert.Equal(2, m.ClassIndex("2"));
        Assert.Contains("no class 'emu' (the model's 3: 0 cat, 1 dog, 2 owl)", Assert.Throws<InputException>(() => m.ClassIndex("emu")).Message);
        Assert.Contains("no class '3'", Assert.Throws<InputException>(() => m.ClassIndex("3")).Message);
        Assert.Contains("not conditional", Assert.Throws<InputException>(() => Tiny().Model.ClassIndex("0")).Message);
    }

    [Fact]
    public void ClassesComeFromTheTrainingLabels()
    {
        using var data = new ImageDataset("four", rand(5, 1, 2, 2), tensor(new long[] { 0, 2, 2, 1, 2 }));
        var m = TrainingRun.WithClasses(new ConditionalMlpModelConfig(), data);
        Assert.Equal(3, m.Classes);
        Assert.Null(m.ClassNames);
        Assert.Equal([0.2, 0.2, 0.6], m.ClassFrequencies!, (a, b) => Math.Abs(a - b) < 1e-12);
        Assert.Empty(m.Problems());

        using var named = new ImageDataset("named", rand(2, 1, 2, 2), tensor(new long[] { 0, 0 })) { LabelNames = ["a", "b"] };
        var n = TrainingRun.WithClasses(new ConditionalMlpModelConfig(), named);
        Assert.Equal(2, n.Classes);
        Assert.Equal(["a", "b"], n.ClassNames!);
        Assert.Equal([1.0, 0.0], n.ClassFrequencies!);

        using var unlabelled = new ImageDataset("bare", rand(2, 1, 2, 2));
        Assert.Contains("bare: the conditional-mlp model is conditional and needs class labels",
                        Assert.Throws<InputException>(() => TrainingRun.WithClasses(new ConditionalMlpModelConfig(), unlabelled)).Message);
        using var beyond = new ImageDataset("beyond", rand(2, 1, 2, 2), tensor(new long[] { 0, 2 })) { LabelNames = ["a", "b"] };
        Assert.Contains("labels must lie in 0–1", Assert.Throws<InputException>(() => TrainingRun.WithClasses(new ConditionalMlpModelConfig(), beyond)).Message);
        // An unconditional model is left alone, and refuses classes.
        var paperModel = Tiny().Model;
        Assert.Same(paperModel, TrainingRun.WithClasses(paperModel, named));
        Assert.Contains("not conditional", Assert.Single(((PaperModelConfig)Tiny().Model with { Classes = 2 }).Problems()));
    }

    /// <summary>
    /// Two classes of points in the unit square, class 0 near (0.2, 0.2) and class 1 near (0.8, 0.8): a conditional game
    /// learns to draw each near its own corner only if the labels reach both nets and D judges images with them.
    /// </summary>
    [Fact]
    public void TheConditionalGameLearnsWhichClassIsWhere()
    {
        using var rng = new TorchSharp.torch.Generator(3);
        var labels = arange(400, dtype: ScalarType.Int64).remainder(2);                                    // [400]: 0, 1, 0, …
        var points = labels.to_type(ScalarType.Float32).mul(0.6).add(0.2).view(-1, 1, 1, 1).expand(-1, 1, 1, 2)
                           .add(randn([400, 1, 1, 2], generator: rng).mul(0.03)).contiguous();             // [400, 1, 1, 2]
        using var data = new ImageDataset("corners", points, labels);
        var model = TrainingRun.WithClasses(new ConditionalMlpModelConfig
        {
            NoiseDim = 4, Channels = 1, Height = 1, Width = 2,
            GeneratorNoiseUnits = 16, GeneratorLabelUnits = 16, GeneratorJointUnits = 32, GeneratorHiddenKeep = 1, GeneratorInitRange = 0.3,
            GeneratorOutputBiasFromData = false,
            DiscriminatorImageUnits = 16, DiscriminatorLabelUnits = 8, DiscriminatorJointUnits = 16, DiscriminatorPieces = 2,
            DiscriminatorJointPieces = 2, DiscriminatorInputKeep = 1, DiscriminatorHiddenKeep = 1, DiscriminatorInitRange = 0.3,
        }, data);
        var config = new GanConfig
        {
            Model = model,
            Train = new TrainConfig { Batch = 40, Steps = 600, Seed = 4 },
            Optimizer = new OptimizerConfig { Kind = OptimizerKind.Adam, LearningRate = 2e-3, LearningRateDecay = 1 },
            Output = new OutputConfig { TensorBoard = false },
        };
        using var t = new Trainer(config, data);
        for (int i = 0; i < 600; i++) t.TrainStep();
        using var sampleRng = new TorchSharp.torch.Generator(8);
        using var zeros0 = t.G.SampleClass(500, 0, rng: sampleRng);
        using var ones1 = t.G.SampleClass(500, 1, rng: sampleRng);
        double mean0 = zeros0.mean().item<float>(), mean1 = ones1.mean().item<float>();
        Assert.InRange(mean0, 0.1, 0.3);
        Assert.InRange(mean1, 0.7, 0.9);
    }
}
