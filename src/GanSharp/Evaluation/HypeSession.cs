using System.Text.Json;
using GanSharp.Imaging;
using GanSharp.Training;
using static TorchSharp.torch;

namespace GanSharp.Evaluation;

/// <summary>Which HYPE a session measures.</summary>
public enum HypeMode
{
    /// <summary>HYPE∞: each image stays until the person answers; the score is their error rate.</summary>
    Infinity,
    /// <summary>HYPE-time: each image is shown for the staircase's exposure, then masked; the score is the modal exposure.</summary>
    Time,
}

/// <summary>
/// The images of one HYPE session: as many real images as generated ones, in an order drawn from a seed, each encoded as
/// a PNG at its own size. Which image is real is known here and never sent to the page.
/// </summary>
public sealed class HypeDeck
{
    readonly byte[][] png;
    readonly bool[] isReal;

    /// <summary>How many images the session shows.</summary>
    public int Count => png.Length;

    /// <summary>The PNG bytes of the <paramref name="index"/>-th image shown.</summary>
    public byte[] Png(int index) => png[index];

    /// <summary>Whether the <paramref name="index"/>-th image shown is real.</summary>
    public bool IsReal(int index) => isReal[index];

    HypeDeck(byte[][] png, bool[] isReal) => (this.png, this.isReal) = (png, isReal);

    /// <summary>
    /// A deck of <paramref name="real"/> and <paramref name="generated"/> (both <c>[N, C, H, W]</c> in [0, 1], the same N),
    /// shuffled by <paramref name="seed"/> (Fisher–Yates).
    /// </summary>
    /// <exception cref="InputException">No images, unequal counts, or images of different shapes.</exception>
    public static HypeDeck Create(Tensor real, Tensor generated, long seed)
    {
        if (real.shape[0] == 0 || real.shape[0] != generated.shape[0])
            throw new InputException($"a HYPE session shows as many real images as generated ones (have {real.shape[0]} real, {generated.shape[0]} generated)");
        if (!real.shape.Skip(1).SequenceEqual(generated.shape.Skip(1)))
            throw new InputException($"real images are {string.Join("×", real.shape.Skip(1))} but generated ones {string.Join("×", generated.shape.Skip(1))}");
        int n = (int)real.shape[0];
        var order = Enumerable.Range(0, 2 * n).ToArray();
        var rng = new Random(unchecked((int)seed));
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        var png = new byte[order.Length][];
        var isReal = new bool[order.Length];
        for (int i = 0; i < order.Length; i++)
        {
            bool fromReal = order[i] < n;
            using var image = (fromReal ? real : generated)[fromReal ? order[i] : order[i] - n];   // [C, H, W]
            png[i] = ImageGrid.Png(image);
            isReal[i] = fromReal;
        }
        return new HypeDeck(png, isReal);
    }
}

/// <summary>
/// One person's HYPE session: the deck shown in order, the answers recorded as they come, the exposure of each next image
/// (HYPE-time: from the staircase and the answers so far, decided here, never by the page), and the score at the end.
/// Thread-safe: a web server may call it from several requests.
/// </summary>
public sealed class HypeSession
{
    readonly object gate = new();
    readonly List<HypeJudgement> answers = [];

    /// <summary>The images shown.</summary>
    public HypeDeck Deck { get; }
    /// <summary>HYPE∞ or HYPE-time.</summary>
    public HypeMode Mode { get; }
    /// <summary>HYPE-time's staircase (null in HYPE∞).</summary>
    public HypeStaircase? Staircase { get; }
    /// <summary>When the session began (UTC).</summary>
    public DateTimeOffset Started { get; } = DateTimeOffset.UtcNow;

    /// <summary>A session over <paramref name="deck"/>; HYPE-time uses <paramref name="staircase"/> (default <see cref="HypeStaircase"/>'s).</summary>
    public HypeSession(HypeDeck deck, HypeMode mode, HypeStaircase? staircase = null)
    {
        Deck = deck;
        Mode = mode;
        Staircase = mode == HypeMode.Time ? staircase ?? new HypeStaircase() : null;
    }

    /// <summary>The answers so far, in order.</summary>
    public IReadOnlyList<HypeJudgement> Answers { get { lock (gate) return answers.ToArray(); } }

    /// <summary>The index of the next image to show (<see cref="HypeDeck.Count"/> when all are answered).</summary>
    public int Next { get { lock (gate) return answers.Count; } }

    /// <summary>Whether every image has been answered.</summary>
    public bool Finished => Next == Deck.Count;

    /// <summary>HYPE-time: how long the next image is shown, in milliseconds; null in HYPE∞.</summary>
    public double? NextExposureMs
    {
        get { lock (gate) return Staircase?.Next(answers.Select(a => a.Correct).ToArray()); }
    }

