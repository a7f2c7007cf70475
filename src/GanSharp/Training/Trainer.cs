using GanSharp.Losses;
using GanSharp.Models;
using Generator = GanSharp.Models.Generator;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GanSharp.Training;

/// <summary>What one training iteration measured (the last discriminator minibatch, and the generator update).</summary>
/// <param name="DLoss">The discriminator's loss −V(D, G) on its last minibatch.</param>
/// <param name="GLoss">The generator's loss (minimax or non-saturating form).</param>
/// <param name="DReal">Mean D(x) over the last real minibatch.</param>
/// <param name="DFake">Mean D(G(z)) over the last generated minibatch the discriminator saw.</param>
public readonly record struct StepResult(double DLoss, double GLoss, double DReal, double DFake);

/// <summary>Training produced a non-finite loss; the nets are no longer usable, and nothing was checkpointed.</summary>
public sealed class TrainingDivergedException(string message) : GanSharpException(message);

/// <summary>
/// Algorithm 1 of Goodfellow et al. (2014), "Minibatch stochastic gradient descent training of generative adversarial
/// nets". <see cref="TrainStep"/> is one iteration of the algorithm's outer loop:
/// <code>
/// for k steps:
///     sample m noise samples z ~ p_g(z) and m examples x ~ p_data(x)
///     update D by ascending  ∇θd (1/m) Σ [log D(x) + log(1 − D(G(z)))]
/// sample m noise samples z ~ p_g(z)
/// update G by descending ∇θg (1/m) Σ log(1 − D(G(z)))      (minimax)
///           or ascending ∇θg (1/m) Σ log D(G(z))           (non-saturating, the paper's recommendation)
/// </code>
/// </summary>
public sealed class Trainer : IDisposable
{
    /// <summary>The generator G.</summary>
    public Generator G { get; }
    /// <summary>The discriminator D.</summary>
    public Discriminator D { get; }
    /// <summary>The configuration being trained.</summary>
    public GanConfig Config { get; }
    /// <summary>Where both nets, the data and the noise live.</summary>
    public Device Device { get; }
    /// <summary>Completed iterations (generator updates).</summary>
    public long Step { get; private set; }
    /// <summary>Completed discriminator minibatches; locates the position in the data.</summary>
    public long DataBatches { get; private set; }
    /// <summary>Minibatches per epoch.</summary>
    public long BatchesPerEpoch => data.BatchesPerEpoch;
    /// <summary>Completed epochs (passes of the discriminator over the training images).</summary>
    public long Epoch => DataBatches / data.BatchesPerEpoch;
    /// <summary>The learning rate of the next update (the decay schedule applies to either optimizer).</summary>
    public double LearningRate => Schedules.LearningRate(Config.Optimizer, Step);
    /// <summary>The SGD momentum of the next update (Adam: β₁).</summary>
    public double Momentum => Config.Optimizer.Kind == OptimizerKind.Sgd ? Schedules.Momentum(Config.Optimizer, Epoch) : Config.Optimizer.Beta1;

    private readonly IAdversarialLoss loss;
    private readonly OptimizerHelper optG, optD;
    private readonly MinibatchSampler data;
    private readonly torch.Generator rng;
    private readonly Tensor z;  // [m, NoiseDim], refilled in place for every minibatch of noise
    private readonly Tensor images;  // [N, C, H, W] on Device
    private readonly Parameter[] gParams, dParams;

