using GanSharp.Configuration;
using GanSharp.Games;
using GanSharp.Models;
using GanSharp.Training;
using TorchSharp.Modules;
using static GanSharp.Tests.TestSupport;
using static TorchSharp.torch;

namespace GanSharp.Tests;

/// <summary>WGAN-GP's gradient penalty, against the analytic case of a linear critic, and inside Algorithm 1.</summary>
public class GradientPenaltyTests
{
    // LinearCritic: D(x) = w · vec(x) + b, whose input gradient is w at every x, so the penalty is λ(‖w‖ − 1)² exactly.
    [Theory]
    [InlineData(0.3)]
    [InlineData(2.5)]
    public void On_a_linear_critic_the_penalty_and_its_gradient_are_the_closed_forms(double scale)
    {
        var model = new CustomModelConfig { Architecture = "linear", NoiseDim = 2, Height = 4, Width = 4 };
        using var critic = new LinearCritic(model);
        using (no_grad()) critic.Layer.weight!.mul_(scale / critic.Layer.weight!.norm().item<float>());  // ‖w‖ = scale
        using var real = rand(6, 1, 4, 4);
        using var fake = rand(6, 1, 4, 4);
        using var rng = new TorchSharp.torch.Generator(3);
        const double lambda = 10;

        using var term = new GradientPenalty(lambda).Term(critic, real, fake, rng);
        term.backward();  // through the input gradient (create_graph): d/dw λ(‖w‖ − 1)² = 2λ(‖w‖ − 1) w/‖w‖

        Assert.Equal(lambda * (scale - 1) * (scale - 1), term.item<float>(), 3);
        var w = critic.Layer.weight!.detach();
        using var expected = w * (2 * lambda * (scale - 1) / scale);
        Assert.True(critic.Layer.weight!.grad!.allclose(expected, rtol: 1e-4, atol: 1e-5));
        Assert.Equal(0f, critic.Layer.bias!.grad?.abs().max().item<float>() ?? 0f);  // the bias does not move the gradient
    }

    [Fact]
    public void The_interpolates_lie_between_real_and_generated_images_one_epsilon_per_example()
    {
        // A critic that records what it was given.
        var model = new CustomModelConfig { Architecture = "probe", NoiseDim = 2, Height = 1, Width = 3 };
        using var probe = new Recorder(model);
        using var real = ones(5, 1, 1, 3);
        using var fake = zeros(5, 1, 1, 3);
        using var rng = new TorchSharp.torch.Generator(1);
        using var _ = new GradientPenalty(1).Term(probe, real, fake, rng);
        var seen = probe.Seen!;                                              // ε x + (1 − ε)·0 = ε, per example
        Assert.True(seen.ge(0).all().item<bool>() && seen.le(1).all().item<bool>());
        Assert.True(seen.eq(seen[.., .., .., ..1]).all().item<bool>());     // the same ε across an example's pixels
        Assert.True(seen[.., 0, 0, 0].unique().output.shape[0] > 1);       // different ε across examples
    }

    sealed class Recorder(ModelConfig config) : Discriminator("recorder", config)
    {
        public Tensor? Seen;
        public override Tensor forward(Tensor x, Tensor? labels)
        {
            Seen = x.detach().clone();
            return x.flatten(1).sum(1);
        }
    }

    [Fact]
    public void Algorithm_1_with_the_penalty_logs_it_and_resumes_exactly()
    {
        var config = Tiny() with
        {
            Loss = new WassersteinLossConfig(),
            Game = new Algorithm1Config { K = 2, GradientPenalty = 10 },
            Optimizer = new OptimizerConfig { Kind = OptimizerKind.Adam, LearningRate = 1e-3, Schedule = ExponentialDecay.Constant, Beta1 = 0, Beta2 = 0.9 },
        };
        using var images = TinySet();
        var (straight, second) = ResumeExactly(config, images, steps: 8, at: 3);
        using var _ = straight;
        using var __ = second;
        using var again = new Trainer(config, images);
        var line = Line(again.TrainStep());
        Assert.Contains("gp=", line);
        Assert.Contains("d_out_real=", line);
    }
}
