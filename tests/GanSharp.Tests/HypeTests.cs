using GanSharp.Evaluation;
using GanSharp.Training;
using SkiaSharp;
using static TorchSharp.torch;

namespace GanSharp.Tests;

/// <summary>HYPE's scores against hand-computed cases, its staircase step by step, and a session's record.</summary>
public class HypeTests
{
    static HypeJudgement Answer(int i, bool real, bool judgedReal, double? exposure = null) => new(i, real, judgedReal, 500, exposure);

    /// <summary>4 reals (1 called fake) and 6 fakes (3 called real): errors 4 of 10, fakes 3 of 6, reals 1 of 4.</summary>
    [Fact]
    public void InfinityIsTheErrorRateOverAllAnswersAndEachHalf()
    {
        var answers = new List<HypeJudgement>
        {
            Answer(0, true, true), Answer(1, true, true), Answer(2, true, true), Answer(3, true, false),
            Answer(4, false, true), Answer(5, false, true), Answer(6, false, true), Answer(7, false, false),
            Answer(8, false, false), Answer(9, false, false),
        };
        var score = HypeScoring.Infinity(answers, resamples: 2000);
        Assert.Equal(0.4, score.Score.Value, 12);
        Assert.Equal(0.5, score.Fakes.Value, 12);
        Assert.Equal(0.25, score.Reals.Value, 12);
        Assert.Equal((10, 6, 4), (score.Score.Count, score.Fakes.Count, score.Reals.Count));
        foreach (var i in new[] { score.Score, score.Fakes, score.Reals })
            Assert.True(i.Lower <= i.Value && i.Value <= i.Upper && i.Lower < i.Upper, $"{i}");
        Assert.Equal(score, HypeScoring.Infinity(answers, resamples: 2000));        // a pure function of answers and seed
    }

    [Fact]
    public void PerfectAndHopelessJudgesHaveDegenerateIntervals()
    {
        var right = Enumerable.Range(0, 20).Select(i => Answer(i, i % 2 == 0, i % 2 == 0)).ToList();
        var wrong = Enumerable.Range(0, 20).Select(i => Answer(i, i % 2 == 0, i % 2 != 0)).ToList();
        Assert.Equal(new BootstrapInterval(0, 0, 0, 20), HypeScoring.Infinity(right).Score);
        Assert.Equal(new BootstrapInterval(1, 1, 1, 20), HypeScoring.Infinity(wrong).Score);
    }

    /// <summary>
    /// The stratified bootstrap's interval of each half against the binomial's normal approximation, p ± 1.96 √(p(1 − p)/n):
    /// with 1,000 answers a half the two agree to within a few percent of the width.
    /// </summary>
    [Fact]
    public void BootstrapIntervalMatchesTheBinomialApproximation()
    {
        const int n = 1000;
        var answers = new List<HypeJudgement>();
        for (int i = 0; i < n; i++) answers.Add(Answer(i, false, i < 300));          // fakes: 30% called real
        for (int i = 0; i < n; i++) answers.Add(Answer(n + i, true, i >= 100));      // reals: 10% called fake
        var score = HypeScoring.Infinity(answers, resamples: 4000, seed: 7);
        void Check(BootstrapInterval got, double p, int count)
        {
            double half = 1.96 * Math.Sqrt(p * (1 - p) / count);
            Assert.Equal(p, got.Value, 12);
            Assert.InRange(got.Lower, p - half * 1.1, p - half * 0.9);
            Assert.InRange(got.Upper, p + half * 0.9, p + half * 1.1);
        }
        Check(score.Fakes, 0.3, n);
        Check(score.Reals, 0.1, n);
        // The total's variance is the two halves' (stratified): ¼(0.3·0.7 + 0.1·0.9)/1000 per half of the 2,000.
        double totalHalf = 1.96 * Math.Sqrt((0.3 * 0.7 + 0.1 * 0.9) / n) / 2;
        Assert.InRange(score.Score.Upper - score.Score.Lower, 2 * totalHalf * 0.9, 2 * totalHalf * 1.1);
    }

    [Fact]
    public void AScoreNeedsBothKindsOfImages()
    {
        var e = Assert.Throws<InputException>(() => HypeScoring.Infinity([Answer(0, true, true)]));
        Assert.Contains("both real and generated", e.Message);
    }

    /// <summary>Levels 100…500, start at 300, 3 right to shorten: the exposures of T T T F T T T T by hand.</summary>
    [Fact]
    public void StaircaseShortensAfterThreeRightAndLengthensAfterEachWrong()
    {
        var stairs = new HypeStaircase([100, 200, 300, 400, 500]);
        Assert.Equal(2, stairs.StartLevel);
        bool[] answers = [true, true, true, false, true, true, true, true];
        Assert.Equal([300, 300, 300, 200, 300, 300, 300, 200, 200], stairs.Exposures(answers));
        Assert.Equal(200, stairs.Next(answers));
        // Clamped at both ends: a wrong answer at the longest stays there; three right at the shortest stay there.
        Assert.Equal([500, 500, 500], new HypeStaircase([100, 500], startLevel: 1).Exposures([false, false]));
        Assert.Equal([100, 100, 100, 100, 100], new HypeStaircase([100, 500], startLevel: 0).Exposures([true, true, true, true]));
        Assert.Throws<InputException>(() => new HypeStaircase([200, 100]));
        Assert.Throws<InputException>(() => new HypeStaircase([100, 200], startLevel: 2));
    }