    /// <summary>
    /// Builds both nets and optimizers for <paramref name="config"/> over <paramref name="trainImages"/>
    /// (<c>[N, C, H, W]</c>, not owned), seeding every random number generator from the configuration's seed.
    /// </summary>
    public Trainer(GanConfig config, Tensor trainImages)
    {
        Config = config;
        var t = config.Train;
        if (t.K < 1) throw new InputException($"k must be at least 1 (got {t.K})");
        if (t.Update == UpdateOrder.Simultaneous && t.K != 1)
            throw new InputException("simultaneous updates use one discriminator step per iteration: use k = 1");

        Device = Devices.Resolve(t.Device);

        // One generator for every random draw of the run (initialisation, noise, dropout masks), in program order;
        // the data order is a function of (seed, epoch). Nothing depends on libtorch's process-wide generator.
        // The nets are initialised on the CPU whatever the device, so a seed gives the same initial nets everywhere;
        // on a GPU, noise and dropout masks come from a generator of that device, seeded alike.
        var initRng = new torch.Generator(unchecked((ulong)t.Seed));
        G = Generator.Create(config.Model, initRng);
        D = Discriminator.Create(config.Model, initRng);
        if (config.Model.GeneratorOutputBiasFromData && G is MlpGenerator mlp) mlp.InitOutputBiasFromData(trainImages);
        G.to(Device);
        D.to(Device);
        rng = Device.type == DeviceType.CPU ? initRng : new torch.Generator(unchecked((ulong)t.Seed), Device);
        if (rng != initRng) initRng.Dispose();
        D.Rng = rng;
        gParams = G.parameters().ToArray();
        dParams = D.parameters().ToArray();
        loss = IAdversarialLoss.For(t.GLoss);
        optG = MakeOptimizer(gParams);
        optD = MakeOptimizer(dParams);
        // The whole training set on the device once (on the CPU: an alias, no copy); a minibatch is one gather there.
        images = trainImages.to(Device);
        data = new MinibatchSampler(images, t.Batch, t.Seed);
        z = empty(t.Batch, config.Model.NoiseDim, device: Device);
        G.train();
        D.train();
    }

    private OptimizerHelper MakeOptimizer(IEnumerable<Parameter> parameters)
    {
        var o = Config.Optimizer;
        return o.Kind switch
        {
            OptimizerKind.Sgd => optim.SGD(parameters, o.LearningRate, o.MomentumStart),
            OptimizerKind.Adam => optim.Adam(parameters, o.LearningRate, o.Beta1, o.Beta2),
            _ => throw new ArgumentOutOfRangeException(nameof(o.Kind)),
        };
    }

    /// <summary>One iteration of Algorithm 1 (or one simultaneous update, if configured).</summary>
    /// <exception cref="TrainingDivergedException">A loss became NaN or infinite.</exception>
    public StepResult TrainStep()
    {
        ApplySchedules();
        StepResult result;
        if (Config.Train.Update == UpdateOrder.Alternating)
        {
            (double Loss, double Real, double Fake) d = default;
            for (int i = 0; i < Config.Train.K; i++) d = DiscriminatorStep();
            double gLoss = GeneratorStep();
            result = new StepResult(d.Loss, gLoss, d.Real, d.Fake);
        }
        else result = SimultaneousStep();
        Step++;
        if (!double.IsFinite(result.DLoss) || !double.IsFinite(result.GLoss))
            throw new TrainingDivergedException(
                $"training diverged at step {Step}: D loss {result.DLoss}, G loss {result.GLoss}; the last checkpoint is kept");
        return result;
    }

    /// <summary>
    /// One discriminator update: m fresh noise samples and the next m examples; ascend log D(x) + log(1 − D(G(z))).
    /// Returns the loss, mean D(x) and mean D(G(z)).
    /// </summary>
    public (double Loss, double Real, double Fake) DiscriminatorStep()
    {
        using var scope = NewDisposeScope();
        Tensor fake;
        using (no_grad()) fake = G.forward(G.Prior.Fill(z, rng));  // [m, C, H, W]; G is fixed here: no graph
        var x = data.Batch(DataBatches++);                               // [m, C, H, W]
        // One pass of D over real and generated images together: the same function (dropout masks are drawn per
        // element either way), but one matrix product of 2m rows instead of two of m, which the CPU does faster.
        var logits = D.forward(cat([x, fake]));                          // [2m]
        long m = x.shape[0];
        var realLogits = logits.narrow(0, 0, m);                         // [m]
        var fakeLogits = logits.narrow(0, m, m);                         // [m]
        var l = loss.Discriminator(realLogits, fakeLogits);             // −V(D, G) on the minibatch
        ClearGradients(dParams);
        l.backward();
        optD.step();
        return (l.item<float>(), sigmoid(realLogits).mean().item<float>(), sigmoid(fakeLogits).mean().item<float>());
    }

