using GanSharp.Configuration;
using GanSharp.Experiments;
using GanSharp.Imaging;
using static TorchSharp.torch;

namespace GanSharp.Tests;

public class FigureTests
{
    static Models.Generator SmallGenerator() =>
        Models.Nets.CreateGenerator(new PaperModelConfig { NoiseDim = 4, GeneratorHidden = [16], Height = 5, Width = 5 }, new TorchSharp.torch.Generator(2));

    [Fact]
    public void Figure_2_ends_each_row_with_the_training_image_nearest_to_the_rows_last_sample()
    {
        using var g = SmallGenerator();
        using var rng = new TorchSharp.torch.Generator(3);
        using var train = rand([40, 1, 5, 5], generator: new TorchSharp.torch.Generator(4));
        var (images, ids, distances) = PaperFigures.SamplesWithNearestTrainingImages(g, train, rows: 3, columns: 4, rng);
        using var _ = images;
        Assert.Equal([15L, 1, 5, 5], images.shape);
        using var again = new TorchSharp.torch.Generator(3);
        using var samples = g.Sample(12, again);                      // the same fair draws, in row order
        for (int row = 0; row < 3; row++)
        {
            for (int col = 0; col < 4; col++) Assert.True(TestSupport.Equal(samples[row * 4 + col], images[row * 5 + col]));
            var last = samples[row * 4 + 3];
            var all = Enumerable.Range(0, 40).Select(i => last.sub(train[i]).square().sum().item<float>()).ToArray();
            Assert.Equal(Array.IndexOf(all, all.Min()), ids[row]);
            Assert.Equal(Math.Sqrt(all.Min()), distances[row], 3);
            Assert.True(TestSupport.Equal(train[ids[row]], images[row * 5 + 4]));
        }
    }

    [Fact]
    public void Figure_3_rows_walk_linearly_from_one_z_to_another()
    {
        using var g = SmallGenerator();
        using var images = PaperFigures.Interpolations(g, rows: 2, steps: 5, new TorchSharp.torch.Generator(7));
        Assert.Equal([10L, 1, 5, 5], images.shape);
        using var ends = g.Prior.Sample(4, g.NoiseDim, new TorchSharp.torch.Generator(7));   // z0, z1 of row 0, then of row 1
        for (int row = 0; row < 2; row++)
            for (int s = 0; s < 5; s++)
            {
                double t = s / 4.0;
                using var z = ends[2 * row].mul(1 - t).add(ends[2 * row + 1].mul(t)).unsqueeze(0);
                using var expected = g.Generate(z);
                Assert.True(expected[0].allclose(images[row * 5 + s], rtol: 1e-5, atol: 1e-6));
            }
    }

    [Fact]
    public void A_highlighted_column_is_framed_in_yellow()
    {
        using var images = zeros(4, 1, 3, 3);
        var (rgba, width, height) = ImageGrid.Tile(images, columns: 2, padding: 2, highlightColumn: 1);
        Assert.Equal((12, 12), (width, height));   // 2 cells of 3 + 3 gaps of 2
        byte[] Pixel(int x, int y) => rgba.AsSpan((y * width + x) * 4, 4).ToArray();
        Assert.Equal(new byte[] { 255, 200, 0, 255 }, Pixel(6, 3));   // the gap left of column 1
        Assert.Equal(new byte[] { 255, 255, 255, 255 }, Pixel(1, 3)); // the gap left of column 0: background
        Assert.Equal(new byte[] { 0, 0, 0, 255 }, Pixel(7, 2));       // column 1's image
    }
}
