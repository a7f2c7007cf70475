using GanSharp.Losses;
using static TorchSharp.torch;

namespace GanSharp.Tests;

/// <summary>Each loss equals its closed form, computed here in double precision from D = σ(logit).</summary>
public class LossTests
{
    static readonly float[] Real = [0f, 2f, -1.5f], Fake = [-1f, 3f, 0.25f, -4f];
    static double Sigmoid(double a) => 1 / (1 + Math.Exp(-a));

    static double Value(IAdversarialLoss loss, Func<IAdversarialLoss, Tensor> f)
    {
        using var t = f(loss);
        return t.item<float>();
    }

    [Fact]
    public void Discriminator_loss_is_minus_the_value_function()
    {
        // V = mean log D(x) + mean log(1 − D(G(z)))
        double v = Real.Average(r => Math.Log(Sigmoid(r))) + Fake.Average(f => Math.Log(1 - Sigmoid(f)));
        foreach (var loss in new IAdversarialLoss[] { new Minimax(), new NonSaturating() })
            Assert.Equal(-v, Value(loss, l => l.Discriminator(tensor(Real), tensor(Fake))), 5);
    }

    [Fact]
    public void Minimax_generator_loss_is_mean_log_one_minus_D()
    {
        double expected = Fake.Average(f => Math.Log(1 - Sigmoid(f)));
        Assert.Equal(expected, Value(new Minimax(), l => l.Generator(tensor(Fake))), 5);
    }

    [Fact]
    public void Non_saturating_generator_loss_is_minus_mean_log_D()
    {
        double expected = -Fake.Average(f => Math.Log(Sigmoid(f)));
        Assert.Equal(expected, Value(new NonSaturating(), l => l.Generator(tensor(Fake))), 5);
    }

    [Fact]
    public void At_D_equal_one_half_the_discriminator_loss_is_log_4()
    {
        Assert.Equal(Math.Log(4), Value(new Minimax(), l => l.Discriminator(zeros(10), zeros(10))), 5);
    }

    [Fact]
    public void Losses_stay_finite_where_log_of_sigmoid_would_not()
    {
        // σ(−200) underflows to 0 in float32: log(σ(·)) would be −∞. The softplus forms stay exact.
        using var extreme = tensor(new float[] { -200f, 200f });
        foreach (var loss in new IAdversarialLoss[] { new Minimax(), new NonSaturating() })
        {
            Assert.True(double.IsFinite(Value(loss, l => l.Discriminator(extreme, extreme))));
            Assert.True(double.IsFinite(Value(loss, l => l.Generator(extreme))));
        }
        Assert.Equal(100.0, Value(new NonSaturating(), l => l.Generator(extreme)), 3);  // mean(200, 0)
    }

    [Fact]
    public void The_minimax_gradient_saturates_where_the_non_saturating_one_does_not()
    {
        // When D confidently rejects a sample (logit −8), d/dlogit of log(1 − σ) is −σ ≈ −3e−4, of −log σ it is σ − 1 ≈ −1.
        foreach (var (loss, expected) in new (IAdversarialLoss, double)[] { (new Minimax(), -Sigmoid(-8)), (new NonSaturating(), Sigmoid(-8) - 1) })
        {
            using var logit = tensor(new float[] { -8f }, requires_grad: true);
            loss.Generator(logit).backward();
            Assert.Equal(expected, logit.grad!.item<float>(), 5);
        }
    }
}

/// <summary>
/// The losses on D's raw outputs (LSGAN, hinge, Wasserstein), each against its closed form in double precision, value
/// and gradient with respect to every output, at outputs chosen on both sides of each loss's kinks.
/// </summary>
public class ScoreLossTests
{
    static readonly float[] Real = [1.5f, 0.2f, -0.7f, 1f], Fake = [-2f, 0.4f, 3f];

    /// <summary>The loss's value and its gradient with respect to each real and each fake output.</summary>
    static (double Value, float[] DReal, float[] DFake) Discriminator(IAdversarialLoss loss)
    {
        using var real = tensor(Real, requires_grad: true);
        using var fake = tensor(Fake, requires_grad: true);
        using var l = loss.Discriminator(real, fake);
        l.backward();
        return (l.item<float>(), real.grad!.data<float>().ToArray(), fake.grad!.data<float>().ToArray());
    }