    /// <summary>
    /// One generator update on m fresh noise samples, descending the generator's loss. D is frozen for the pass, so
    /// only θ_g receives gradients and D's parameters cannot change.
    /// </summary>
    public double GeneratorStep()
    {
        using var scope = NewDisposeScope();
        SetRequiresGrad(dParams, false);
        try
        {
            var fakeLogits = D.forward(G.forward(G.Prior.Fill(z, rng)));  // [m]
            var l = loss.Generator(fakeLogits);
            ClearGradients(gParams);
            l.backward();
            optG.step();
            return l.item<float>();
        }
        finally
        {
            SetRequiresGrad(dParams, true);
        }
    }

    /// <summary>
    /// The paper's released code's variant: one minibatch, one forward pass, and both nets step on gradients taken at
    /// the same parameters.
    /// </summary>
    private StepResult SimultaneousStep()
    {
        using var scope = NewDisposeScope();
        var x = data.Batch(DataBatches++);                    // [m, C, H, W]
        var fake = G.forward(G.Prior.Fill(z, rng));     // [m, C, H, W]
        var realLogits = D.forward(x);                        // [m]
        var fakeLogits = D.forward(fake);                     // [m]
        var dl = loss.Discriminator(realLogits, fakeLogits);
        var gl = loss.Generator(fakeLogits);
        ClearGradients(dParams);
        ClearGradients(gParams);
        gl.backward(retain_graph: true, inputs: gParams);    // θ_g's gradient only
        dl.backward(inputs: dParams);                         // θ_d's gradient only
        optD.step();
        optG.step();
        return new StepResult(dl.item<float>(), gl.item<float>(), sigmoid(realLogits).mean().item<float>(),
                              sigmoid(fakeLogits).mean().item<float>());
    }

    private void ApplySchedules()
    {
        double lr = LearningRate, momentum = Momentum;
        foreach (var opt in new[] { optG, optD })
            foreach (var group in opt.ParamGroups)
            {
                group.LearningRate = lr;
                if (group is ParamGroup { Options: SGD.Options sgd }) sgd.momentum = momentum;
            }
    }

    /// <summary>Drops the gradients instead of zeroing them: backward then writes fresh ones, saving a pass over every parameter.</summary>
    private static void ClearGradients(Parameter[] parameters)
    {
        foreach (var p in parameters) p.grad = null;
    }

    private static void SetRequiresGrad(Parameter[] parameters, bool value)
    {
        foreach (var p in parameters) p.requires_grad = value;
    }

    /// <summary>The state needed to continue exactly: both nets, both optimizers, both random number generators.</summary>
    public Checkpoint ToCheckpoint()
    {
        using var rngState = rng.get_state();
        return new Checkpoint
        {
            Config = Config,
            Step = Step,
            DataBatches = DataBatches,
            Sections = new Dictionary<string, byte[]>
            {
                [Checkpoint.GeneratorSection] = Checkpoint.Save(G),
                [Checkpoint.DiscriminatorSection] = Checkpoint.Save(D),
                [Checkpoint.GeneratorOptimizerSection] = Checkpoint.Save(optG),
                [Checkpoint.DiscriminatorOptimizerSection] = Checkpoint.Save(optD),
                [Checkpoint.RngSection] = rngState.data<byte>().ToArray(),
            },
        };
    }

    /// <summary>Restores the state of a checkpoint of the same configuration.</summary>
    public void Restore(Checkpoint checkpoint)
    {
        checkpoint.LoadInto(Checkpoint.GeneratorSection, G);
        checkpoint.LoadInto(Checkpoint.DiscriminatorSection, D);
        checkpoint.LoadInto(Checkpoint.GeneratorOptimizerSection, optG);
        checkpoint.LoadInto(Checkpoint.DiscriminatorOptimizerSection, optD);
        using (var state = tensor(checkpoint.Section(Checkpoint.RngSection), dtype: ScalarType.Byte))
            rng.set_state(state);
        Step = checkpoint.Step;
        DataBatches = checkpoint.DataBatches;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        z.Dispose();
        images.Dispose();
        rng.Dispose();
        data.Dispose();
        optG.Dispose();
        optD.Dispose();
        G.Dispose();
        D.Dispose();
    }
}
