using System.Text.Json.Nodes;

namespace GanSharp.Configuration;

/// <summary>
/// Reads configurations written before the game seam (GanSharp's first releases): the model was one flat record for
/// every family (the toy nets' activation beside the paper's maxout settings), and Algorithm 1's k, the generator loss
/// and the update order lived under <c>train</c>; ACGAN's nets were DCGAN's with <c>"auxiliary-classifier": true</c>; before schedules were typed, an optimizer's exponential decay was its
/// <c>learning-rate-decay</c> and <c>min-learning-rate</c>. Old run folders, checkpoints and config files are upgraded in place
/// (in memory) to today's shape, so that they load, resume and evaluate unchanged.
/// </summary>
static class ConfigUpgrade
{
    static readonly string[] PaperOnly =
    [
        "generator-init-range", "generator-output-bias-from-data", "discriminator-pieces", "discriminator-init-range",
        "discriminator-input-keep", "discriminator-hidden-keep",
    ];

    /// <summary>Upgrades <paramref name="root"/> (a whole or partial configuration) in place; today's shape is left alone.</summary>
    public static void Apply(JsonObject root)
    {
        // Before data was typed by kind: one dataset's settings, without a kind. (An object of two domains' keys without
        // a kind is a partial file laid over a two-domain preset, never an old file: it is left to merge.)
        if (root["data"] is JsonObject data && !data.ContainsKey("kind") && !data.ContainsKey("x") && !data.ContainsKey("y") && !data.ContainsKey("split"))
            data.Insert(0, "kind", "images");
        // Before schedules were typed: an exponential decay's two keys on the optimizer itself.
        foreach (var key in new[] { "optimizer", "discriminator-optimizer" })
        {
            if (root[key] is not JsonObject optimizer) continue;
            bool decay = optimizer.Remove("learning-rate-decay", out var d), min = optimizer.Remove("min-learning-rate", out var m);
            if (!decay && !min) continue;
            var schedule = new JsonObject { ["kind"] = "exponential" };
            if (decay) schedule["decay"] = d?.DeepClone();
            if (min) schedule["min"] = m?.DeepClone();
            optimizer["schedule"] = schedule;
        }
        // Before ACGAN's nets had a kind of their own: DCGAN's with a flag.
        if (root["model"] is JsonObject dcgan && dcgan["kind"]?.ToString() == "dcgan" && dcgan.Remove("auxiliary-classifier", out var auxiliary)
            && auxiliary is JsonValue flag && flag.TryGetValue<bool>(out bool on) && on)
            dcgan["kind"] = "acgan";
        if (root["model"] is JsonObject model && model.ContainsKey("toy-generator-activation"))
        {
            var activation = model["toy-generator-activation"]?.DeepClone();
            model.Remove("toy-generator-activation");
            if (model["kind"]?.ToString() == "toy")
            {
                foreach (var key in PaperOnly) model.Remove(key);
                model["generator-activation"] = activation;
            }
        }
        if (root["train"] is not JsonObject train) return;
        if (train.Remove("g-loss", out var gLoss) && gLoss is not null) root["loss"] = new JsonObject { ["kind"] = gLoss.DeepClone() };
        train.Remove("update", out var update);
        train.Remove("k", out var k);
        if (update?.ToString() == "simultaneous") root["game"] = new JsonObject { ["kind"] = "simultaneous" };
        else if (update is not null || k is not null)
        {
            var game = new JsonObject { ["kind"] = "algorithm1" };
            if (k is not null) game["k"] = k.DeepClone();
            root["game"] = game;
        }
    }
}
