// The paper's experiments, one command each, side by side with baselines trained here on the same data:
//   dotnet run -c Release --project experiments/HyperGanExperiments -- <experiment> [--quick | --full | --tiny] [--seed N] [--out DIR]
// Each run writes result.json, result.md and PNG figures to results/<experiment>-<preset>/ (or --out).
using System.CommandLine;
using HyperGan.ML.Engine.Model;
using HyperGan.ML.Engine.Native;
using HyperGan.ML.Experiments.Runs;

var quick = new Option<bool>("--quick") { Description = "≤ 10 minutes on 2 CPU cores: reduced budget, labelled as such (the default)." };
var full = new Option<bool>("--full")
{
    Description = "The paper's protocol as far as this machine allows: 10–30 minutes per MNIST-5000 experiment on 2 cores, hours for CIFAR and " +
        "Fashion-MNIST."
};
var tiny = new Option<bool>("--tiny") { Description = "Seconds: checks the pipeline end to end; numbers are meaningless." };
var seed = new Option<int>("--seed") { Description = "Seed of data splits, training and sampling.", DefaultValueFactory = _ => 1 };
var outDir = new Option<DirectoryInfo?>("--out") { Description = "Results folder (default: results/<experiment>-<preset> in the repository)." };
var fashion = new Option<bool>("--fashion")
{
    Description = "table4/ood/adversarial: also run Fashion-MNIST (60k/10k with --full; 10k/5k otherwise), read from --shared-data.",
};
var cifar = new Option<bool>("--cifar")
{
    Description = "table4: also CIFAR-10 and CIFAR-5; ood: also CIFAR-5 → CIFAR classes 5–9 (JPEGs from --shared-data; --tiny uses the vendored " +
        "2-class slice, no outliers)."
};
var problems = new Option<string[]>("--problems")
{
    Description = "table4/ood/adversarial: exactly these data sets instead of MNIST-5000 plus --fashion/--cifar, e.g. --problems cifar-5 "
        + "(one of mnist-5000, fashion-mnist, cifar-10, cifar-5; comma- or space-separated).",
    AllowMultipleArgumentsPerToken = true,
};
var head = new Option<GeneratorHead?>("--head")
{
    Description = "HyperGAN's generator head: Full (the paper's) or Chunked (see docs/performance.md). Default: the engine's (Chunked) " +
        "without --recipe; Full with one, the head the recipes were measured with.",
};
var chunkSize = new Option<int?>("--chunk-size")
{
    Description = "With --head Chunked: values per chunk (default: the engine's HyperGanArchitecture.ChunkSize).",
};
var recipe = new Option<string?>("--recipe")
{
    Description = "HyperGAN's diversity recipe for table4/ood/adversarial/regression/calibration (default: the engine's defaults): "
        + string.Join(", ", DiversityRecipe.Sweep.Select(r => r.Name)) + "; diversity-study: a comma-separated subset to sweep.",
};
var networksPerStep = new Option<int?>("--networks-per-step")
{
    Description = "table4/ood: HyperGAN's sampled networks per training step instead of the preset's.",
};
var hyperGanBatch = new Option<int?>("--hypergan-batch")
{
    Description = "table4/ood: HyperGAN's images per training step instead of the preset's.",
};
var seeds = new Option<int>("--final-seeds")
{
    Description = "diversity-study: training seeds of the final comparison on test data; decisions: training seeds.", DefaultValueFactory = _ => 3
};
var onValidation = new Option<bool>("--on-validation")
{
    Description = "decisions: split validation images (training images not trained on; quick/tiny only) instead of the whole test set, for " +
        "choosing a calibration method without the test split; table4/ood: evaluate on validation images (and validation outliers) instead of " +
        "test images, for choosing a recipe (with --full they train on the rest of the training file: Fashion-MNIST 50,000 images, CIFAR " +
        "4,500 (CIFAR-10) or 4,000 (CIFAR-5) per class).",
};
var shared = new Option<DirectoryInfo?>("--shared-data")
{
    Description = "Folder with fashion-mnist/ (default: ../shared/data next to the repository).",
};