    [Fact]
    public void TimeScoreIsTheModalExposure()
    {
        Assert.Equal(250, HypeScoring.Mode([100, 200, 200, 300, 300]));
        Assert.Equal(200, HypeScoring.Mode([100, 200, 200, 300]));
        var answers = new[] { 300.0, 300, 300, 200, 300, 300, 300, 200, 200, 200, 200 }
            .Select((e, i) => Answer(i, i % 2 == 0, true, e)).ToList();        // 6 at 300 ms, 5 at 200 ms
        var score = HypeScoring.Time(answers, resamples: 2000);
        Assert.Equal(300, score.ThresholdMs);
        Assert.Equal(11, score.Trials);
        Assert.InRange(score.LowerMs, 200, 300);
        Assert.Equal(300, score.UpperMs);
        Assert.Throws<InputException>(() => HypeScoring.Time([Answer(0, true, true), Answer(1, false, false)]));
    }

    static HypeDeck Deck(int n, long seed = 3)
    {
        using var real = ones(n, 1, 4, 4);                                   // white squares
        using var fake = zeros(n, 1, 4, 4);                                  // black squares
        return HypeDeck.Create(real, fake, seed);
    }

    [Fact]
    public void DeckMixesEqualHalvesByTheSeedAndEncodesEachImage()
    {
        var deck = Deck(10);
        var kinds = Enumerable.Range(0, deck.Count).Select(deck.IsReal).ToArray();
        Assert.Equal(20, deck.Count);
        Assert.Equal(10, kinds.Count(k => k));
        Assert.Equal(kinds, Enumerable.Range(0, 20).Select(Deck(10).IsReal));              // same seed, same order
        Assert.NotEqual(kinds, Enumerable.Range(0, 20).Select(Deck(10, seed: 4).IsReal));   // another seed, another
        Assert.NotEqual(kinds, Enumerable.Range(0, 20).Select(i => i < 10));                // shuffled
        for (int i = 0; i < deck.Count; i++)
        {
            using var bitmap = SKBitmap.Decode(deck.Png(i));                  // an independent decoder
            Assert.Equal((4, 4), (bitmap.Width, bitmap.Height));
            Assert.Equal(deck.IsReal(i) ? (byte)255 : (byte)0, bitmap.GetPixel(1, 2).Red);
        }
        Assert.Throws<InputException>(() => HypeDeck.Create(ones(2, 1, 4, 4), zeros(3, 1, 4, 4), 1));
    }

    [Fact]
    public void SessionTakesAnswersInTurnAndTimesThemByItsStaircase()
    {
        var deck = Deck(3);
        var session = new HypeSession(deck, HypeMode.Time, new HypeStaircase([100, 200, 300], correctToShorten: 1));
        Assert.Equal(200, session.NextExposureMs);
        Assert.Contains("out of turn", Assert.Throws<InputException>(() => session.Answer(1, true, 100)).Message);
        var first = session.Answer(0, judgedReal: !deck.IsReal(0), 812);      // wrong: longer
        Assert.Equal((200.0, false), (first.ExposureMs!.Value, first.Correct));
        Assert.Equal(300, session.NextExposureMs);
        for (int i = 1; i < deck.Count; i++) session.Answer(i, deck.IsReal(i), 400);   // right from here: shorter each time
        Assert.Equal([200, 300, 200, 100, 100, 100], session.Answers.Select(a => a.ExposureMs!.Value));
        Assert.True(session.Finished);
        Assert.Contains("over", Assert.Throws<InputException>(() => session.Answer(6, true, 1)).Message);
        Assert.Throws<InputException>(() => new HypeSession(Deck(1), HypeMode.Infinity).Answer(0, true, -1));
    }

    [Fact]
    public void RecordsAreSavedAsNewFilesAndReadBack()
    {
        var run = new RunDirectory(TestSupport.TempFolder());
        var deck = Deck(4);
        var session = new HypeSession(deck, HypeMode.Infinity);
        for (int i = 0; i < deck.Count; i++) session.Answer(i, judgedReal: i % 3 == 0, 300 + i);
        var source = new HypeSource(run.Folder, "last.ckpt", 42, "trained", "mnist/test");
        var record = session.Record(source, seed: 5, resamples: 500);
        var expected = HypeScoring.Infinity(session.Answers, 500, 5);
        Assert.Equal(expected, record.Infinity);
        Assert.True(record.Complete);
        var a = record.Save(run);
        var b = record.Save(run);                                              // the same second: a second file, not a replacement
        Assert.NotEqual(a, b);
        var read = HypeRecord.InRun(run);
        Assert.Equal(2, read.Count);
        Assert.Equal(expected, read[0].Record.Infinity);
        Assert.Equal(session.Answers, read[1].Record.Answers);
        Assert.Contains("\"mode\": \"infinity\"", File.ReadAllText(a));
        File.WriteAllText(run.EvalPath("hype-infinity-broken", "json"), "{");
        Assert.Contains("hype-infinity-broken.json", Assert.Throws<InputException>(() => HypeRecord.InRun(run)).Message);
    }
}