    static (double Value, float[] DFake) Generator(IAdversarialLoss loss)
    {
        using var fake = tensor(Fake, requires_grad: true);
        using var l = loss.Generator(fake);
        l.backward();
        return (l.item<float>(), fake.grad!.data<float>().ToArray());
    }

    static void Close(IEnumerable<double> expected, float[] actual) =>
        Assert.All(expected.Zip(actual), p => Assert.Equal(p.First, p.Second, 5));

    [Fact]
    public void Least_squares_is_half_the_mean_squared_distance_to_its_targets()
    {
        var (v, dReal, dFake) = Discriminator(new LeastSquares());
        Assert.Equal(0.5 * Real.Average(r => (r - 1.0) * (r - 1.0)) + 0.5 * Fake.Average(f => (double)f * f), v, 5);
        Close(Real.Select(r => (r - 1.0) / Real.Length), dReal);   // d/dr ½ mean (r − 1)² = (r − 1)/n
        Close(Fake.Select(f => (double)f / Fake.Length), dFake);
        var (g, gFake) = Generator(new LeastSquares());
        Assert.Equal(0.5 * Fake.Average(f => (f - 1.0) * (f - 1.0)), g, 5);
        Close(Fake.Select(f => (f - 1.0) / Fake.Length), gFake);    // grows with the distance: no saturation
        Assert.False(new LeastSquares().OutputsAreLogits);
    }

    [Fact]
    public void Hinge_has_a_margin_of_one_on_each_side()
    {
        var (v, dReal, dFake) = Discriminator(new Hinge());
        Assert.Equal(Real.Average(r => Math.Max(0, 1 - r)) + Fake.Average(f => Math.Max(0, 1 + f)), v, 5);
        Close(Real.Select(r => r < 1 ? -1.0 / Real.Length : 0), dReal);  // 1.5 is past the margin, 1 on it: no gradient
        Close(Fake.Select(f => f > -1 ? 1.0 / Fake.Length : 0), dFake);  // −2 is past the margin
        var (g, gFake) = Generator(new Hinge());
        Assert.Equal(-Fake.Average(f => (double)f), g, 5);
        Close(Fake.Select(_ => -1.0 / Fake.Length), gFake);
    }

    [Fact]
    public void Wasserstein_is_the_difference_of_the_critics_means()
    {
        var (v, dReal, dFake) = Discriminator(new Wasserstein());
        Assert.Equal(Fake.Average(f => (double)f) - Real.Average(r => (double)r), v, 5);
        Close(Real.Select(_ => -1.0 / Real.Length), dReal);
        Close(Fake.Select(_ => 1.0 / Fake.Length), dFake);
        var (g, gFake) = Generator(new Wasserstein());
        Assert.Equal(-Fake.Average(f => (double)f), g, 5);
        Close(Fake.Select(_ => -1.0 / Fake.Length), gFake);
        Assert.False(new Wasserstein().OutputsAreLogits);
    }
}

/// <summary>ACGAN's and the semi-supervised GAN's losses against hand-computed values on tiny logits, in double precision.</summary>
public class ClassLossTests
{
    static double Sigmoid(double a) => 1 / (1 + Math.Exp(-a));
    static double LogSoftmax(double[] logits, int k) => logits[k] - Math.Log(logits.Sum(Math.Exp));
    static double Item(Tensor t) { using (t) return t.item<float>(); }

    // Two real images of labels 2 and 0, two generated ones drawn for labels 1 and 1; three classes.
    static readonly float[] SReal = [1.5f, -0.5f], SFake = [0.25f, -2f];
    static readonly float[][] CReal = [[0.1f, -1f, 2f], [0.5f, 0.5f, -0.5f]], CFake = [[-1f, 1f, 0f], [3f, -2f, 0.5f]];
    static readonly long[] YReal = [2, 0], YFake = [1, 1];
    static Tensor Logits(float[][] rows) => tensor(rows.SelectMany(r => r).ToArray()).view(rows.Length, rows[0].Length);
    static double CrossEntropy(float[][] rows, long[] labels) =>
        -rows.Select((r, i) => LogSoftmax(r.Select(v => (double)v).ToArray(), (int)labels[i])).Average();

