using System.Text.Json.Serialization;

namespace GanSharp.Configuration;

/// <summary>
/// CycleGAN's game (Zhu et al. 2017): two translators G: X → Y and F: Y → X, each against a discriminator of its target
/// domain, held to undo each other by a cycle-consistency loss (weight <see cref="CycleWeight"/>, λ) and, optionally, to
/// leave images of their target domain alone (<see cref="IdentityWeight"/> · λ). Trains the <c>cyclegan</c> model on two
/// unpaired domains (<c>"data": {"kind": "two-domains", …}</c>); its discriminators see G's and F's images through pools
/// of <see cref="PoolSize"/> earlier ones.
/// </summary>
public sealed record CycleConsistentConfig : GameConfig
{
    /// <summary>λ, the weight of the cycle-consistency loss ‖F(G(x)) − x‖₁ + ‖G(F(y)) − y‖₁ (the paper's 10).</summary>
    public double CycleWeight { get; init; } = 10;
    /// <summary>
    /// The identity loss ‖G(y) − y‖₁ + ‖F(x) − x‖₁ weighs this times λ (the reference's 0.5, section 5.2 "photo generation
    /// from paintings"); 0 turns it off, and the translators then skip the two extra passes.
    /// </summary>
    public double IdentityWeight { get; init; } = 0.5;
    /// <summary>Translated images each discriminator's pool keeps (the paper's 50; 0: the newest only).</summary>
    public int PoolSize { get; init; } = 50;
    /// <summary>
    /// σ of Gaussian noise added to a translation before it is translated back in the cycle term (pixels in [0, 1]; 0,
    /// the paper's and the default: none, and never written). Chu, Zhmoginov &amp; Sandler (2017, "CycleGAN, a Master of
    /// Steganography") show the translators hiding the input in low-amplitude high-frequency signal that the way back
    /// reads; noise drowns such a signal, so the cycle must be closed by what the translation visibly shows.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public double CycleNoise { get; init; }

    /// <inheritdoc/>
    public override IEnumerable<string> Problems()
    {
        if (CycleWeight is not (>= 0 and <= 1e6)) yield return $"cycle-weight must be a weight in [0, 10⁶] (got {CycleWeight})";
        if (IdentityWeight is not (>= 0 and <= 1e6)) yield return $"identity-weight must be a weight in [0, 10⁶] (got {IdentityWeight})";
        if (PoolSize is < 0 or > 100_000) yield return $"pool-size must lie in 0…100,000 (got {PoolSize})";
        if (CycleNoise is not (>= 0 and <= 1)) yield return $"cycle-noise must be a standard deviation in [0, 1] (got {CycleNoise})";
    }

    /// <inheritdoc/>
    protected override IEnumerable<string> DataProblems(GanConfig run)
    {
        if (run.Data is not TwoDomainsConfig)
            yield return $"data: the cycle-consistent game translates between two domains, not {run.Data.Summary}: give --dataset-x and --dataset-y";
    }

    /// <inheritdoc/>
    /// <remarks>The nets must be translators (with <c>ema</c>, the game averages both).</remarks>
    protected override IEnumerable<string> Rules(GanConfig run)
    {
        if (run.Model is not CycleGanModelConfig)
            yield return $"game cycle-consistent needs translating nets (model kind cyclegan), not {Kinds.NameOf(run.Model)}";
    }

    /// <inheritdoc/>
    [JsonIgnore]
    public override string Summary =>
        $"cycle-consistent (λ = {CycleWeight:G4}, identity {IdentityWeight:G4}·λ, pools of {PoolSize}{(CycleNoise > 0 ? $", cycle noise σ {CycleNoise:G4}" : "")})";
}
