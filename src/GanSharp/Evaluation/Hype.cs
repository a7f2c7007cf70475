namespace GanSharp.Evaluation;

/// <summary>
/// One answer of a person in a HYPE session (Zhou et al., NeurIPS 2019): an image shown, whether it was real, what the
/// person said, how long they took, and (HYPE-time) how long the image was on the screen.
/// </summary>
/// <param name="Image">The image's position in the session's deck.</param>
/// <param name="IsReal">Whether the image came from the dataset (true) or from the generator (false).</param>
/// <param name="JudgedReal">The person's answer: "real" (true) or "fake" (false).</param>
/// <param name="ResponseMs">Milliseconds from the image's appearance to the answer.</param>
/// <param name="ExposureMs">HYPE-time: milliseconds the image was shown before its mask; null in HYPE∞ (shown until answered).</param>
public sealed record HypeJudgement(int Image, bool IsReal, bool JudgedReal, double ResponseMs, double? ExposureMs = null)
{
    /// <summary>Whether the answer was right (a real image called real, a generated one fake).</summary>
    public bool Correct => IsReal == JudgedReal;
}

/// <summary>A share with its bootstrap 95% interval (the 2.5th and 97.5th percentiles of the resampled shares).</summary>
/// <param name="Value">The share measured.</param>
/// <param name="Lower">2.5th percentile of the bootstrap.</param>
/// <param name="Upper">97.5th percentile of the bootstrap.</param>
/// <param name="Count">How many answers the share is of.</param>
public sealed record BootstrapInterval(double Value, double Lower, double Upper, int Count)
{
    /// <summary>The share and its interval as percentages, e.g. <c>40.0% [10.0, 70.0]</c>.</summary>
    public string Percent() => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{100 * Value:0.0}% [{100 * Lower:0.0}, {100 * Upper:0.0}]");
}

/// <summary>
/// HYPE∞: the person's error rate over all images — generated images judged real plus real images judged fake, over all
/// answers (50% is chance: the fakes cannot be told from the reals) — and the two halves separately.
/// </summary>
/// <param name="Score">Errors over all answers.</param>
/// <param name="Fakes">Generated images judged real, over generated images (the "fake error").</param>
/// <param name="Reals">Real images judged fake, over real images (the "real error").</param>
public sealed record HypeInfinityScore(BootstrapInterval Score, BootstrapInterval Fakes, BootstrapInterval Reals);

/// <summary>
/// HYPE-time's result for one person: their perceptual threshold, the exposure at which the staircase spent most trials
/// (its modal exposure), with a bootstrap interval over the trials.
/// </summary>
/// <param name="ThresholdMs">The modal exposure in milliseconds (ties: their mean).</param>
/// <param name="LowerMs">2.5th percentile of the bootstrap.</param>
/// <param name="UpperMs">97.5th percentile of the bootstrap.</param>
/// <param name="Trials">Timed answers.</param>
/// <param name="Errors">The session's HYPE∞-style error rate over the timed answers.</param>
public sealed record HypeTimeScore(double ThresholdMs, double LowerMs, double UpperMs, int Trials, BootstrapInterval Errors);

/// <summary>
/// The scores of HYPE (Human eYe Perceptual Evaluation; Zhou, Gordon, Krishna, Narcomey, Fei-Fei and Bernstein, NeurIPS
/// 2019). Pure functions of the answers and a seed: the same session always scores the same.
/// </summary>
public static class HypeScoring
{
    /// <summary>Bootstrap resamples of an interval (the paper's bootstraps are of this order).</summary>
    public const int DefaultResamples = 10_000;

