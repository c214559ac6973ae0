// The performance benchmark of the performance issue, one command:
//   dotnet run -c Release --project bench/HyperGanBench [-- --out DIR] [--only machine-ceiling,scoring,...] [--seed N] [--max-epochs N]
// Writes benchmark.json and benchmark.md (default: docs/benchmark/). Every figure is measured in this one run on
// this machine; compare ratios, not absolute times, with other machines or runs.
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using HyperGan.ML.Engine.Model;
using HyperGan.ML.Engine.Native;
using HyperGan.ML.Experiments.Runs;
using HyperGanBench;
using HyperGanBench.Figures;

var outDir = new Option<DirectoryInfo?>("--out")
{
    Description = "Folder for benchmark.json and benchmark.md (default: docs/benchmark in the repository).",
};
var only = new Option<string?>("--only")
{
    Description = "Comma-separated figure names to run (e.g. scoring,onnx-scoring; an unknown name is refused with the list); default all."
};
var seed = new Option<int>("--seed") { Description = "Seed of the data split and of training in time-to-accuracy.", DefaultValueFactory = _ => 1 };
var maxEpochs = new Option<int>("--max-epochs")
{
    Description = "time-to-accuracy: most HyperGAN epochs before giving up on reaching the deep ensemble's accuracy.", DefaultValueFactory = _ => 12
};
var head = new Option<GeneratorHead?>("--head")
{
    Description = "time-to-accuracy: HyperGAN's generator head, Full (the paper's) or Chunked; default: the engine's (Chunked), Full with --recipe.",
};
var recipe = new Option<string?>("--recipe")
{
    Description = "time-to-accuracy: HyperGAN's diversity recipe (an experiments recipe name, e.g. paper); default: the engine's defaults.",
};
var root = new RootCommand("HyperGan.ML performance benchmark: scoring throughput and latency vs a per-member loop, ONNX Runtime vs the engine, " +
    "training time vs a deep ensemble, memory, sampling, model size, ML.NET overhead, training-step profile.")
{
    outDir, only, seed, maxEpochs, head, recipe,
};
root.SetAction(parse =>
{
    TorchBackend.Initialize();
    var repo = RepositoryFolder.Find();
    var machine = MachineInfo.Current();
    var report = new BenchmarkReport(machine);
    double sgemm = 0;
    // Every figure --only can name, in run order (the slow training figures last). machine-ceiling always runs first:
    // scoring-throughput is a share of its sgemm.
    (string Name, Action Measure)[] figures =
    [
        ("machine-ceiling", () => { }),
        ("conv-gradient", () => ConvolutionGradient.Measure(report)),
        ("scoring", () => ScoringThroughput.Measure(report, sgemm)),
        ("sampling", () => Sampling.Measure(report)),
        ("model-size", () => ModelSize.Measure(report, repo)),
        ("mlnet-overhead", () => MlNetOverhead.Measure(report, repo)),
        ("many-networks", () => ManyMembers.Measure(report)),
        ("onnx-scoring", () => OnnxScoring.Measure(report, repo)),
        ("step-profile", () => StepTimeProfile.Measure(report, repo)),
        ("fit-memory", () => FitMemory.Measure(report, images: 3200)),
        ("time-to-accuracy", () => TimeToAccuracy.Measure(report, repo, parse.GetValue(seed), parse.GetValue(maxEpochs), parse.GetValue(head),
            parse.GetValue(recipe) is { } name ? DiversityRecipe.Named(name) : null)),
    ];
    var selected = parse.GetValue(only)?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
        .ToHashSet(StringComparer.OrdinalIgnoreCase);
    if (selected?.FirstOrDefault(n => !figures.Any(f => f.Name.Equals(n, StringComparison.OrdinalIgnoreCase))) is { } unknown)
        throw new ArgumentException($"--only: unknown figure '{unknown}'; choose from {string.Join(", ", figures.Select(f => f.Name))} (the ids " +
            $"P0–P9 of earlier runs: see docs/performance.md).");
    Console.WriteLine(machine);
    var clock = Stopwatch.StartNew();
    sgemm = Ceiling.Measure(report);
    foreach (var figure in figures)
        if (selected is null || selected.Contains(figure.Name)) figure.Measure();
    var folder = parse.GetValue(outDir)?.FullName ?? Path.Combine(repo, "docs", "benchmark");
    report.Write(folder, clock.Elapsed);
    Console.WriteLine($"wrote {folder}/benchmark.json and benchmark.md in {clock.Elapsed.TotalSeconds:F0} s");
});

// Hidden sub-command: work measured in a fresh process (peak memory must not include this process's history).
var child = new Command("child") { Hidden = true };
var childArgs = new Argument<string[]>("args") { Arity = ArgumentArity.OneOrMore };
child.Arguments.Add(childArgs);
child.SetAction(parse =>
{
    TorchBackend.Initialize();
    var a = parse.GetValue(childArgs)!;
    switch (a[0])
    {
        case "fit-memory": FitMemory.Child(RepositoryFolder.Find(), int.Parse(a[1], CultureInfo.InvariantCulture)); break;
        case "many-members": ManyMembers.Child(int.Parse(a[1], CultureInfo.InvariantCulture)); break;
        default: throw new ArgumentException($"Unknown child task '{a[0]}'.");
    }
});
root.Subcommands.Add(child);
return root.Parse(args).Invoke();
