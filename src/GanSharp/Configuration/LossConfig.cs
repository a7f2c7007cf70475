using System.Text.Json.Serialization;

namespace GanSharp.Configuration;

/// <summary>
/// The adversarial objective, told apart in JSON by <c>"kind"</c>. Built into a loss by <c>GanSharp.Losses.LossFactory</c>,
/// which knows every kind.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind", UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization)]
[JsonDerivedType(typeof(NonSaturatingLossConfig), "non-saturating")]
[JsonDerivedType(typeof(MinimaxLossConfig), "minimax")]
[JsonDerivedType(typeof(LeastSquaresLossConfig), "least-squares")]
[JsonDerivedType(typeof(HingeLossConfig), "hinge")]
[JsonDerivedType(typeof(WassersteinLossConfig), "wasserstein")]
public abstract record LossConfig;

/// <summary>
/// Goodfellow et al. (2014), section 3: D ascends V(D, G); G ascends log D(G(z)) instead of descending
/// log(1 − D(G(z))) — "the same fixed point … but much stronger gradients early in learning".
/// </summary>
public sealed record NonSaturatingLossConfig : LossConfig;

/// <summary>Goodfellow et al. (2014), equation 1: the minimax game as written; G descends log(1 − D(G(z))).</summary>
public sealed record MinimaxLossConfig : LossConfig;

/// <summary>
/// Least squares GAN (Mao et al., 2017), with their a = 0 (fake), b = 1 (real), c = 1 (what G wants D to say): D descends
/// ½E[(D(x) − 1)²] + ½E[D(G(z))²], G descends ½E[(D(G(z)) − 1)²], on D's raw outputs.
/// </summary>
public sealed record LeastSquaresLossConfig : LossConfig;

/// <summary>
/// The hinge loss (Lim &amp; Ye, 2017; Miyato et al., 2018): D descends E[max(0, 1 − D(x))] + E[max(0, 1 + D(G(z)))], G
/// descends −E[D(G(z))], on D's raw outputs. The loss of SNGAN, with spectral normalisation in D.
/// </summary>
public sealed record HingeLossConfig : LossConfig;

/// <summary>
/// The Wasserstein GAN's losses (Arjovsky et al., 2017), D a critic: D descends E[D(G(z))] − E[D(x)] (minus the
/// Kantorovich–Rubinstein estimate of the distance), G descends −E[D(G(z))]. The critic must be kept Lipschitz: with a
/// gradient penalty in the game (Gulrajani et al., 2017; <c>"gradient-penalty": 10</c> on Algorithm 1).
/// </summary>
public sealed record WassersteinLossConfig : LossConfig;
