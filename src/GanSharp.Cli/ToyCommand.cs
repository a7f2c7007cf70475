using System.CommandLine;
using GanSharp.Configuration;
using GanSharp.Data;
using GanSharp.Evaluation;
using GanSharp.Experiments;
using GanSharp.Theory;

namespace GanSharp.Cli;

/// <summary><c>gan toy 1d|ring|grid</c>: the theory lab — Figure 1 and saturation in 1-D, mode collapse in 2-D.</summary>
static class ToyCommand
{
    /// <summary>The loss as the command line spells it ("non-saturating").</summary>
    static string LossName(ToyOptions o) => Kinds.NameOf(o.Loss);

    public static Command Create()
    {
        var gLoss = CommonOptions.Kind<LossConfig>("--g-loss", "The adversarial loss (default non-saturating)");
        var k = Cli.Option<int?>("--k", "Discriminator updates per generator update (default: 3 for 1d, 1 for ring and grid)");
        var steps = Cli.Option<int?>("--steps", "Training iterations (default: 12,000 for 1d, 10,000 for ring and grid)");
        var noise = CommonOptions.Enum<NoiseKind>("--noise", "Prior of z (default uniform on [−√3, √3])");
        var data = new Option<string>("--data")
        {
            Description = "p_data: N(mean, std), or a mixture such as 0.3*N(0, 0.5) + 0.7*N(3, 0.5)", DefaultValueFactory = _ => "N(2, 0.5)",
        };
        // Checked while parsing, so that a bad spec stops the command before it creates the output folder.
        data.Validators.Add(result =>
        {
            try { Distribution1D.Parse(result.GetValueOrDefault<string>()); }
            catch (FormatException e) { result.AddError($"--data: {e.Message}"); }
        });
        var lr = new Option<double>("--lr") { Description = "Adam's initial learning rate (falls tenfold over the run)", DefaultValueFactory = _ => 1e-3 };
        var output = CommonOptions.Out("The folder to create for the figures (PNG) and their numbers (JSON)");
        var threads = new Option<int>("--threads") { Description = "CPU threads", DefaultValueFactory = _ => 1 };

        Command Make(string name, string description, Func<ToyOptions, string, ParseResult, string> run, params Option[] extra)
        {
            var command = new Command(name, description) { Options = { gLoss, k, steps, CommonOptions.Seed, noise, lr, threads, output } };
            foreach (var option in extra) command.Options.Add(option);
            command.SetAction(p =>
            {
                if (p.GetValue(k) is < 1) throw new InputException($"--k must be at least 1 (got {p.GetValue(k)})");
                if (p.GetValue(steps) is < 20) throw new InputException($"--steps must be at least 20 (got {p.GetValue(steps)})");
                if (!(p.GetValue(lr) is > 0 and < 1)) throw new InputException($"--lr must be in (0, 1) (got {p.GetValue(lr)})");
                if (p.GetValue(threads) < 1) throw new InputException("--threads must be positive");
                var folder = CommonOptions.RequiredOut(p, output, "the folder for the PNGs and JSON (created)");
                if (File.Exists(folder)) throw new InputException($"{folder} is a file: --out names a folder");
                if (Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any())
                    throw new InputException($"{folder} exists and is not empty: choose another --out (the toy lab writes a new folder)");
                var options = new ToyOptions
                {
                    Loss = p.GetValue(gLoss) ?? new NonSaturatingLossConfig(),
                    K = p.GetValue(k) ?? (name == "1d" ? 3 : 1), Seed = p.GetValue(CommonOptions.Seed), Steps = p.GetValue(steps) ?? (name == "1d" ? 12_000 : 10_000),
                    Noise = p.GetValue(noise) ?? NoiseKind.Uniform, LearningRate = p.GetValue(lr),
                };
                // Figure 1 draws D as a probability beside D* = p_data / (p_data + p_g): only the paper's losses make D one.
                if (name == "1d" && !Losses.LossFactory.Create(options.Loss).OutputsAreLogits)
                    throw new InputException($"toy 1d draws D as a probability beside D*: --g-loss takes minimax or non-saturating here, not {LossName(options)}");
                Cli.LoadTorch();
                TorchSharp.torch.set_num_threads(p.GetValue(threads));
                var clock = System.Diagnostics.Stopwatch.StartNew();
                Directory.CreateDirectory(folder);
                var summary = run(options, folder, p);
                Console.WriteLine($"{summary} ({clock.Elapsed.TotalSeconds:F0} s) → {folder}");
                return Cli.Success;
            });
            return command;
        }

        var oneD = Make("1d", "The paper's Figure 1: p_data, p_g, D and D* in one dimension, and the saturation of log(1 − D(G(z)))", (o, folder, p) =>
        {
            var density = Distribution1D.Parse(p.GetValue(data)!);
            var (snapshots, saturation) = ToyExperiments.Figure1(o, density);
            TheoryPlots.Figure1(Path.Combine(folder, "figure1.png"), snapshots);
            TheoryPlots.Saturation(Path.Combine(folder, "saturation.png"), saturation);
            EvaluationFiles.Write(Path.Combine(folder, "figure1.json"), new
            {
                experiment = "1d", data = density.ToString(), options = o, optimal_value = OptimalDiscriminator.OptimalValue,
                snapshots = snapshots.Select(s => new
                {
                    s.Label, s.Step, s.Description, distance_to_optimal_d = s.DistanceToOptimalD, mean_d = s.MeanD, value_estimate = s.ValueEstimate,
                    c_of_g = s.CriterionFromJsd, c_of_g_direct = s.CriterionDirect, jsd = s.JensenShannon, generator_mass_outside_grid = s.GeneratorMassOutsideGrid,
                    // The curves drawn, for replotting: the grid, both densities, D and D*_G (null where undefined), and the z → x arrows.
                    x = s.X, p_data = s.DataDensity, p_g = s.GeneratorDensity, d = s.D,
                    d_star = s.OptimalD.Select(v => double.IsFinite(v) ? v : (double?)null), mapping = s.Mapping.Select(m => new { z = m.Z, x = m.X }),
                }),
                saturation,
            });
            var end = snapshots[^1];
            foreach (var s in snapshots)
                Console.WriteLine($"  {s.Label} step {s.Step,6:N0}: E|D − D*| {s.DistanceToOptimalD:F3}, E D {s.MeanD:F3}, V {s.ValueEstimate:F3}, " +
                                  $"C(G) = −log 4 + 2·JSD = {s.CriterionFromJsd:F3} (JSD {s.JensenShannon:F4}) — {s.Description}");
            return $"1-D {LossName(o)}, k = {o.K}, seed {o.Seed}: at the end E D = {end.MeanD:F3} (½ at the optimum), V = {end.ValueEstimate:F3} (−log 4 = {OptimalDiscriminator.OptimalValue:F3})";
        }, data);

        Func<ToyOptions, string, ParseResult, string> TwoD(GaussianMixture2D mixture) => (o, folder, _) =>
        {
            var snapshots = ToyExperiments.ModeCollapse(mixture, o);
            TheoryPlots.Samples2D(Path.Combine(folder, $"{mixture.Name}.png"), snapshots, mixture);
            EvaluationFiles.Write(Path.Combine(folder, $"{mixture.Name}.json"), new
            {
                experiment = mixture.Name, modes = mixture.Modes.Length, std = mixture.Std, options = o,
                snapshots = snapshots.Select(s => new { s.Step, s.Coverage }),
            });
            var c = snapshots[^1].Coverage;
            return $"{mixture.Name} {LossName(o)}, k = {o.K}, seed {o.Seed}: {c.ModesCovered}/{c.Modes} modes covered, " +
                   $"{c.HighQualityShare:P1} high-quality samples, KL to uniform {c.KlToUniform:F3}";
        };
        var ring = Make("ring", "Mode collapse on a ring of 8 Gaussians (radius 2, σ = 0.02)", TwoD(GaussianMixture2D.Ring()));
        var grid = Make("grid", "Mode collapse on a 5×5 grid of Gaussians (σ = 0.05)", TwoD(GaussianMixture2D.Grid()));
        return new Command("toy", "The theory lab: 1-D Figure 1 and saturation, 2-D mode-collapse benchmarks") { Subcommands = { oneD, ring, grid } };
    }
}
