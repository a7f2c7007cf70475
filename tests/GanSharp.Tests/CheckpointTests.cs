using GanSharp.Models;
using GanSharp.Configuration;
using GanSharp.Training;
using static GanSharp.Tests.TestSupport;
using static TorchSharp.torch;
using Generator = GanSharp.Models.Generator;

namespace GanSharp.Tests;

public class CheckpointTests
{
    [Fact]
    public void A_checkpoint_round_trips_and_its_generator_loads_alone()
    {
        using var images = TinySet();
        using var t = new Trainer(Tiny(), images);
        for (int i = 0; i < 3; i++) t.TrainStep();
        var path = Path.Combine(TempFolder(), "a.ckpt");
        t.ToCheckpoint().Write(path);

        var back = Checkpoint.Read(path);
        Assert.Equal(3, back.Step);
        Assert.Equal(3, back.DataBatches);
        Assert.Equal(t.Config.ToJson(), back.Config.ToJson());

        using var g = Generator.Load(path);
        using var z = randn(6, 3);
        using var expected = t.G.Generate(z);
        using var actual = g.Generate(z);
        Assert.True(Equal(expected, actual));
    }

    [Fact]
    public void A_corrupted_checkpoint_is_refused()
    {
        using var images = TinySet();
        using var t = new Trainer(Tiny(), images);
        var path = Path.Combine(TempFolder(), "b.ckpt");
        t.ToCheckpoint().Write(path);
        var bytes = File.ReadAllBytes(path);
        bytes[^10] ^= 0xff;
        File.WriteAllBytes(path, bytes);
        Assert.Contains("checksum", Assert.Throws<InputException>(() => Checkpoint.Read(path)).Message);
        File.WriteAllBytes(path, bytes[..^100]);
        Assert.Contains("truncated", Assert.Throws<InputException>(() => Checkpoint.Read(path)).Message);
        File.WriteAllText(path, "hello");
        Assert.Contains("not a GanSharp checkpoint", Assert.Throws<InputException>(() => Checkpoint.Read(path)).Message);
    }

    [Theory]
    [InlineData(false, OptimizerKind.Sgd, 2)]
    [InlineData(true, OptimizerKind.Sgd, 1)]
    [InlineData(false, OptimizerKind.Adam, 1)]
    public void A_restored_trainer_continues_exactly(bool simultaneous, OptimizerKind optimizer, int k)
    {
        // More steps than one epoch (40 images / 5 = 8 minibatches), so the data order must be recomputed too.
        using var images = TinySet();
        var config = Tiny(k, simultaneous, optimizer);
        using var straight = new Trainer(config, images);
        var expected = Enumerable.Range(0, 12).Select(_ => Line(straight.TrainStep())).ToArray();

        var path = Path.Combine(TempFolder(), "c.ckpt");
        var actual = new List<string>();
        using (var first = new Trainer(config, images))
        {
            for (int i = 0; i < 5; i++) actual.Add(Line(first.TrainStep()));
            first.ToCheckpoint().Write(path);
            first.TrainStep();  // work after the checkpoint is lost and must not matter
        }
        using var torchNoise = rand(100);  // disturb the global generator: resume must not depend on it
        using var second = new Trainer(config, images);
        second.Restore(Checkpoint.Read(path));
        for (int i = 5; i < 12; i++) actual.Add(Line(second.TrainStep()));

        Assert.Equal(expected, actual);
        Assert.True(Same(Snapshot(straight.G), Snapshot(second.G)));
        Assert.True(Same(Snapshot(straight.Game.Players[1].Module), Snapshot(second.Game.Players[1].Module)));  // D
    }
}
