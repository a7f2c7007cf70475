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
