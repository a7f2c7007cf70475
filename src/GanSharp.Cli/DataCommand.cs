using System.CommandLine;
using GanSharp.Data;
using Spectre.Console;

namespace GanSharp.Cli;

/// <summary><c>gan data list</c> and <c>gan data fetch NAME</c>.</summary>
static class DataCommand
{

    public static Command Create()
    {
        var list = new Command("list", "List the catalogued datasets and whether they are cached") { Options = { CommonOptions.DataDir } };
        list.SetAction(parse =>
        {
            var dataDir = parse.GetValue(CommonOptions.DataDir);
            var table = new Table().AddColumns("name", "description", "cached", "folder");
            foreach (var d in DatasetCatalog.All)
                table.AddRow(d.Name, Markup.Escape(d.Description), d.IsCached(dataDir) ? "yes" : "no", Markup.Escape(d.Folder(dataDir)));
            var cldr = Captions.EmojiCaptions.Cldr;
            table.AddRow(cldr.Name, Markup.Escape(cldr.Description), DatasetCatalog.IsCached(cldr, dataDir) ? "yes" : "no",
                         Markup.Escape(DatasetCatalog.Folder(cldr, dataDir)));
            AnsiConsole.Write(table);
            return Cli.Success;
        });

        var name = new Argument<string>("name") { Description = "Dataset to fetch (see 'gan data list')" };
        var fetch = new Command("fetch", "Fetch a dataset into the cache, verifying every file's SHA-256") { Arguments = { name }, Options = { CommonOptions.DataDir } };
        fetch.SetAction(parse =>
        {
            var dataDir = parse.GetValue(CommonOptions.DataDir);
            var cldr = Captions.EmojiCaptions.Cldr;
            if (string.Equals(parse.GetValue(name), cldr.Name, StringComparison.OrdinalIgnoreCase))
            {
                Console.WriteLine($"{cldr.Name}: verified in {WithFetchProgress(progress => DatasetCatalog.Ensure(cldr, dataDir, progress))}");
                return Cli.Success;
            }
            var spec = DatasetCatalog.Find(parse.GetValue(name)!)
                       ?? throw new InputException($"unknown dataset '{parse.GetValue(name)}' (known: {string.Join(", ", DatasetCatalog.All.Select(d => d.Name).Append(cldr.Name))})");
            var folder = WithFetchProgress(progress => spec.Ensure(dataDir, progress));
            Console.WriteLine($"{spec.Name}: verified in {folder}");
            return Cli.Success;
        });

        var output = CommonOptions.Out("The file to write: .png (a grid), .npy (float32 in [0, 1]) or IDX (.idx or no extension)");
        var dataset = new Argument<string>("dataset") { Description = "Dataset name or folder of IDX files" };
        var split = CommonOptions.Enum<Split>("--split", "Which images (default train: for MNIST the paper's train[0:50000])");
        var start = new Option<long>("--start") { Description = "First image of the split", DefaultValueFactory = _ => 0 }.Within(0);
        var count = Cli.Option<long?>("--count", "Images to export (default: the rest of the split)").Positive();
        var size = Cli.Option<int?>("--image-size", "Image files: centre-crop and resize to N×N, as gan train does (default 64)").Within(4, 1024);
        var color = CommonOptions.Enum<Configuration.ColorMode>("--color", "Image files: grey or rgb (default rgb)");
        var captions = new Option<bool>("--captions")
        {
            Description = "An emoji style with its captions, split by emoji as captioned training splits it: write the images, " +
                          "print each one's captions and write them beside the file (FILE.captions.txt, one image a line); " +
                          "embeds captions new to the cache",
        };
        var export = new Command("export", "Write images of a split as a samples file (e.g. real digits to score like generated ones)")
        {
            Arguments = { dataset }, Options = { split, start, count, size, color, captions, output, CommonOptions.DataDir },
        };
        export.SetAction(parse =>
        {
            var name = parse.GetValue(dataset)!;
            var which = parse.GetValue(split) ?? Split.Train;
            var path = CommonOptions.RequiredOut(parse, output, "the file to write: .png (a grid), .npy (float32 in [0, 1]) or IDX (.idx or no extension)");
            Cli.LoadTorch();
            var config = new Configuration.DataConfig { Dataset = name, ImageSize = parse.GetValue(size), Color = parse.GetValue(color) };
            var dataDir = parse.GetValue(CommonOptions.DataDir);
            using var captioned = parse.GetValue(captions)
                ? WithFetchProgress(progress => CaptionedData.Load(new Configuration.CaptionedConfig { Images = config }, dataDir, progress)) : null;
            using var data = captioned is null ? WithFetchProgress(progress => DatasetLoader.Load(config, dataDir, progress)) : null;
            var splits = captioned?.Images ?? data!;
            var images = which switch
            {
                Split.Train => splits.Train,
                Split.Validation => splits.Validation,
                Split.Test => splits.Test ?? throw new InputException($"{name} has no test images"),
                _ => throw new ArgumentOutOfRangeException(nameof(split), which, null),
            };
            long first = parse.GetValue(start), n = parse.GetValue(count) ?? images.Count - first;
            if (first < 0 || n < 1 || first + n > images.Count)
                throw new InputException($"{images.Name} has {images.Count:N0} images: --start {first} --count {n} is outside it");
            var lines = captioned is null ? null
                : (which switch { Split.Train => captioned.Train, Split.Validation => captioned.Validation, _ => captioned.Test })
                  .Texts.Skip((int)first).Take((int)n).Select(t => string.Join(" | ", t)).ToList();
            using var slice = images.Images.narrow(0, first, n);
            Sources.WriteImages(path, SampleFiles.FormatToWrite(path), slice);
            if (lines is not null)
            {
                AtomicFile.WriteText(path + ".captions.txt", string.Concat(lines.Select(line => line + "\n")));
                for (int i = 0; i < lines.Count; i++) Console.WriteLine($"{first + i,6}  {lines[i]}");
            }
            Console.WriteLine($"{n:N0} images of {images.Name} from {first:N0} → {path}{(lines is null ? "" : $" (captions: {path}.captions.txt)")}");
            return Cli.Success;
        });

        return new Command("data", "Datasets: list the catalogue, fetch into the cache, export images") { Subcommands = { list, fetch, export } };
    }

