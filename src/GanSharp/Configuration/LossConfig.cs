using System.Text.Json.Serialization;

namespace GanSharp.Configuration;

/// <summary>
/// The adversarial objective, told apart in JSON by <c>"kind"</c>. Built into a loss by <c>GanSharp.Losses.LossFactory</c>,
/// which knows every kind.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind", UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization)]
[JsonDerivedType(typeof(NonSaturatingLossConfig), "non-saturating")]
[JsonDerivedType(typeof(MinimaxLossConfig), "minimax")]
public abstract record LossConfig;

/// <summary>
/// Goodfellow et al. (2014), section 3: D ascends V(D, G); G ascends log D(G(z)) instead of descending
/// log(1 − D(G(z))) — "the same fixed point … but much stronger gradients early in learning".
/// </summary>
public sealed record NonSaturatingLossConfig : LossConfig;

/// <summary>Goodfellow et al. (2014), equation 1: the minimax game as written; G descends log(1 − D(G(z))).</summary>
public sealed record MinimaxLossConfig : LossConfig;
