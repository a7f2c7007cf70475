using System.Text;
using System.Text.Json;
using GanSharp.Configuration;
using GanSharp.Export;
using GanSharp.Training;
using static GanSharp.Tests.TestSupport;
using static TorchSharp.torch;
using Generator = GanSharp.Models.Generator;

namespace GanSharp.Tests;

/// <summary>
/// <c>gan export</c>: the safetensors layout, read back by hand, and a run's generator with its description. The round
/// trip into PyTorch is <c>bench/export-check</c>, which CI runs with Debian's python3-torch.
/// </summary>
public class ExportTests
{
    [Fact]
    public void Safetensors_files_have_the_formats_layout_read_back_by_hand()
    {
        using var a = arange(6, dtype: ScalarType.Float32).reshape(2, 3).mul(0.5);
        using var b = tensor(new long[] { 7, -1 });
        using var e = empty(0, 4);
        var path = Path.Combine(TempFolder(), "t.safetensors");
        SafeTensors.Write(path, [("b", b), ("a.weight", a), ("empty", e)], new Dictionary<string, string> { ["format"] = "pt" });
        var bytes = File.ReadAllBytes(path);
        long n = (long)BitConverter.ToUInt64(bytes, 0);
        Assert.Equal(0, n % 8);                                                         // the data starts aligned
        var header = JsonDocument.Parse(Encoding.UTF8.GetString(bytes, 8, (int)n)).RootElement;
        Assert.Equal(["__metadata__", "a.weight", "b", "empty"], header.EnumerateObject().Select(p => p.Name));
        Assert.Equal("pt", header.GetProperty("__metadata__").GetProperty("format").GetString());
        void Expect(string name, string dtype, long[] shape, long begin, long end)
        {
            var t = header.GetProperty(name);
            Assert.Equal(dtype, t.GetProperty("dtype").GetString());
            Assert.Equal(shape, t.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
            Assert.Equal([begin, end], t.GetProperty("data_offsets").EnumerateArray().Select(d => d.GetInt64()));
        }
        Expect("a.weight", "F32", [2, 3], 0, 24);
        Expect("b", "I64", [2], 24, 40);
        Expect("empty", "F32", [0, 4], 40, 40);
        Assert.Equal(8 + n + 40, bytes.Length);
        int data = 8 + (int)n;
        Assert.Equal([0f, 0.5f, 1f, 1.5f, 2f, 2.5f], Enumerable.Range(0, 6).Select(i => BitConverter.ToSingle(bytes, data + 4 * i)));
        Assert.Equal([7L, -1L], Enumerable.Range(0, 2).Select(i => BitConverter.ToInt64(bytes, data + 24 + 8 * i)));
        Assert.Throws<ArgumentException>(() => SafeTensors.Write(path, [("a", a), ("a", b)]));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_runs_generator_is_exported_with_every_tensor_by_name_and_its_description(bool ema)
    {
        var folder = Path.Combine(TempFolder(), "run");
        using var images = TinySet();
        var config = Tiny() with { Ema = ema ? new EmaConfig { Beta = 0.5 } : null };
        using (var run = TrainingRun.Start(config, folder, images)) run.Run();
        var checkpoint = TrainedPlayers.ReadCheckpoint(folder);
        var path = Path.Combine(TempFolder(), "g.safetensors");
        var written = GeneratorExport.Write(checkpoint, path);
        Assert.Equal(ema, written.MovingAverage);

        using var g = Generator.FromCheckpoint(checkpoint);                             // what gan sample draws with
        var state = g.state_dict();
        var bytes = File.ReadAllBytes(path);
        long n = (long)BitConverter.ToUInt64(bytes, 0);
        var header = JsonDocument.Parse(Encoding.UTF8.GetString(bytes, 8, (int)n)).RootElement;
        Assert.Equal(state.Keys.Order(StringComparer.Ordinal), header.EnumerateObject().Select(p => p.Name).Where(k => k != "__metadata__"));
        foreach (var (name, value) in state)
        {
            var offsets = header.GetProperty(name).GetProperty("data_offsets").EnumerateArray().Select(d => (int)d.GetInt64()).ToArray();
            var floats = new float[(offsets[1] - offsets[0]) / 4];
            Buffer.BlockCopy(bytes, 8 + (int)n + offsets[0], floats, 0, offsets[1] - offsets[0]);
            Assert.Equal(value.data<float>().ToArray(), floats);                        // bit for bit
        }

        var description = JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(path, ".json"))).RootElement;
        Assert.Equal("paper", description.GetProperty("architecture").GetString());
        Assert.Equal("g.safetensors", description.GetProperty("weights").GetString());
        Assert.Contains(ema ? "moving average" : "trained weights", description.GetProperty("weights-are").GetString());
        var noise = description.GetProperty("noise");
        Assert.Equal(("uniform", 3), (noise.GetProperty("distribution").GetString(), noise.GetProperty("dim").GetInt32()));
        Assert.Equal(Math.Sqrt(3), noise.GetProperty("high").GetDouble(), 12);
        Assert.Equal([1, 4, 4], description.GetProperty("output").GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()));
        string Json(ModelConfig? m) => JsonSerializer.Serialize(m, GanConfig.Json);
        Assert.Equal(Json(checkpoint.Config.Model), Json(JsonSerializer.Deserialize<ModelConfig>(description.GetProperty("model").GetRawText(), GanConfig.Json)));
        Assert.Contains("the weights are written as safetensors (NAME.safetensors) or PyTorch's state dict (NAME.pt)",
                        Assert.Throws<InputException>(() => GeneratorExport.Write(checkpoint, Path.Combine(TempFolder(), "g.json"))).Message);
    }
}