    /// <summary>
    /// HYPE∞ of <paramref name="answers"/>, each share with a percentile bootstrap 95% interval. The bootstrap is
    /// stratified: reals and fakes are resampled separately, each keeping its count, as the session showed them (a plain
    /// resample of all answers would also vary the mix, which the design fixes).
    /// </summary>
    /// <exception cref="InputException">No answers, or answers of only one kind (a score needs reals and fakes).</exception>
    public static HypeInfinityScore Infinity(IReadOnlyList<HypeJudgement> answers, int resamples = DefaultResamples, long seed = 1)
    {
        var fakeErrors = answers.Where(a => !a.IsReal).Select(a => !a.Correct).ToArray();
        var realErrors = answers.Where(a => a.IsReal).Select(a => !a.Correct).ToArray();
        if (fakeErrors.Length == 0 || realErrors.Length == 0)
            throw new InputException($"HYPE needs answers on both real and generated images (have {realErrors.Length} real, {fakeErrors.Length} generated)");
        if (resamples < 1) throw new InputException($"bootstrap resamples must be at least 1 (got {resamples})");

        // Errors per resample, counted in each half: the three shares of one resample come from the same draw.
        var rng = new Random(unchecked((int)seed));
        var fakeShares = new double[resamples];
        var realShares = new double[resamples];
        var allShares = new double[resamples];
        for (int b = 0; b < resamples; b++)
        {
            int f = ResampledCount(fakeErrors, rng), r = ResampledCount(realErrors, rng);
            fakeShares[b] = (double)f / fakeErrors.Length;
            realShares[b] = (double)r / realErrors.Length;
            allShares[b] = (double)(f + r) / (fakeErrors.Length + realErrors.Length);
        }
        int fakeCount = fakeErrors.Count(e => e), realCount = realErrors.Count(e => e);
        return new HypeInfinityScore(
            Percentiles((double)(fakeCount + realCount) / answers.Count, allShares, answers.Count),
            Percentiles((double)fakeCount / fakeErrors.Length, fakeShares, fakeErrors.Length),
            Percentiles((double)realCount / realErrors.Length, realShares, realErrors.Length));
    }

    /// <summary>
    /// HYPE-time of one person's timed <paramref name="answers"/>: the modal exposure (the level the staircase held most
    /// often: where the person's answers sit at the staircase's target accuracy), with a bootstrap over the trials, and the
    /// error rates of those answers.
    /// </summary>
    /// <exception cref="InputException">Answers without exposure times, or of only one kind.</exception>
    public static HypeTimeScore Time(IReadOnlyList<HypeJudgement> answers, int resamples = DefaultResamples, long seed = 1)
    {
        var exposures = answers.Select(a => a.ExposureMs ?? throw new InputException($"answer to image {a.Image} has no exposure time: not a HYPE-time session")).ToArray();
        if (exposures.Length == 0) throw new InputException("HYPE-time needs at least one timed answer");
        var rng = new Random(unchecked((int)seed));
        var modes = new double[resamples];
        var draw = new double[exposures.Length];
        for (int b = 0; b < resamples; b++)
        {
            for (int i = 0; i < draw.Length; i++) draw[i] = exposures[rng.Next(exposures.Length)];
            modes[b] = Mode(draw);
        }
        Array.Sort(modes);
        return new HypeTimeScore(Mode(exposures), Percentile(modes, 0.025), Percentile(modes, 0.975), exposures.Length,
                                 Infinity(answers, resamples, seed).Score);
    }

    /// <summary>The most frequent value of <paramref name="values"/>; when several are, their mean.</summary>
    public static double Mode(IReadOnlyList<double> values)
    {
        var counts = values.GroupBy(v => v).Select(g => (Value: g.Key, Count: g.Count())).ToList();
        int most = counts.Max(c => c.Count);
        return counts.Where(c => c.Count == most).Average(c => c.Value);
    }

    /// <summary>How many of a resample (with replacement, of the same size) of <paramref name="errors"/> are errors.</summary>
    static int ResampledCount(bool[] errors, Random rng)
    {
        int count = 0;
        for (int i = 0; i < errors.Length; i++) if (errors[rng.Next(errors.Length)]) count++;
        return count;
    }

