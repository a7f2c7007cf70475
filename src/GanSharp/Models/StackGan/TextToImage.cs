using GanSharp.Configuration;
using TorchSharp;
using static TorchSharp.torch;

namespace GanSharp.Models;

/// <summary>
/// Images from sentence embeddings — what a text-to-image game supplies: Stage-I's generator, and Stage-II's where the
/// model has two stages. <see cref="Draw"/> runs both in evaluation mode: z and the conditions' ε from the caller's
/// generator, Stage-I's image refined by Stage-II. Embed texts with <c>GanSharp.Captions.MiniLmEncoder</c> (the encoder
/// the run's captions were embedded with).
/// </summary>
/// <param name="stageOne">Stage-I's generator.</param>
/// <param name="stageTwo">Stage-II's generator, or null for a one-stage model.</param>
public sealed class TextToImage(StageOneGenerator stageOne, StageTwoGenerator? stageTwo) : IDisposable
{
    /// <summary>Stage-I's generator.</summary>
    public StageOneGenerator StageOne { get; } = stageOne;
    /// <summary>Stage-II's generator (null: one stage).</summary>
    public StageTwoGenerator? StageTwo { get; } = stageTwo;
    /// <summary>The nets' configuration.</summary>
    public StackGanModelConfig Config => StageOne.Config;
    /// <summary>The noise prior of z.</summary>
    public NoisePrior Prior { get; } = NoisePrior.For(stageOne.Config.Noise);

    /// <summary>
    /// Loads the generators of a text-to-image run (folder: its last checkpoint) or checkpoint file onto
    /// <paramref name="device"/> (default: the CPU).
    /// </summary>
    /// <exception cref="InputException">No such run or checkpoint, a run whose game draws no images from text, or weights that do not fit.</exception>
    public static TextToImage Load(string runOrCheckpoint, Device? device = null)
    {
        var checkpoint = Training.TrainedPlayers.ReadCheckpoint(runOrCheckpoint);
        var loaded = Games.GameFactory.LoadProduct(checkpoint, new Games.ProductOptions(device));
        try { return loaded.Product.TextSamples($"{checkpoint.Where}: a text-to-image generator"); }   // it owns the nets from here
        catch
        {
            loaded.Dispose();
            throw;
        }
    }

    /// <summary>Stages trained so far (1 while Stage-I trains, then 2): the stage whose images are final.</summary>
    public int TrainedStages { get; set; } = stageTwo is null ? 1 : 2;

    /// <summary>Images a pass draws at most (Stage-II's 64×64 maps add up).</summary>
    public long Chunk { get; init; } = 256;

    /// <summary>
    /// Images for <paramref name="embeddings"/> <c>[n, E]</c> with noise <paramref name="noise"/> <c>[n, NoiseDim]</c> (null:
    /// drawn from <paramref name="rng"/>), the conditions' ε from <paramref name="rng"/>: Stage-I's <c>[n, C, S₁, S₁]</c> and,
    /// where there is a trained Stage-II, its <c>[n, C, H, H]</c> (else null); in [0, 1] on the CPU, without autograd.
    /// </summary>
    public (Tensor StageOne, Tensor? StageTwo) Draw(Tensor embeddings, Tensor? noise = null, torch.Generator? rng = null)
    {
        bool[] wasTraining = [StageOne.training, StageTwo?.training ?? false];
        var rngs = (StageOne.Rng, StageTwo?.Rng);
        var device = StageOne.parameters().First().device;
        StageOne.eval();
        StageTwo?.eval();
        StageOne.Rng = rng;
        if (StageTwo is not null) StageTwo.Rng = rng;
        var (ones, twos) = (new List<Tensor>(), new List<Tensor>());
        try
        {
            using var _ = inference_mode();
            using var z = noise?.alias() ?? Prior.Sample(embeddings.shape[0], Config.NoiseDim, rng);
            for (long start = 0; start < embeddings.shape[0]; start += Chunk)
            {
                using var scope = NewDisposeScope();
                long n = Math.Min(Chunk, embeddings.shape[0] - start);
                var e = embeddings.narrow(0, start, n).to(device);
                var (low, _, _) = StageOne.forward(e, null, z.narrow(0, start, n).to(device));
                ones.Add(low.cpu().MoveToOuterDisposeScope());
                if (StageTwo is not null && TrainedStages > 1)
                    twos.Add(StageTwo.forward(e, low, low).Image.cpu().MoveToOuterDisposeScope());
            }
            return (Joined(ones), twos.Count > 0 ? Joined(twos) : null);
        }
        finally
        {
            StageOne.train(wasTraining[0]);
            StageTwo?.train(wasTraining[1]);
            (StageOne.Rng, var two) = rngs;
            if (StageTwo is not null) StageTwo.Rng = two;
        }
    }

    /// <summary>
    /// <paramref name="perText"/> images of each of <paramref name="texts"/>, text by text, <c>[T·n, C, H, W]</c> in [0, 1]
    /// on the CPU, from the last trained stage — the texts embedded by <see cref="Encoder"/> (loaded at the first call).
    /// </summary>
    /// <exception cref="InputException">An empty text, or one longer than the encoder reads.</exception>
    public Tensor Draw(IReadOnlyList<string> texts, int perText = 1, torch.Generator? rng = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perText, 1);
        using var phi = Encoder.Encode(texts);
        using var repeated = phi.repeat_interleave(perText, 0);
        var (low, high) = Draw(repeated, rng: rng);
        if (high is null) return low;
        low.Dispose();
        return high;
    }

    /// <summary>The text encoder the run's captions were embedded with (all-MiniLM-L6-v2), loaded at first use and disposed with this.</summary>
    public Captions.TextEncoder Encoder => encoder ??= new Captions.MiniLmEncoder();
    private Captions.TextEncoder? encoder;

    static Tensor Joined(List<Tensor> parts)
    {
        if (parts.Count == 1) return parts[0];
        var all = cat(parts);
        foreach (var p in parts) p.Dispose();
        return all;
    }

    /// <summary>Disposes both generators (a loaded product's; a game's players are the game's).</summary>
    public void Dispose()
    {
        StageOne.Dispose();
        StageTwo?.Dispose();
        encoder?.Dispose();
    }
}
