using GanSharp.Data;
using GanSharp.Imaging;
using GanSharp.Training;                              // Generator.Load
using static TorchSharp.torch;
using Generator = GanSharp.Models.Generator;  // TorchSharp.torch.Generator is a random number generator

using var g = Generator.Load("runs/first");          // a run folder (its last checkpoint) or a .ckpt file
Console.WriteLine(g.LoadedFrom);                      // which checkpoint, which iteration, which weights
using Tensor images = g.Sample(64);                  // [64, 1, 28, 28], pixels in [0, 1], no autograd graph
ImageGrid.SavePng(images, "digits.png");              // an 8×8 grid
SampleFiles.WriteNpy("digits.npy", images);           // or WriteIdx, for other tools

using var z = g.Prior.Sample(2, g.NoiseDim);          // your own z, from the run's prior (DCGAN's: N(0, 1)^100)
using Tensor pair = g.Generate(z);                    // [2, 1, 28, 28]
Console.WriteLine($"digits.png, digits.npy; a pair of {string.Join("×", pair.shape)}");