    static BootstrapInterval Percentiles(double value, double[] resampled, int count)
    {
        Array.Sort(resampled);
        return new BootstrapInterval(value, Percentile(resampled, 0.025), Percentile(resampled, 0.975), count);
    }

    /// <summary>The <paramref name="q"/> quantile of sorted <paramref name="sorted"/>, interpolating linearly between ranks.</summary>
    internal static double Percentile(double[] sorted, double q)
    {
        double position = q * (sorted.Length - 1);
        int below = (int)Math.Floor(position);
        int above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }
}

/// <summary>
/// HYPE-time's adaptive staircase (Zhou et al. 2019, after Levitt 1971): each image is shown for the current exposure,
/// then masked. A wrong answer makes the next exposure one level longer (easier); <see cref="CorrectToShorten"/> right
/// answers in a row make it one level shorter (harder). With three in a row the staircase settles where the person is
/// right 79.4% of the time (0.794³ ≈ ½), so the exposure it holds most often is the person's perceptual threshold.
/// A pure function of the answers so far: a page and the scorer replay it to the same exposures.
/// </summary>
public sealed class HypeStaircase
{
    /// <summary>The default exposure levels, 100 to 1,000 ms in steps of 50 ms.</summary>
    public static readonly IReadOnlyList<double> DefaultLevelsMs = Enumerable.Range(0, 19).Select(i => 100.0 + 50 * i).ToArray();

    /// <summary>Exposure levels in milliseconds, shortest first.</summary>
    public IReadOnlyList<double> LevelsMs { get; }
    /// <summary>Index of the first exposure in <see cref="LevelsMs"/>.</summary>
    public int StartLevel { get; }
    /// <summary>Right answers in a row that shorten the exposure by one level.</summary>
    public int CorrectToShorten { get; }

    /// <summary>A staircase over <paramref name="levelsMs"/> (default <see cref="DefaultLevelsMs"/>) from <paramref name="startLevel"/> (default: the middle level).</summary>
    /// <exception cref="InputException">Levels not increasing and positive, a start outside them, or a run length below 1.</exception>
    public HypeStaircase(IReadOnlyList<double>? levelsMs = null, int? startLevel = null, int correctToShorten = 3)
    {
        LevelsMs = levelsMs ?? DefaultLevelsMs;
        if (LevelsMs.Count == 0 || LevelsMs[0] <= 0 || LevelsMs.Zip(LevelsMs.Skip(1)).Any(p => p.Second <= p.First))
            throw new InputException("HYPE-time exposure levels must be positive and increasing");
        StartLevel = startLevel ?? (LevelsMs.Count - 1) / 2;
        if (StartLevel < 0 || StartLevel >= LevelsMs.Count) throw new InputException($"the staircase's start level {StartLevel} is outside its {LevelsMs.Count} levels");
        if (correctToShorten < 1) throw new InputException($"the staircase needs at least 1 right answer to shorten (got {correctToShorten})");
        CorrectToShorten = correctToShorten;
    }

    /// <summary>The exposure of every trial given the right/wrong answers before it: element i is trial i's exposure.</summary>
    public double[] Exposures(IReadOnlyList<bool> correct)
    {
        var exposures = new double[correct.Count + 1];
        int level = StartLevel, run = 0;
        for (int i = 0; i < correct.Count; i++)
        {
            exposures[i] = LevelsMs[level];
            if (!correct[i]) { level = Math.Min(level + 1, LevelsMs.Count - 1); run = 0; }
            else if (++run == CorrectToShorten) { level = Math.Max(level - 1, 0); run = 0; }
        }
        exposures[correct.Count] = LevelsMs[level];
        return exposures;
    }

    /// <summary>The exposure of the next trial after <paramref name="correct"/>.</summary>
    public double Next(IReadOnlyList<bool> correct) => Exposures(correct)[^1];
}
