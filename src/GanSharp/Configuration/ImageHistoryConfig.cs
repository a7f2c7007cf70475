using System.Text.Json.Serialization;

namespace GanSharp.Configuration;

/// <summary>
/// Algorithm 1 with a history of generated images (Shrivastava et al. 2017, section 2.3): each discriminator update sees
/// G's images through a pool of <see cref="PoolSize"/> earlier ones (the pool rule of CycleGAN's reference, Zhu et al.
/// 2017), so that D keeps rejecting what G drew before.
/// </summary>
public sealed record ImageHistoryConfig : GameConfig
{
    /// <summary>Discriminator updates per generator update.</summary>
    public int K { get; init; } = 1;
    /// <summary>Generated images the pool keeps (CycleGAN's 50; 0: none, Algorithm 1 itself).</summary>
    public int PoolSize { get; init; } = 50;

    /// <inheritdoc/>
    public override IEnumerable<string> Problems()
    {
        if (K < 1) yield return $"k must be at least 1 (got {K})";
        if (PoolSize is < 0 or > 100_000) yield return $"pool-size must lie in 0…100,000 (got {PoolSize})";
    }

    /// <inheritdoc/>
    protected override IEnumerable<string> Rules(GanConfig run)
    {
        foreach (var p in base.Rules(run)) yield return p;
        if (run.Model.Conditional)
            yield return "game image-history keeps generated images without their classes: a conditional model needs another game (algorithm1)";
    }

    /// <inheritdoc/>
    [JsonIgnore]
    public override string Summary => $"image-history (k = {K}, a pool of {PoolSize} generated images)";
}