var root = new RootCommand("HyperGAN experiments (Ratzlaff & Fuxin) with baselines: single network, deep ensembles, MC dropout.");
foreach (var (id, description) in new[]
{
    ("table4", "Accuracy, NLL, ECE, Brier of 1/5/10/100 sampled nets vs baselines (MNIST-5000; --fashion adds Fashion-MNIST, --cifar CIFAR-10 " +
        "and CIFAR-5)."),
    ("ood", "Entropy-based OOD detection (AUROC, AUPR, FPR@95) and Fig. 3 ECDFs: MNIST-5000 → notMNIST; --fashion adds Fashion-MNIST → MNIST, " +
        "--cifar CIFAR-5 → classes 5–9."),
    ("adversarial", "FGSM/PGD detection rate vs ε, crafted on 1 or N sampled nets and judged by a fresh ensemble; deep ensembles; Fig. 4/5 " +
        "plots. MNIST-5000; --fashion adds Fashion-MNIST."),
    ("diversity", "Table 3: per-layer weight-norm mean and std, 100 sampled nets vs independently trained nets."),
    ("filters", "Fig. 6: the same 5×5 filter from 25 sampled networks (also writes the diversity table)."),
    ("regression", "Fig. 2: y = x³ + ε, mean ± 3σ of 10/100/1000 sampled nets over [−6, 6]."),
    ("calibration", "Reliability diagram and ECE on Fashion-MNIST, HyperGAN vs baselines."),
    ("decisions", "Issue 15: calibrated probabilities, conformal prediction sets (90 %, 99 %) and a 5 % OOD flag fitted on held-out digits, " +
        "HyperGAN vs deep ensemble over --final-seeds training seeds × 5 random splits (MNIST-5000 → notMNIST; --fashion adds Fashion-MNIST → " +
        "MNIST, --cifar CIFAR-10)."),
    ("diversity-study", "Issue 14's sweep of diversity recipes on validation data (MNIST-5000 and a 1,000-image slice), the selection, and the " +
        "chosen recipe vs the paper's and the deep ensemble on test data over --final-seeds seeds."),
})
{
    var command = new Command(id, description) { quick, full, tiny, seed, outDir, shared, fashion, cifar, problems, head, chunkSize, recipe,
        seeds, onValidation, networksPerStep, hyperGanBatch };
    command.Validators.Add(result =>
    {
        if (ProblemSelection.Error(id, result.GetValue(problems)) is { } error) result.AddError(error);
        if (result.GetValue(onValidation) && (id is not ("decisions" or "table4" or "ood") || (id == "decisions" && result.GetValue(full))))
            result.AddError("--on-validation applies to table4 and ood, and to decisions with --quick or --tiny.");
        if (result.GetValue(chunkSize) is { } c
            && (c <= 0 || Experiments.Head(id, result.GetValue(head), result.GetValue(recipe)) != GeneratorHead.Chunked))
            result.AddError($"--chunk-size {c}: give a positive number of values per chunk, with the chunked head.");
        if (result.GetValue(networksPerStep) is { } n && (n < 2 || id is not ("table4" or "ood")))
            result.AddError($"--networks-per-step {n}: give at least 2 networks per step (the diversity term compares them), with table4 or ood.");
        if (result.GetValue(hyperGanBatch) is { } b && (b < 1 || id is not ("table4" or "ood")))
            result.AddError($"--hypergan-batch {b}: give at least 1 image per step, with table4 or ood.");
    });
    command.SetAction(parse => Experiments.Run(id, parse.GetValue(full) ? Preset.Full : parse.GetValue(tiny) ? Preset.Tiny : Preset.Quick,
        parse.GetValue(seed), parse.GetValue(outDir)?.FullName, parse.GetValue(shared)?.FullName,
        ProblemSelection.For(id, parse.GetValue(problems), parse.GetValue(fashion), parse.GetValue(cifar)), parse.GetValue(head),
        parse.GetValue(chunkSize), parse.GetValue(recipe), parse.GetValue(seeds), parse.GetValue(onValidation), parse.GetValue(networksPerStep),
        parse.GetValue(hyperGanBatch)));
    root.Subcommands.Add(command);
}
var resultsDir = new Option<DirectoryInfo?>("--results") { Description = "Folder of run folders (default: docs/results)." };
var report = new Command("report", "Writes docs/results.md from the result.md of every run folder under docs/results.") { resultsDir };
report.SetAction(parse => Report.Write(parse.GetValue(resultsDir)?.FullName));
root.Subcommands.Add(report);
return root.Parse(args).Invoke();

static class Report
{
    // Order of the sections in docs/results.md.
    static readonly string[] Order = ["table4", "ood", "decisions", "diversity-study", "calibration", "adversarial", "diversity", "filters",
        "regression"];

