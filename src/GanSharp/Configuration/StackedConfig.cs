using System.Text.Json.Serialization;

namespace GanSharp.Configuration;

/// <summary>
/// StackGAN's game (Zhang et al. 2017): text-conditional generators with conditioning augmentation against matching-aware
/// discriminators, Stage-I for the first <see cref="StageOneSteps"/> iterations, then Stage-II with Stage-I frozen — one
/// run, one run folder, each stage's players in their own checkpoint sections. Trains the <c>stackgan</c> model on
/// captioned images (<c>"data": {"kind": "captioned", …}</c>); a one-stage model (Stage-I at the full size) is the
/// single-stage baseline, trained by Stage-I alone for the whole run.
/// </summary>
public sealed record StackedConfig : GameConfig
{
    /// <summary>Weight of the conditioning augmentation's KL term in each generator's loss (the reference's 2).</summary>
    public double KlWeight { get; init; } = 2;

    /// <summary>
    /// Iterations of Stage-I before Stage-II starts (two stages; the reference's 120 + 120 epochs: half the run). Null: a
    /// one-stage model, trained by Stage-I for the whole run; a two-stage model needs it.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? StageOneSteps { get; init; }

    /// <inheritdoc/>
    public override IEnumerable<string> Problems()
    {
        if (KlWeight is not (>= 0 and <= 1e6)) yield return $"kl-weight must be a weight in [0, 10⁶] (got {KlWeight})";
        if (StageOneSteps is < 1) yield return $"stage-one-steps must be at least 1 (got {StageOneSteps})";
    }

    /// <inheritdoc/>
    protected override IEnumerable<string> DataProblems(GanConfig run)
    {
        if (run.Data is not CaptionedConfig)
            yield return $"data: the stacked game draws images from text and trains on captioned images, not {run.Data.Summary} (\"data\": {{\"kind\": \"captioned\", …}})";
    }

    /// <inheritdoc/>
    protected override IEnumerable<string> Rules(GanConfig run)
    {
        if (run.Model is not StackGanModelConfig model)
        {
            yield return $"game stacked needs text-conditional nets (model kind stackgan), not {Kinds.NameOf(run.Model)}";
            yield break;
        }
        bool two = model.StageOneSize < (run.Data.DeclaredImageSize ?? model.Height);
        if (two && StageOneSteps is null)
            yield return "game: stage-one-steps is needed by a two-stage model (Stage-I's iterations before Stage-II starts)";
        if (!two && StageOneSteps is not null)
            yield return "game: stage-one-steps is for a two-stage model; this one is a single stage (stage-one-size is the image side): leave it out";
        if (two && run.Train.Steps is { } steps && StageOneSteps >= steps)
            yield return $"game: stage-one-steps {StageOneSteps:N0} leaves Stage-II none of the run's {steps:N0} iterations";
        if (run.Ema is not null) yield return "ema: the stacked game keeps no moving average (leave ema out)";
    }

    /// <inheritdoc/>
    [JsonIgnore]
    public override string Summary => StageOneSteps is { } s ? $"stacked (Stage-I for {s:N0} iterations, then Stage-II; KL weight {KlWeight:G4})" : $"stacked (one stage; KL weight {KlWeight:G4})";
}
