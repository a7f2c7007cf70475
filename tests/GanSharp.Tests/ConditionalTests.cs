using GanSharp.Configuration;
using GanSharp.Data;
using GanSharp.Evaluation;
using GanSharp.Experiments;
using GanSharp.Games;
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
        Labels = Conditioning.Input, Classes = 3, ClassNames = ["cat", "dog", "owl"], ClassFrequencies = frequencies,
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
        var m = RunConfiguration.WithClasses(new ConditionalMlpModelConfig(), data);
        Assert.Equal(3, m.Classes);
        Assert.Null(m.ClassNames);
        Assert.Equal([0.2, 0.2, 0.6], m.ClassFrequencies!, (a, b) => Math.Abs(a - b) < 1e-12);
        Assert.Empty(m.Problems());

        using var named = new ImageDataset("named", rand(2, 1, 2, 2), tensor(new long[] { 0, 0 })) { LabelNames = ["a", "b"] };
        var n = RunConfiguration.WithClasses(new ConditionalMlpModelConfig(), named);
        Assert.Equal(2, n.Classes);
        Assert.Equal(["a", "b"], n.ClassNames!);
        Assert.Equal([1.0, 0.0], n.ClassFrequencies!);

        using var unlabelled = new ImageDataset("bare", rand(2, 1, 2, 2));
        Assert.Contains("bare: the conditional-mlp model is conditional and needs class labels",
                        Assert.Throws<InputException>(() => RunConfiguration.WithClasses(new ConditionalMlpModelConfig(), unlabelled)).Message);
        using var beyond = new ImageDataset("beyond", rand(2, 1, 2, 2), tensor(new long[] { 0, 2 })) { LabelNames = ["a", "b"] };
        Assert.Contains("labels must lie in 0–1", Assert.Throws<InputException>(() => RunConfiguration.WithClasses(new ConditionalMlpModelConfig(), beyond)).Message);
        // An unconditional model is left alone, and refuses classes.
        var paperModel = Tiny().Model;
        Assert.Same(paperModel, RunConfiguration.WithClasses(paperModel, named));
        Assert.Contains("not conditional", Assert.Single(((PaperModelConfig)Tiny().Model with { Classes = 2 }).Problems()));
    }

    static bool Same(Tensor a, Tensor b) => a.contiguous().data<float>().ToArray().SequenceEqual(b.contiguous().data<float>().ToArray());

    /// <summary>A small Mirza–Osindero generator (3 classes of 2×2 images) built from seed 11.</summary>
    static GanSharp.Models.Generator SmallConditionalG(bool samplesWithDropout, double keep = 0.5) =>
        Nets.CreateGenerator(new ConditionalMlpModelConfig
        {
            NoiseDim = 4, Height = 2, Width = 2, Classes = 3, ClassFrequencies = [0.2, 0.5, 0.3],
            GeneratorNoiseUnits = 8, GeneratorLabelUnits = 8, GeneratorJointUnits = 16, GeneratorHiddenKeep = keep,
            GeneratorSamplesWithDropout = samplesWithDropout, GeneratorInitRange = 0.5, GeneratorOutputBiasFromData = false,
        }, new TorchSharp.torch.Generator(11));

    /// <summary>
    /// A generator that samples with its dropout draws what its training forward pass draws with the same masks
    /// (an independent computation: G in training mode, its masks from a generator of the same seed), reproducibly by
    /// seed, never from the run's generator; without the option, or with nothing dropped, it is the evaluation-mode net.
    /// </summary>
    [Fact]
    public void A_generator_that_samples_with_its_dropout_draws_its_training_distribution_from_the_sampling_generator()
    {
        using var g = SmallConditionalG(samplesWithDropout: true);
        Assert.True(g.RandomWhenSampling);
        using var run = new TorchSharp.torch.Generator(99);
        g.Rng = run;                                                    // a trainer's generator
        using var z = rand(6, 4, generator: new TorchSharp.torch.Generator(1));
        using var y = tensor(new long[] { 0, 1, 2, 0, 1, 2 });

        using var sampled = g.Generate(z, y, new TorchSharp.torch.Generator(5));
        Tensor byTrainingPass;
        g.train();
        g.Rng = new TorchSharp.torch.Generator(5);
        using (no_grad()) byTrainingPass = g.forward(z, y);
        g.Rng = run;
        g.eval();
        Assert.Equal(byTrainingPass.data<float>().ToArray(), sampled.data<float>().ToArray());
        Assert.Same(run, g.Rng);                                        // given back after sampling
        using var fresh = new TorchSharp.torch.Generator(99);
        Assert.Equal(rand(3, generator: fresh).data<float>().ToArray(), rand(3, generator: run).data<float>().ToArray());  // never drawn from

        using var again = g.Generate(z, y, new TorchSharp.torch.Generator(5));
        using var other = g.Generate(z, y, new TorchSharp.torch.Generator(6));
        Assert.Equal(sampled.data<float>().ToArray(), again.data<float>().ToArray());
        Assert.False(Same(sampled, other));                            // the masks are part of the noise

        using var deterministic = SmallConditionalG(samplesWithDropout: false);   // the same weights (seed 11)
        using var keepAll = SmallConditionalG(samplesWithDropout: true, keep: 1);
        Assert.False(deterministic.RandomWhenSampling);
        Assert.False(keepAll.RandomWhenSampling);
        using var plain = deterministic.Generate(z, y, new TorchSharp.torch.Generator(5));
        using var plainAgain = deterministic.Generate(z, y, new TorchSharp.torch.Generator(6));
        Assert.Equal(plain.data<float>().ToArray(), plainAgain.data<float>().ToArray());
        Assert.False(Same(plain, sampled));
    }

    /// <summary>
    /// Figures keep G's own draws fixed along their lines: class rows with the same noise down a column see the same
    /// masks (the same class asked in every block gives identical blocks), and the figure is reproducible by seed.
    /// </summary>
    [Fact]
    public void Class_rows_share_the_dropout_draws_down_each_column()
    {
        using var g = SmallConditionalG(samplesWithDropout: true);
        using var images = PaperFigures.ClassRows(g, 5, new TorchSharp.torch.Generator(3));      // [3·5, 1, 2, 2]
        using var rows = images.view(3, 5, -1);
        for (int k = 0; k < 3; k++)
            for (int j = 0; j < 5; j++)
                for (int i = j + 1; i < 5; i++)
                    Assert.False(Same(rows[k, j], rows[k, i]));          // columns differ (z and masks)
        using var z = g.Prior.Sample(5, g.NoiseDim, new TorchSharp.torch.Generator(3)).repeat(3, 1);
        using var labels = arange(3, dtype: ScalarType.Int64).repeat_interleave(5);
        // GenerateBlocks with the figure's generator state after z: the same images.
        using var figureRng = new TorchSharp.torch.Generator(3);
        using (g.Prior.Sample(5, g.NoiseDim, figureRng)) { }
        using var same = g.GenerateBlocks(z, labels, 3, figureRng);
        Assert.Equal(images.data<float>().ToArray(), same.data<float>().ToArray());
        // Row j of every block saw the same masks: with the label units' output made equal (one class asked in every
        // block), the blocks are identical.
        using var oneClass = zeros(15, dtype: ScalarType.Int64);
        using var blocks = g.GenerateBlocks(z, oneClass, 3, new TorchSharp.torch.Generator(4)).view(3, 5, -1);
        Assert.True(Same(blocks[0], blocks[1]) && Same(blocks[1], blocks[2]));
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
        var model = RunConfiguration.WithClasses(new ConditionalMlpModelConfig
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
            Optimizer = new OptimizerConfig { Kind = OptimizerKind.Adam, LearningRate = 2e-3, Schedule = ExponentialDecay.Constant },
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

/// <summary>Class fidelity against independent computations, with generators that return real digits of a chosen class.</summary>
public class ClassFidelityTests
{
    /// <summary>
    /// A conditional "generator" that returns, for class k, the first images of class <c>shown(k)</c> from a bank of real
    /// digits (the noise is ignored): what it draws is known, so its fidelity can be computed independently.
    /// </summary>
    sealed class RealDigits : GanSharp.Models.Generator
    {
        readonly Tensor bank, bankLabels;
        readonly Func<long, long> shown;
        readonly Linear layer;  // a parameter, for the device
        public RealDigits(ImageDataset data, Func<long, long> shown) : base("real_digits", new CustomModelConfig
        {
            Labels = Conditioning.Input, Classes = 10, NoiseDim = 2, Height = 28, Width = 28,
        })
        {
            bank = data.Images;
            bankLabels = data.Labels!;
            this.shown = shown;
            layer = nn.Linear(1, 1);
            RegisterComponents();
        }
        public Tensor First(long label, long n) => bank.index_select(0, bankLabels.eq(shown(label)).nonzero().view(-1).narrow(0, 0, n));
        public override Tensor forward(Tensor z, Tensor? labels)
        {
            var k = labels![0].item<long>();
            Assert.True(labels.eq(k).all().item<bool>());  // SampleClass asks for one class at a time
            return First(k, z.shape[0]);
        }
    }

    [Fact]
    public void AccuracyAndPerClassFeaturesEqualTheirIndependentComputation()
    {
        using var data = DatasetLoader.Load(TestSupport.MnistFixture);
        var (net, _) = FeatureClassifier.ForDataset(data, TestSupport.TempFolder());
        using var __ = net;
        const int n = 8;  // the fixture's training split has at least 8 digits of every class

        // Faithful: class k draws real k's. Each class's accuracy is the classifier's accuracy on those digits.
        using var faithful = new RealDigits(data.Train, k => k);
        var report = ClassFidelity.Measure(net, faithful, n, seed: 1, reference: data.Test);
        int compared = 0;
        for (int k = 0; k < 10; k++)
        {
            using var images = faithful.First(k, n);
            Assert.Equal(net.Accuracy(images, full(n, (long)k)), report.Classes[k].Accuracy, 12);
            using var reference = data.Test!.Images.index_select(0, data.Test.Labels!.eq(k).nonzero().view(-1));
            if (reference.shape[0] < ClassFidelity.MinimumForFeatures)
            {
                Assert.Null(report.Classes[k].Features);  // too few test digits of this class in the fixture
                continue;
            }
            var expected = FeatureEvaluation.Compare(net, images, reference, seed: 1);
            Assert.Equal(expected.Frechet, report.Classes[k].Features!.Frechet, 3);
            Assert.Equal(expected.Precision, report.Classes[k].Features!.Precision, 6);
            compared++;
        }
        Assert.True(compared >= 5, $"only {compared} classes had enough test digits");
        Assert.Equal(report.Classes.Average(c => c.Accuracy), report.Accuracy, 12);
        Assert.Equal(report.Classes.Min(c => c.Accuracy), report.WorstAccuracy, 12);
        Assert.True(report.Accuracy > 0.5, $"{report.Accuracy}");

        // Ignoring the label (always 3's): only class 3 can be right, and it is as right as the classifier on 3's.
        using var stuck = new RealDigits(data.Train, _ => 3);
        var wrong = ClassFidelity.Measure(net, stuck, n, seed: 1);
        using var threes = stuck.First(0, n);
        for (int k = 0; k < 10; k++)
            Assert.Equal(net.Accuracy(threes, full(n, (long)k)), wrong.Classes[k].Accuracy, 12);
        Assert.True(wrong.Accuracy < report.Accuracy);
        Assert.Null(wrong.Classes[0].Features);

        // Refusals: an unconditional generator; a classifier of another number of classes.
        using var plain = new ChunkedGenerator(TestSupport.Tiny().Model);
        Assert.Contains("needs a conditional generator", Assert.Throws<InputException>(() => ClassFidelity.Measure(net, plain, n)).Message);
        using var five = new FeatureClassifier(1, 28, 28, 5);
        Assert.Contains("tells 5 apart", Assert.Throws<InputException>(() => ClassFidelity.Measure(five, faithful, n)).Message);
    }
}

/// <summary>The auxiliary classifier GAN's nets and the checks that pair its game with them.</summary>
public class AuxiliaryClassifierTests
{
    static AcganModelConfig Model => new() { Classes = 4, NoiseDim = 6, GeneratorFeatures = 8, DiscriminatorFeatures = 8 };

    [Fact]
    public void The_discriminator_gives_its_usual_output_and_class_logits_in_one_pass()
    {
        using var rng = new TorchSharp.torch.Generator(5);
        using var d = Nets.CreateDiscriminator(Model, rng);
        using var g = Nets.CreateGenerator(Model, rng);
        var classifying = Assert.IsAssignableFrom<IClassifyingDiscriminator>(d);
        Assert.Equal(4, classifying.Classes);
        d.eval();
        using var x = g.SampleClass(3, 2, rng: rng);
        using var _ = no_grad();
        var (source, classes) = classifying.Classify(x);
        Assert.Equal([3L, 4L], classes.shape);
        Assert.True(source.allclose(d.forward(x), rtol: 0, atol: 0));              // the same trunk and last layer as forward
        using var plain = Nets.CreateDiscriminator(new DcganModelConfig { NoiseDim = 6, GeneratorFeatures = 8, DiscriminatorFeatures = 8 }, rng);
        Assert.IsNotAssignableFrom<IClassifyingDiscriminator>(plain);              // DCGAN's own D carries no class head
    }

    [Fact]
    public void The_generator_draws_different_images_for_different_classes_from_the_same_noise()
    {
        using var g = Nets.CreateGenerator(Model, new TorchSharp.torch.Generator(6));
        using var z = g.Prior.Sample(2, g.NoiseDim, new TorchSharp.torch.Generator(7));
        using var a = g.Generate(z, tensor(new long[] { 0, 0 }));
        using var b = g.Generate(z, tensor(new long[] { 3, 3 }));
        Assert.False(a.allclose(b));
    }

    [Fact]
    public void Configurations_from_before_acgan_had_its_own_kind_read_as_it()
    {
        var acgan = Presets.Get("acgan-mnist");
        string json = acgan.ToJson();
        Assert.Contains("\"kind\": \"acgan\"", json);
        var old = GanConfig.FromJson(json.Replace("\"kind\": \"acgan\",", "\"kind\": \"dcgan\", \"auxiliary-classifier\": true,"), "old.json");
        Assert.Equal(acgan.Model, Assert.IsType<AcganModelConfig>(old.Model));          // every DCGAN setting kept
        var off = GanConfig.FromJson(json.Replace("\"kind\": \"acgan\",", "\"kind\": \"dcgan\", \"auxiliary-classifier\": false,"), "off.json");
        Assert.IsType<DcganModelConfig>(off.Model);
    }

    [Fact]
    public void Game_and_model_must_agree_on_the_auxiliary_classifier()
    {
        var acgan = Presets.Get("acgan-mnist");
        Assert.Empty(acgan.Problems());
        Assert.Contains("trained by the auxiliary-classifier game, not algorithm1",
                        Assert.Single((acgan with { Game = new Algorithm1Config() }).Problems()));
        Assert.Contains("needs a model with an auxiliary classifier",
                        Assert.Single((Presets.DcganMnist with { Game = new AuxiliaryClassifierConfig() }).Problems()));
    }
}

/// <summary>The semi-supervised GAN: its labelled subset, its classifier's error, and the checks that pair game and model.</summary>
public class SemiSupervisedTests
{
    [Fact]
    public void The_labelled_subset_is_balanced_within_the_data_and_a_function_of_the_seed()
    {
        using var labels = arange(600, dtype: ScalarType.Int64).remainder(3).index_select(0, randperm(600, generator: new TorchSharp.torch.Generator(1)));
        var y = labels.data<long>().ToArray();
        var a = LabelledSubset.Indices(labels, 3, 7, seed: 5);
        Assert.Equal(21, a.Length);
        Assert.Equal(21, a.Distinct().Count());
        for (int k = 0; k < 3; k++) Assert.Equal(Enumerable.Repeat((long)k, 7), a.Skip(7 * k).Take(7).Select(r => y[r]));  // class by class
        Assert.Equal(a, LabelledSubset.Indices(labels, 3, 7, seed: 5));                       // the same seed, the same images
        Assert.NotEqual(a, LabelledSubset.Indices(labels, 3, 7, seed: 6));                    // another seed, others
        Assert.Contains("class 0 has 200 training images, fewer than the 201",
                        Assert.Throws<InputException>(() => LabelledSubset.Indices(labels, 3, 201, seed: 5)).Message);
    }

    /// <summary>A classifier of two classes by mean pixel (class 1 when above ½), written as a discriminator.</summary>
    sealed class ByBrightness : Discriminator, IClassifyingDiscriminator
    {
        readonly Linear unused;  // a parameter, for the device
        public ByBrightness(ModelConfig config) : base("by_brightness", config)
        {
            unused = nn.Linear(1, 1);
            RegisterComponents();
        }
        public int Classes => 2;
        public override Tensor forward(Tensor x, Tensor? labels) => Classify(x).Source;
        public (Tensor Source, Tensor Classes) Classify(Tensor x)
        {
            var m = x.flatten(1).mean([1]).sub(0.5);                                              // [B]
            var logits = stack([m.neg(), m], 1);                                                  // [B, 2]
            return (logits.logsumexp(1), logits);
        }
    }

    [Fact]
    public void The_classifier_error_counts_the_mistakes_against_the_labels()
    {
        using var rng = new TorchSharp.torch.Generator(3);
        using var images = rand([2_500, 1, 2, 2], generator: rng);
        using var labels = randint(0, 2, [2_500], generator: rng);
        using var data = new ImageDataset("coins", images.alias(), labels.alias());
        var means = images.flatten(1).mean([1]).data<float>().ToArray();
        var y = labels.data<long>().ToArray();
        long expected = Enumerable.Range(0, 2_500).Count(i => (means[i] > 0.5 ? 1 : 0) != y[i]);
        using var d = new ByBrightness(new CustomModelConfig { Height = 2, Width = 2 });
        var result = ClassifierError.Of(d, data, batch: 999);                                      // three batches, the last short
        Assert.Equal(expected, result.Errors);
        Assert.Equal(2_500, result.Images);
        using var plain = new LinearCritic(new CustomModelConfig { Height = 2, Width = 2 });
        Assert.Contains("does not classify", Assert.Throws<InputException>(() => ClassifierError.Of(plain, data)).Message);
    }

    /// <summary>
    /// Weight normalisation: the layer's output is x (s·θ/‖θ‖)ᵀ + b (computed independently in float64 from its state);
    /// after the data-dependent initialisation every unit's output on that minibatch has mean 0 and standard deviation 1;
    /// an untrained scale is a buffer (saved, not optimised), a trained one a parameter.
    /// </summary>
    [Fact]
    public void Weight_normalisation_is_its_formula_and_the_data_initialisation_standardises_each_unit()
    {
        using var rng = new TorchSharp.torch.Generator(4);
        using var layer = new WeightNormLinear(6, 3, trainScale: false, (t, g) => t.normal_(0, 0.1, g), rng);
        using var x = randn([50, 6], generator: rng).mul(3).add(1);
        using var y = layer.InitialiseFromData(x);                                                // [50, 3]
        using var again = layer.forward(x);
        Assert.True(allclose(y, again, rtol: 1e-4, atol: 1e-5));                                   // what it returns is the layer's output
        var mean = again.mean([0]).data<float>().ToArray();
        var std = again.std(0, unbiased: false).data<float>().ToArray();
        Assert.All(mean, m => Assert.InRange(m, -1e-5, 1e-5));
        Assert.All(std, v => Assert.InRange(v, 1 - 1e-4, 1 + 1e-4));

        var state = layer.state_dict();
        Assert.Equal(["direction", "bias", "scale"], state.Keys.ToArray());
        Assert.Equal(2, layer.parameters().Count());                                               // the fixed scale is not optimised
        double[] theta = state["direction"].to_type(ScalarType.Float64).data<double>().ToArray();
        double[] s = state["scale"].to_type(ScalarType.Float64).data<double>().ToArray(), b = state["bias"].to_type(ScalarType.Float64).data<double>().ToArray();
        double[] input = x.to_type(ScalarType.Float64).data<double>().ToArray(), output = again.to_type(ScalarType.Float64).data<double>().ToArray();
        for (int j = 0; j < 3; j++)
        {
            double norm = Math.Sqrt(Enumerable.Range(0, 6).Sum(i => theta[j * 6 + i] * theta[j * 6 + i]));
            for (int n = 0; n < 50; n++)
            {
                double expected = b[j] + Enumerable.Range(0, 6).Sum(i => input[n * 6 + i] * s[j] * theta[j * 6 + i] / norm);
                Assert.Equal(expected, output[n * 3 + j], 4);
            }
        }
        using var trained = new WeightNormLinear(6, 3, trainScale: true, (t, g) => t.normal_(0, 0.1, g), rng);
        Assert.Equal(3, trained.parameters().Count());
    }

    /// <summary>A semi-supervised run of tiny nets on 4×4 images of two classes, keeping an average of D at rate r.</summary>
    static GanConfig TinySemiSupervised(double rate) => Tiny() with
    {
        Model = new SemiSupervisedMlpModelConfig
        {
            Classes = 2, NoiseDim = 3, Height = 4, Width = 4, GeneratorHidden = [6], DiscriminatorHidden = [5, 4], DiscriminatorInitialisationImages = 20,
        },
        Game = new SemiSupervisedConfig { Labels = 4, DiscriminatorAverage = rate },
        Optimizer = new OptimizerConfig { Kind = OptimizerKind.Adam, LearningRate = 1e-2, Beta1 = 0.5 },
    };

    static ImageDataset TinyLabelled() => new("tiny-labelled", TinyImages(40), arange(40, dtype: ScalarType.Int64).remainder(2));

    /// <summary>
    /// The average of D's weights after t updates is the weighted mean Σ (1 − r)^(t−i) θ_i / Σ (1 − r)^(t−i) of D's
    /// weights after updates 1…t — computed here independently from D's recorded weights — starts as D's own weights,
    /// covers D's fixed scales (buffers) too, and is what a checkpoint's discriminator classifies with unless asked for
    /// D's own weights. The data-dependent initialisation is a function of the seed.
    /// </summary>
    [Fact]
    public void The_average_of_Ds_weights_is_the_weighted_mean_of_its_updates()
    {
        const double r = 0.3;
        using var data = TinyLabelled();
        using var t = new Trainer(TinySemiSupervised(r), data);
        var game = (SemiSupervisedGan)t.Game;
        var average = game.AverageD!;
        Assert.Equal(1.0, game.AverageStep(1));
        foreach (var (name, value) in game.D.state_dict())
            Assert.Equal(value.data<float>().ToArray(), average.state_dict()[name].data<float>().ToArray());   // a copy at the start

        var history = new List<double[][]>();
        for (int step = 0; step < 6; step++)
        {
            t.TrainStep();
            history.Add(game.D.parameters().Select(p => p.to_type(ScalarType.Float64).data<double>().ToArray()).ToArray());
        }
        var actual = average.parameters().Select(p => p.to_type(ScalarType.Float64).data<double>().ToArray()).ToArray();
        for (int k = 0; k < actual.Length; k++)
            for (int e = 0; e < actual[k].Length; e++)
            {
                double weighted = 0, total = 0;
                for (int i = 0; i < history.Count; i++)
                {
                    double w = Math.Pow(1 - r, history.Count - 1 - i);
                    weighted += w * history[i][k][e];
                    total += w;
                }
                Assert.Equal(weighted / total, actual[k][e], 5);
            }
        Assert.False(game.D.parameters().Zip(average.parameters()).All(pair => pair.First.equal(pair.Second).all().item<bool>()));

        var checkpoint = t.ToCheckpoint();
        Assert.True(checkpoint.HasDiscriminatorAverage);
        using var classifier = Discriminator.FromCheckpoint(checkpoint);
        using var own = Discriminator.FromCheckpoint(checkpoint, trainedWeights: true);
        Assert.Equal(actual[0], classifier.parameters().First().to_type(ScalarType.Float64).data<double>().ToArray());
        Assert.Equal(history[^1][0], own.parameters().First().to_type(ScalarType.Float64).data<double>().ToArray());

        using var none = new Trainer(TinySemiSupervised(0), data);
        Assert.Null(((SemiSupervisedGan)none.Game).AverageD);
        Assert.False(none.ToCheckpoint().HasDiscriminatorAverage);
        // The same seed, the same data-dependent initialisation (D's scales and biases start equal in both trainers).
        using var twin = new Trainer(TinySemiSupervised(r), data);
        foreach (var (name, value) in ((SemiSupervisedGan)twin.Game).D.state_dict())
            Assert.Equal(value.data<float>().ToArray(), ((SemiSupervisedGan)none.Game).D.state_dict()[name].data<float>().ToArray());
    }

    /// <summary>
    /// The periodic classify evaluation: the classifying discriminator's error rates on the validation and the test
    /// images, each an independent count; the validation rate ranks checkpoints; a game without a classifier is refused.
    /// </summary>
    [Fact]
    public void The_classify_evaluation_gives_the_classifiers_error_rates_on_validation_and_test_images()
    {
        using var rng = new TorchSharp.torch.Generator(8);
        ImageDataset Coins(int n)
        {
            var images = rand([n, 1, 2, 2], generator: rng);
            return new ImageDataset("coins", images, randint(0, 2, [n], generator: rng));
        }
        static long Mistakes(ImageDataset data) =>
            Enumerable.Range(0, (int)data.Count).Count(i => (data.Images[i].mean().item<float>() > 0.5 ? 1 : 0) != data.Labels![i].item<long>());
        using var validation = Coins(300);
        using var test = Coins(500);
        using var d = new ByBrightness(new CustomModelConfig { Height = 2, Width = 2 });
        using var g = new ChunkedGenerator(Tiny().Model);
        using var evaluation = new PeriodicClassifierError(validation, test);
        var values = evaluation.Evaluate(new GameProduct("semi-supervised", g, d));
        Assert.Equal(Mistakes(validation) / 300.0, values["classify_error_valid"], 12);
        Assert.Equal(Mistakes(test) / 500.0, values["classify_error_test"], 12);
        Assert.Equal("classify_error_valid", evaluation.SelectBy);
        Assert.False(evaluation.HigherIsBetter);
        Assert.Equal("eval: 'classify' needs a discriminator that classifies; the algorithm1 game supplies samples from noise",
                     Assert.Throws<InputException>(() => evaluation.Evaluate(new GameProduct("algorithm1", g))).Message);
        Assert.Contains("eval: 'classify' measures a discriminator that classifies",
                        Assert.Single((Presets.DcganMnist with { Output = new OutputConfig { EvalEvery = 10, Eval = ["classify"] } }).Problems()));
        Assert.Empty(Presets.Get("sgan-mnist").Problems());                              // the preset evaluates it
    }

    [Fact]
    public void Game_and_model_must_agree_on_the_classifier()
    {
        var sgan = Presets.Get("sgan-mnist");
        Assert.Empty(sgan.Problems());
        Assert.Contains("trained by the semi-supervised game, not algorithm1", Assert.Single((sgan with { Game = new Algorithm1Config() }).Problems()));
        Assert.Contains("needs a classifying model", Assert.Single((Presets.PaperMnist with { Game = new SemiSupervisedConfig() }).Problems()));
        Assert.False(sgan.Model.Conditional);                                                     // G takes no label …
        Assert.True(sgan.Model.UsesClasses);                                                      // … but D needs the classes
    }

    [Fact]
    public void A_games_conditioning_gives_the_data_labels_and_draws_classes_as_the_generator_does_or_nothing()
    {
        using var images = TinyImages(4);
        using var labels = TorchSharp.torch.tensor(new long[] { 1, 0, 1, 1 });
        var batch = new Data.Batch(images, labels);
        using var plain = Nets.CreateGenerator(Tiny().Model);
        Assert.Same(Unconditioned.Instance, ClassConditioning.Of(plain));
        using (var rng = new TorchSharp.torch.Generator(5))
        {
            using var before = rng.get_state();
            Assert.Null(Unconditioned.Instance.OfData(batch));
            Assert.Null(Unconditioned.Instance.Draw(4, rng));
            using var after = rng.get_state();
            Assert.Equal(before.data<byte>().ToArray(), after.data<byte>().ToArray());   // nothing drawn
        }
        using var g = Nets.CreateGenerator(RunConfiguration.WithClasses(new ConditionalMlpModelConfig { Height = 4, Width = 4 },
                                                                        new Data.ImageDataset("two", TinyImages(6), TorchSharp.torch.tensor(new long[] { 0, 1, 1, 1, 0, 1 }))));
        var conditioning = Assert.IsType<ClassConditioning>(ClassConditioning.Of(g));
        Assert.Same(labels, conditioning.OfData(batch));
        Assert.Contains("need class labels", Assert.Throws<InputException>(() => conditioning.OfData(new Data.Batch(images))).Message);
        using var a = new TorchSharp.torch.Generator(9);
        using var b = new TorchSharp.torch.Generator(9);
        Assert.Equal(g.SampleLabels(50, b)!.data<long>().ToArray(), conditioning.Draw(50, a)!.data<long>().ToArray());
    }
}