    /// <summary>The parts of a dataset.</summary>
    enum Split { Train, Validation, Test }

    /// <summary>Runs <paramref name="work"/> with a progress display for any files it fetches.</summary>
    public static T WithFetchProgress<T>(Func<IProgress<FetchProgress>, T> work)
    {
        if (!Cli.Interactive) return work(new LineProgress());
        T result = default!;
        AnsiConsole.Progress().AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new DownloadedColumn(), new TransferSpeedColumn())
            .Start(ctx => result = work(new BarProgress(ctx)));
        return result;
    }

    sealed class LineProgress : IProgress<FetchProgress>
    {
        string? current;
        public void Report(FetchProgress p)
        {
            if (p.Item == current) return;
            current = p.Item;
            Console.Error.WriteLine(p.Item.StartsWith("failed") ? $"  {p.Item}" : p.Item.StartsWith("embedding") ? $"{p.Item}…" : $"fetching {p.Item}…");
        }
    }

    sealed class BarProgress(ProgressContext ctx) : IProgress<FetchProgress>
    {
        readonly Dictionary<string, ProgressTask> tasks = [];
        public void Report(FetchProgress p)
        {
            if (!tasks.TryGetValue(p.Item, out var task))
                tasks[p.Item] = task = ctx.AddTask(Markup.Escape(p.Item), maxValue: p.Total ?? 1);
            if (p.Total is { } total) { task.MaxValue = total; task.Value = p.Done; }
            else task.IsIndeterminate = true;
        }
    }
}