    [Fact]
    public void Acgan_discriminator_descends_minus_LS_minus_LC()
    {
        double ls = SReal.Average(s => Math.Log(Sigmoid(s))) + SFake.Average(s => Math.Log(1 - Sigmoid(s)));
        double lc = -CrossEntropy(CReal, YReal) - CrossEntropy(CFake, YFake);
        foreach (var source in new IAdversarialLoss[] { new Minimax(), new NonSaturating() })
        {
            var terms = new AuxiliaryClassifierLoss(source).Discriminator(tensor(SReal), Logits(CReal), tensor(YReal), tensor(SFake), Logits(CFake), tensor(YFake));
            Assert.Equal(-ls, Item(terms.Adversarial), 5);
            Assert.Equal(-lc, Item(terms.Class), 5);
            Assert.Equal(-(ls + lc), Item(terms.Total), 5);
        }
    }

    [Fact]
    public void Acgan_generator_maximises_LC_minus_LS_in_the_minimax_form_and_log_D_in_the_non_saturating_one()
    {
        double lcFake = -CrossEntropy(CFake, YFake);
        // Minimax: G descends −L_C + L_S; L_S's real half does not depend on G, so its fake half is what remains.
        var minimax = new AuxiliaryClassifierLoss(new Minimax()).Generator(tensor(SFake), Logits(CFake), tensor(YFake));
        Assert.Equal(SFake.Average(s => Math.Log(1 - Sigmoid(s))) - lcFake, Item(minimax.Total), 5);
        var nonSaturating = new AuxiliaryClassifierLoss(new NonSaturating()).Generator(tensor(SFake), Logits(CFake), tensor(YFake));
        Assert.Equal(-SFake.Average(s => Math.Log(Sigmoid(s))) - lcFake, Item(nonSaturating.Total), 5);
        Assert.Equal(-lcFake, Item(nonSaturating.Class), 5);
    }

    [Fact]
    public void Sgan_source_logit_makes_D_equal_Z_over_Z_plus_one()
    {
        foreach (var row in CReal.Concat(CFake))
        {
            double z = row.Sum(v => Math.Exp(v));
            using var logit = SemiSupervisedLoss.SourceLogit(Logits([row]));
            Assert.Equal(z / (z + 1), Sigmoid(logit.item<float>()), 6);
        }
    }

    [Fact]
    public void Sgan_discriminator_is_supervised_cross_entropy_plus_the_unsupervised_gan_loss()
    {
        // Labelled: CReal with YReal; unlabelled real: CFake's rows read as real images; generated: CReal's rows.
        static double D(float[] row) { double z = row.Sum(v => Math.Exp(v)); return z / (z + 1); }
        double supervised = CrossEntropy(CReal, YReal);
        double unsupervised = -CFake.Average(r => Math.Log(D(r))) - CReal.Average(r => Math.Log(1 - D(r)));
        var terms = SemiSupervisedLoss.Discriminator(Logits(CReal), tensor(YReal), Logits(CFake), Logits(CReal));
        Assert.Equal(supervised, Item(terms.Class), 5);
        Assert.Equal(unsupervised, Item(terms.Adversarial), 5);
        Assert.Equal(supervised + unsupervised, Item(terms.Total), 5);
        var halved = SemiSupervisedLoss.Discriminator(Logits(CReal), tensor(YReal), Logits(CFake), Logits(CReal), unlabelledWeight: 0.5);
        Assert.Equal(supervised + 0.5 * unsupervised, Item(halved.Total), 5);
    }

    [Fact]
    public void Feature_matching_is_the_mean_squared_gap_of_the_mean_features_with_its_gradient()
    {
        float[] real = [1f, 2f, 3f, 5f], fake = [0f, 1f, 2f, 2f];                         // two images × two features each
        using var r = tensor(real).view(2, 2);
        using var f = tensor(fake).view(2, 2).requires_grad_(true);
        // means: real (2, 3.5), fake (1, 1.5): gap (1, 2), squared norm 5, over F = 2 features: 2.5
        using var loss = SemiSupervisedLoss.FeatureMatching(r, f);
        Assert.Equal(2.5, loss.item<float>(), 5);
        loss.backward();
        // ∂/∂fake_ij = −2 gap_j / (B F) = (−0.5, −1) for every image
        Assert.Equal([-0.5f, -1f, -0.5f, -1f], f.grad!.data<float>().ToArray());
    }
}