    /// <summary>
    /// Records the answer to image <paramref name="image"/>, which must be the next one (answers arrive in order, once
    /// each), and returns it.
    /// </summary>
    /// <exception cref="InputException">An image out of turn, after the end, or a negative response time.</exception>
    public HypeJudgement Answer(int image, bool judgedReal, double responseMs)
    {
        if (!(responseMs >= 0) || double.IsInfinity(responseMs)) throw new InputException($"response time {responseMs} ms is not a duration");
        lock (gate)
        {
            if (answers.Count == Deck.Count) throw new InputException("the session is over: every image has been answered");
            if (image != answers.Count) throw new InputException($"answer for image {image} out of turn: image {answers.Count} is showing");
            double? exposure = Staircase?.Next(answers.Select(a => a.Correct).ToArray());
            var answer = new HypeJudgement(image, Deck.IsReal(image), judgedReal, responseMs, exposure);
            answers.Add(answer);
            return answer;
        }
    }

    /// <summary>The session's record: what was shown, every answer, and the scores (null while it has no real and fake answer).</summary>
    public HypeRecord Record(HypeSource source, long seed, int resamples = HypeScoring.DefaultResamples)
    {
        var given = Answers;
        bool scorable = given.Any(a => a.IsReal) && given.Any(a => !a.IsReal);
        return new HypeRecord(HypeRecord.CurrentFormat, Mode, source, Deck.Count, seed, Started, DateTimeOffset.UtcNow,
                              given.Count == Deck.Count, given,
                              scorable ? HypeScoring.Infinity(given, resamples, seed) : null,
                              scorable && Mode == HypeMode.Time ? HypeScoring.Time(given, resamples, seed) : null,
                              Staircase?.LevelsMs, Staircase?.CorrectToShorten);
    }
}

/// <summary>What a HYPE session showed: the generator's checkpoint and the real images' split.</summary>
/// <param name="Run">The run folder.</param>
/// <param name="Checkpoint">The checkpoint whose generator drew the fakes.</param>
/// <param name="Step">Its training iteration.</param>
/// <param name="Weights"><c>moving-average</c> or <c>trained</c>: which of G's weights drew them.</param>
/// <param name="RealImages">The dataset split the real images come from.</param>
public sealed record HypeSource(string Run, string Checkpoint, long Step, string Weights, string RealImages);

/// <summary>
/// A HYPE session as saved in a run's <c>eval/</c> folder (<c>hype-MODE-YYYYMMDD-HHMMSS.json</c>): never overwritten, a
/// new session is a new file.
/// </summary>
public sealed record HypeRecord(
    string Format, HypeMode Mode, HypeSource Source, int Images, long Seed, DateTimeOffset Started, DateTimeOffset Ended,
    bool Complete, IReadOnlyList<HypeJudgement> Answers, HypeInfinityScore? Infinity, HypeTimeScore? Time,
    IReadOnlyList<double>? ExposureLevelsMs, int? CorrectToShorten)
{
    /// <summary>The format tag of saved sessions.</summary>
    public const string CurrentFormat = "gansharp-hype-session/1";

    /// <summary>
    /// Saves the record as a new file in <paramref name="run"/>'s eval folder and returns its path; never replaces a file
    /// (a second session in the same second gets <c>-2</c>, <c>-3</c>, …).
    /// </summary>
    public string Save(RunDirectory run)
    {
        var json = JsonSerializer.Serialize(this, EvaluationFiles.Json) + "\n";
        for (int n = 1; ; n++)
        {
            var path = run.HypeSessionPath(Mode.ToString().ToLowerInvariant(), Started, n);
            if (File.Exists(path)) continue;
            try
            {
                AtomicFile.Write(path, s => s.Write(System.Text.Encoding.UTF8.GetBytes(json)), overwrite: false);
                return path;
            }
            catch (IOException) when (File.Exists(path)) { }   // another session took the name first: the next one
        }
    }

    /// <summary>The saved sessions of <paramref name="run"/>, oldest first.</summary>
    /// <exception cref="InputException">A session file that is not one.</exception>
    public static IReadOnlyList<(string Path, HypeRecord Record)> InRun(RunDirectory run)
    {
        var found = new List<(string, HypeRecord)>();
        foreach (var path in run.HypeSessionPaths())
        {
            HypeRecord? record;
            try { record = JsonSerializer.Deserialize<HypeRecord>(File.ReadAllText(path), EvaluationFiles.Json); }
            catch (JsonException e) { throw new InputException($"{path}: not a HYPE session ({e.Message})"); }
            if (record is null || record.Format != CurrentFormat) throw new InputException($"{path}: not a HYPE session of format {CurrentFormat}");
            found.Add((path, record));
        }
        return found.OrderBy(f => f.Item2.Started).ToList();
    }
}