    public static int Write(string? folder)
    {
        var repo = RepositoryFolder.Find();
        folder ??= Path.Combine(repo, "docs", "results");
        var runs = Directory.GetDirectories(folder).Where(d => File.Exists(Path.Combine(d, "result.md")))
            .OrderBy(d => Array.IndexOf(Order, Path.GetFileName(d).Split('-')[0]) is var i and >= 0 ? i : 99).ThenBy(d => d).ToList();
        var text = new System.Text.StringBuilder();
        text.AppendLine("# Results on this machine");
        text.AppendLine();
        text.AppendLine(
            "Generated by `dotnet run -c Release --project experiments/HyperGanExperiments -- report` from the runs below; each run folder holds");
        text.AppendLine("`result.json`, `result.md` and its figures, written by `dotnet run -c Release --project " +
            "experiments/HyperGanExperiments -- <experiment> --quick|--full --out docs/results/<experiment>-<preset>`.");
        text.AppendLine(
            "Quick presets use a reduced budget (small generators, few epochs) and say so; numbers from the papers are labelled \"paper reports\".");
        text.AppendLine(
            "HyperGAN's objective: runs whose budget line names the diversity knobs used this project's defaults of that day or the recipe named; " +
                        "runs finished before 2026-11-30 12:00 UTC (no diversity knobs in their budget line) and folders ending in `-paper` " +
                            "trained with the paper's objective, " +
                        "which `--recipe paper` reproduces ([diversity](diversity.md)).");
        text.AppendLine();
        text.AppendLine(
            $"Runs below: {string.Join(", ", runs.Select(Path.GetFileName))}. Twins (same training, data and objective): `table4` on MNIST-5000 " +
                        "gives the accuracy table of `ood` with the same preset, and `diversity` the table that `filters` writes.");
        text.AppendLine();
        text.AppendLine("## Means over seeds");
        text.AppendLine();
        text.AppendLine("Runs whose folder names differ only in a trailing `-sN` (none = seed 1), averaged per method (mean ± sample std).");
        text.AppendLine();
        text.Append(SeedGroups.Markdown(runs));
        foreach (var run in runs)
        {
            var name = Path.GetFileName(run);
            var body = File.ReadAllText(Path.Combine(run, "result.md"));
            // Headings one level down, figure links relative to docs/.
            body = System.Text.RegularExpressions.Regex.Replace(body, "^# ", "## ", System.Text.RegularExpressions.RegexOptions.Multiline);
            body = System.Text.RegularExpressions.Regex.Replace(body, @"\]\(([^)/]+\.png)\)", $"](results/{name}/$1)");
            text.AppendLine(body);
            text.AppendLine();
        }
        File.WriteAllText(Path.Combine(repo, "docs", "results.md"), text.ToString());
        Console.WriteLine($"wrote docs/results.md from {runs.Count} runs");
        return 0;
    }
}

static class Experiments
{
    /// <summary>The generator head a run uses (<see cref="DiversityRecipe.Head"/>); the diversity study always runs recipes.</summary>
    public static GeneratorHead Head(string id, GeneratorHead? asked, string? recipe) =>
        DiversityRecipe.Head(asked, runsRecipes: recipe is not null || id == "diversity-study");

    public static int Run(string id, Preset preset, int seed, string? outDir, string? sharedData, IReadOnlyList<string> problems,
        GeneratorHead? askedHead, int? chunkSize, string? recipe, int finalSeeds, bool onValidation = false, int? networksPerStep = null,
        int? hyperGanBatch = null)
    {
        var head = Head(id, askedHead, recipe);
        var defaultHead = Head(id, null, recipe);
        TorchBackend.Initialize();
        var repo = RepositoryFolder.Find();
        var datasets = new Datasets(Path.Combine(repo, "data"), sharedData ?? Path.GetFullPath(Path.Combine(repo, "..", "shared", "data")));
        var recipes = id == "diversity-study"
            ? (recipe is null ? DiversityRecipe.Sweep
                : recipe.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(DiversityRecipe.Named).ToList())
            : [];
        var single = id != "diversity-study" && recipe is not null ? DiversityRecipe.Named(recipe) : null;
        var folderName = $"{id}-{preset.ToString().ToLowerInvariant()}" +
            (head == defaultHead ? "" : "-" + head.ToString().ToLowerInvariant()) + (chunkSize is { } c ? $"-c{c}" : "") +
            (single is null ? "" : "-" + single.Name) + (networksPerStep is { } n ? $"-n{n}" : "") +
            (hyperGanBatch is { } b ? $"-b{b}" : "") + (onValidation ? "-validation" : "");
        static void Print(string line) => Console.WriteLine($"[{DateTime.Now:HH:mm:ss}] {line}");
        var output = new ExperimentOutput(id, preset, seed, outDir ?? Path.Combine(repo, "results", folderName), Print)
        {
            Head = head,
            ChunkSize = chunkSize,
            Recipe = single,
            NetworksPerStep = networksPerStep,
            HyperGanBatch = hyperGanBatch,
        };
        var budget = output.Budget;
        switch (id)
        {
            case "table4":
            case "ood":
                var images = onValidation ? EvaluationImages.Validation : EvaluationImages.PresetTestSample;
                foreach (var problem in ProblemSelection.Load(problems, preset, seed, datasets, images))
                    Table4Experiment.Run(output, problem, withOod: id == "ood" && problem.Outliers.Count > 0, images);
                break;
            case "adversarial":
                foreach (var problem in ProblemSelection.Load(problems, preset, seed, datasets))
                    AdversarialExperiment.Run(output, problem);
                break;
            case "diversity": DiversityExperiment.Run(output, datasets, filters: false); break;
            case "filters": DiversityExperiment.Run(output, datasets, filters: true); break;
            case "regression": RegressionExperiment.Run(output); break;
            case "diversity-study": DiversityStudy.Run(output, datasets, recipes, finalSeeds); break;
            case "decisions":
                DecisionsExperiment.Run(output, datasets, problems, finalSeeds,
                    evaluation: onValidation ? EvaluationImages.Validation : EvaluationImages.WholeTestSet);
                break;
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
}
