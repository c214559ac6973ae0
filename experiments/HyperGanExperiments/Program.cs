// The paper's experiments, one command each, side by side with baselines trained here on the same data:
//   dotnet run -c Release --project experiments/HyperGanExperiments -- <experiment> [--quick | --full | --tiny] [--seed N] [--out DIR]
// Each run writes result.json, result.md and PNG figures to results/<experiment>-<preset>/ (or --out).
using System.CommandLine;
using HyperGan.ML.Engine.Native;
using HyperGan.ML.Experiments.Runs;

var quick = new Option<bool>("--quick") { Description = "≤ 10 minutes on 2 CPU cores: reduced budget, labelled as such (the default)." };
var full = new Option<bool>("--full") { Description = "The paper's protocol as far as this machine allows (tens of minutes)." };
var tiny = new Option<bool>("--tiny") { Description = "Seconds: checks the pipeline end to end; numbers are meaningless." };
var seed = new Option<int>("--seed") { Description = "Seed of data splits, training and sampling.", DefaultValueFactory = _ => 1 };
var outDir = new Option<DirectoryInfo?>("--out") { Description = "Results folder (default: results/<experiment>-<preset> in the repository)." };
var fashion = new Option<bool>("--fashion") { Description = "table4/ood: also run Fashion-MNIST (60k/10k with --full; 10k/5k otherwise), read from --shared-data." };
var shared = new Option<DirectoryInfo?>("--shared-data") { Description = "Folder with fashion-mnist/ (default: ../shared/data next to the repository)." };

var root = new RootCommand("HyperGAN experiments (Ratzlaff & Fuxin) with baselines: single network, deep ensembles, MC dropout.");
foreach (var (id, description) in new[]
{
    ("table4", "Accuracy, NLL, ECE, Brier of 1/5/10/100 sampled nets vs baselines (MNIST-5000; --fashion adds Fashion-MNIST)."),
    ("ood", "Entropy-based OOD detection (AUROC, AUPR, FPR@95) and Fig. 3 ECDFs: MNIST-5000 → notMNIST; --fashion adds Fashion-MNIST → MNIST."),
    ("adversarial", "FGSM/PGD detection rate vs ε, crafted on 1 or N sampled nets and judged by a fresh ensemble; deep ensembles."),
    ("diversity", "Table 3: per-layer weight-norm mean and std, 100 sampled nets vs independently trained nets."),
    ("filters", "Fig. 6: the same 5×5 filter from 25 sampled networks (also writes the diversity table)."),
    ("regression", "Fig. 2: y = x³ + ε, mean ± 3σ of 10/100/1000 sampled nets over [−6, 6]."),
    ("calibration", "Reliability diagram and ECE on Fashion-MNIST, HyperGAN vs baselines."),
})
{
    var command = new Command(id, description) { quick, full, tiny, seed, outDir, shared, fashion };
    command.SetAction(parse => Experiments.Run(id, parse.GetValue(full) ? Preset.Full : parse.GetValue(tiny) ? Preset.Tiny : Preset.Quick,
        parse.GetValue(seed), parse.GetValue(outDir)?.FullName, parse.GetValue(shared)?.FullName, parse.GetValue(fashion)));
    root.Subcommands.Add(command);
}
return root.Parse(args).Invoke();

static class Experiments
{
    public static int Run(string id, Preset preset, int seed, string? outDir, string? sharedData, bool withFashion)
    {
        TorchBackend.Initialize();
        var repo = RepoRoot();
        var datasets = new Datasets(Path.Combine(repo, "data"), sharedData ?? Path.GetFullPath(Path.Combine(repo, "..", "shared", "data")));
        var output = new ExperimentOutput(id, preset, seed, outDir ?? Path.Combine(repo, "results", $"{id}-{preset.ToString().ToLowerInvariant()}"),
            line => Console.WriteLine($"[{DateTime.Now:HH:mm:ss}] {line}"));
        var budget = ClassificationBudget.For(preset);
        switch (id)
        {
            case "table4":
            case "ood":
                Table4Experiment.Run(output, datasets.Mnist5000(budget, seed), withOod: id == "ood");
                if (withFashion)
                    Table4Experiment.Run(output, preset == Preset.Full ? datasets.FashionMnist(budget, seed, 60000, 10000) : datasets.FashionMnist(budget, seed, 10000, 5000), withOod: id == "ood");
                break;
            case "adversarial": AdversarialExperiment.Run(output, datasets); break;
            case "diversity": DiversityExperiment.Run(output, datasets, filters: false); break;
            case "filters": DiversityExperiment.Run(output, datasets, filters: true); break;
            case "regression": RegressionExperiment.Run(output); break;
            case "calibration":
                CalibrationExperiment.Run(output, preset switch
                {
                    Preset.Tiny => datasets.Mnist5000(budget, seed), // keeps the CI check independent of the shared data
                    Preset.Quick => datasets.FashionMnist(budget, seed, 10000, 5000),
                    _ => datasets.FashionMnist(budget, seed, 60000, 10000),
                });
                break;
        }
        var elapsed = output.Finish();
        Console.WriteLine($"{id} ({preset}) finished in {elapsed.TotalSeconds:F0} s → {output.Folder}");
        return 0;
    }

    static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "HyperGan.ML.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("Run the experiments from inside the HyperGan.ML repository (HyperGan.ML.sln not found).");
    }
}
