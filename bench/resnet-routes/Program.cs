// bench/resnet-routes: the ImageNet ResNet-18's features by GanSharp's route (its ONNX graph on TorchSharp,
// Evaluation/ResNet18Features) and by ONNX Runtime 1.32.0, on the same random images: the largest difference and each
// route's speed, side by side in one process. With --record FILE, also writes ONNX Runtime's features of the test
// fixture's images (four 3×32×32 images of seed 7): the recorded reference tests/…/ResNet18FeaturesTests compares with.
// Usage: dotnet run -c Release --project bench/resnet-routes -- [THREADS=2] [IMAGES=64] [CHUNK=16] [--record FILE]
using System.Diagnostics;
using System.Text.Json;
using GanSharp.Evaluation;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

var numbers = args.TakeWhile(a => !a.StartsWith("--")).Select(int.Parse).ToArray();
int threads = numbers.ElementAtOrDefault(0) is > 0 and var t ? t : 2, count = numbers.ElementAtOrDefault(1) is > 0 and var n ? n : 64,
    chunk = numbers.ElementAtOrDefault(2) is > 0 and var c ? c : 16;
set_num_threads(threads);
using var features = new ResNet18Features { Chunk = chunk };
var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1 };
using var session = new InferenceSession(Path.Combine(features.Folder, "ResNet18Onnx/ResNet18.onnx"), options);

float[] Onnx(Tensor images)   // the exported graph takes one image at a time ([1, 3, 224, 224])
{
    using var input = features.Preprocess(images).contiguous();
    var data = input.data<float>().ToArray();
    var all = new List<float>();
    int size = 3 * 224 * 224;
    for (int i = 0; i < images.shape[0]; i++)
    {
        var one = new DenseTensor<float>(data.AsMemory(i * size, size), [1, 3, 224, 224]);
        using var result = session.Run([NamedOnnxValue.CreateFromTensor(session.InputMetadata.Keys.First(), one)]);
        all.AddRange(result.First().AsEnumerable<float>());
    }
    return [.. all];
}

using var rng = new TorchSharp.torch.Generator(3);
using var images = rand([count, 3, 32, 32], generator: rng);
using (features.Features(images.narrow(0, 0, Math.Min(4, count)))) { }   // warm both
Onnx(images.narrow(0, 0, 1));
var clock = Stopwatch.StartNew();
using var ours = features.Features(images);
double torchSharp = clock.Elapsed.TotalSeconds;
clock.Restart();
using var theirs = tensor(Onnx(images), [count, 512]);
double onnx = clock.Elapsed.TotalSeconds;
Console.WriteLine($"{count} images of 3×32×32, {threads} thread(s): TorchSharp route {count / torchSharp:F1} img/s (chunks of {chunk}), " +
                  $"ONNX Runtime {count / onnx:F1} img/s (one image per run, as the graph takes); " +
                  $"largest difference {(ours - theirs).abs().max().item<float>():E2} (largest feature {theirs.abs().max().item<float>():F2})");

if (Array.IndexOf(args, "--record") is >= 0 and var at)
{
    using var fixtureRng = new TorchSharp.torch.Generator(7);
    using var fixture = rand([4, 3, 32, 32], generator: fixtureRng);
    File.WriteAllText(args[at + 1], JsonSerializer.Serialize(new { source = "ONNX Runtime 1.32.0 on rand([4, 3, 32, 32], seed 7), preprocessed by ResNet18Features.Preprocess", features = Onnx(fixture) }) + "\n");
    Console.WriteLine($"recorded → {args[at + 1]}");
}
