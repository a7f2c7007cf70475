using GanSharp.Configuration;

namespace GanSharp.Training;

/// <summary>
/// The paper's schedules, as pure functions of progress so that a resumed run recomputes them exactly.
/// </summary>
internal static class Schedules
{
    /// <summary>
    /// Learning rate after <paramref name="step"/> iterations of a run of <paramref name="totalSteps"/>: the optimizer's
    /// schedule from its initial rate (<see cref="LearningRateSchedule"/>).
    /// </summary>
    public static double LearningRate(OptimizerConfig o, long step, long totalSteps) => o.Schedule.Rate(o.LearningRate, step, totalSteps);

    /// <summary>
    /// Momentum after <paramref name="epochs"/> completed epochs: the start value until the ramp's first epoch, then
    /// linear to the end value at the ramp's last epoch, constant after (pylearn2's MomentumAdjustor).
    /// </summary>
    public static double Momentum(OptimizerConfig o, long epochs)
    {
        if (o.MomentumRampEnd <= o.MomentumRampStart) return epochs >= o.MomentumRampEnd ? o.MomentumEnd : o.MomentumStart;
        double a = Math.Clamp((double)(epochs - o.MomentumRampStart) / (o.MomentumRampEnd - o.MomentumRampStart), 0, 1);
        return o.MomentumStart + a * (o.MomentumEnd - o.MomentumStart);
    }

    /// <summary>The momentum an optimizer runs with after <paramref name="epochs"/>: SGD's schedule, or Adam's β₁.</summary>
    public static double MomentumOf(OptimizerConfig o, long epochs) => o.Kind == OptimizerKind.Sgd ? Momentum(o, epochs) : o.Beta1;
}
