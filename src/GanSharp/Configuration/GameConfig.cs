using System.Text.Json.Serialization;

namespace GanSharp.Configuration;

/// <summary>
/// The training algorithm — which players update, with which terms, in what order within one iteration — told apart
/// in JSON by <c>"kind"</c>. Built into a game by <c>GanSharp.Games.GameFactory</c>, which knows every kind.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind", UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization)]
[JsonDerivedType(typeof(Algorithm1Config), "algorithm1")]
[JsonDerivedType(typeof(SimultaneousConfig), "simultaneous")]
[JsonDerivedType(typeof(AuxiliaryClassifierConfig), "auxiliary-classifier")]
[JsonDerivedType(typeof(SemiSupervisedConfig), "semi-supervised")]
[JsonDerivedType(typeof(ImageHistoryConfig), "image-history")]
[JsonDerivedType(typeof(CycleConsistentConfig), "cycle-consistent")]
[JsonDerivedType(typeof(StackedConfig), "stacked")]
[JsonDerivedType(typeof(CustomGameConfig), "custom")]
public abstract record GameConfig
{
    /// <summary>The problems of these settings, each a line a user can act on (none: valid).</summary>
    public virtual IEnumerable<string> Problems() => [];

    /// <summary>
    /// What this game refuses in the rest of a run's configuration <paramref name="run"/>: data of a kind it does not
    /// play (<see cref="DataProblems"/>), then the nets it cannot play and sections it would ignore (<see cref="Rules"/>;
    /// a section a game ignores must not be set, or config.json and the report would say what did not happen).
    /// </summary>
    public IEnumerable<string> ProblemsWith(GanConfig run) => DataProblems(run).Concat(Rules(run));

    /// <summary>The data kinds this game refuses. Default: anything but one dataset (<see cref="DataConfig"/>).</summary>
    protected virtual IEnumerable<string> DataProblems(GanConfig run)
    {
        if (run.Data is not DataConfig)
            yield return $"data: the {Kinds.NameOf<GameConfig>(this)} game trains on one dataset, not {run.Data.Summary} (two domains are for a game that translates between them)";
    }

    /// <summary>The game's rules for the rest of the configuration. Default: nets that only another game trains (<see cref="ModelConfig.TrainedBy"/>).</summary>
    protected virtual IEnumerable<string> Rules(GanConfig run)
    {
        string game = Kinds.NameOf<GameConfig>(this);
        if (run.Model.TrainedBy is { } only && only != game)
            yield return $"a model of kind {Kinds.NameOf<ModelConfig>(run.Model)} is trained by the {only} game, not {game}";
    }

    /// <summary>The game in a few words, for messages (its kind, and what sets it apart).</summary>
    [JsonIgnore]
    public virtual string Summary => Kinds.NameOf<GameConfig>(this);
}

/// <summary>
/// Algorithm 1 of Goodfellow et al. (2014): k discriminator updates, each on a fresh minibatch of data and of noise,
/// then one generator update on fresh noise.
/// </summary>
public sealed record Algorithm1Config : GameConfig
{
    /// <summary>Discriminator updates per generator update (the paper used k = 1; WGAN-GP's n_critic is 5).</summary>
    public int K { get; init; } = 1;

    /// <summary>
    /// λ of the gradient penalty added to the discriminator's loss (Gulrajani et al., 2017: 10); 0, the default: none.
    /// </summary>
    public double GradientPenalty { get; init; }

    /// <inheritdoc/>
    public override IEnumerable<string> Problems()
    {
        if (K < 1) yield return $"k must be at least 1 (got {K})";
        if (GradientPenalty is not (>= 0 and <= 1e6)) yield return $"gradient-penalty must be a weight in [0, 10⁶] (got {GradientPenalty})";
    }

    /// <inheritdoc/>
    [JsonIgnore]
    public override string Summary => GradientPenalty > 0 ? $"algorithm1 (k = {K}, gradient penalty λ = {GradientPenalty:G4})" : $"algorithm1 (k = {K})";
}

/// <summary>
/// The variant of the paper's released code (pylearn2): one minibatch, one forward pass, and both nets step on
/// gradients taken at the same parameters (one discriminator step per iteration).
/// </summary>
public sealed record SimultaneousConfig : GameConfig;

/// <summary>
/// The auxiliary classifier GAN (Odena et al. 2017): one update of D on L_S + L_C, then one of G on L_C − L_S, with a
/// conditional G and a D that also classifies (a model with an auxiliary classifier).
/// </summary>
public sealed record AuxiliaryClassifierConfig : GameConfig
{
    /// <inheritdoc/>
    protected override IEnumerable<string> Rules(GanConfig run)
    {
        if (run.Model.Conditioning != Conditioning.AuxiliaryClassifier)
            yield return "game auxiliary-classifier needs a model with an auxiliary classifier (kind acgan)";
    }
}

/// <summary>
/// The semi-supervised GAN (Salimans et al. 2016, section 5): D a K-class classifier trained on <see cref="Labels"/>
/// labelled images (as many of each class, chosen by the run's seed) and, as a GAN's D, on every training image unlabelled
/// and on G's images; G by feature matching.
/// </summary>
public sealed record SemiSupervisedConfig : GameConfig
{
    /// <summary>Labelled training images, the same number of each class (Salimans et al.: 20, 50, 100, 200 on MNIST).</summary>
    public int Labels { get; init; } = 100;

    /// <summary>
    /// Weight of D's unsupervised GAN loss beside its supervised cross-entropy: the released MNIST code's 0.5 (the paper's
    /// equation: 1). 0 trains D on the labelled images alone — the labels-only baseline (G then still trains, unheeded).
    /// </summary>
    public double UnlabelledWeight { get; init; } = 0.5;

    /// <summary>
    /// Rate r of the running average of D's weights that classifies in evaluation (the reference's 10⁻⁴: a slow average
    /// over roughly the last 1/r updates); 0: none, D's own weights classify.
    /// </summary>
    public double DiscriminatorAverage { get; init; } = 1e-4;

    /// <inheritdoc/>
    public override IEnumerable<string> Problems()
    {
        if (Labels < 1) yield return $"labels must be at least 1 (got {Labels})";
        if (DiscriminatorAverage is not (>= 0 and <= 1)) yield return $"discriminator-average must lie in [0, 1] (got {DiscriminatorAverage})";
        if (UnlabelledWeight is not (>= 0 and <= 1e6)) yield return $"unlabelled-weight must lie in [0, 10⁶] (got {UnlabelledWeight})";
    }

    /// <inheritdoc/>
    [JsonIgnore]
    public override string Summary => $"semi-supervised ({Labels} labels, unlabelled weight {UnlabelledWeight:G4})";

    /// <inheritdoc/>
    /// <remarks>
    /// The game's losses are its own — D's (K+1)-class cross-entropy, whose unlabelled half is the non-saturating GAN
    /// loss, and G's feature matching — so a loss section of another kind would be ignored: refused.
    /// </remarks>
    protected override IEnumerable<string> Rules(GanConfig run)
    {
        if (run.Model.Conditioning != Conditioning.Classifier)
            yield return "game semi-supervised needs a classifying model (\"kind\": \"semi-supervised-mlp\")";
        if (run.Loss is not NonSaturatingLossConfig)
            yield return $"loss: the semi-supervised game has its own losses (D: a (K+1)-class cross-entropy; G: feature matching), so loss {Kinds.NameOf<LossConfig>(run.Loss)} would be ignored: leave it non-saturating";
    }
}
