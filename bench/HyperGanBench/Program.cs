// The performance benchmark of the performance issue, one command:
//   dotnet run -c Release --project bench/HyperGanBench [-- --out DIR] [--only P0,P1,...] [--seed N] [--max-epochs N]
// Writes benchmark.json and benchmark.md (default: docs/benchmark/). Every figure is measured in this one run on
// this machine; compare ratios, not absolute times, with other machines or runs.
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using HyperGan.ML.Engine.Native;
using HyperGan.ML.Experiments.Runs;
using HyperGanBench;
using HyperGanBench.Figures;

var outDir = new Option<DirectoryInfo?>("--out") { Description = "Folder for benchmark.json and benchmark.md (default: docs/benchmark in the repository)." };
var only = new Option<string?>("--only") { Description = "Comma-separated figure ids to run (P0, P1, P2, P3, P4, P5, P6, P7, P8, P9); default all." };
var seed = new Option<int>("--seed") { Description = "Seed of the data split and of training in P2.", DefaultValueFactory = _ => 1 };
var maxEpochs = new Option<int>("--max-epochs") { Description = "P2: most HyperGAN epochs before giving up on reaching the deep ensemble's accuracy.", DefaultValueFactory = _ => 12 };
var root = new RootCommand("HyperGan.ML performance benchmark (P0–P9): scoring throughput and latency vs a per-member loop, ONNX Runtime vs the engine, training time vs a deep ensemble, memory, sampling, model size, ML.NET overhead, training-step profile.")
{
    outDir, only, seed, maxEpochs,
};
root.SetAction(parse =>
{
    TorchBackend.Initialize();
    var repo = RepositoryFolder.Find();
    var selected = parse.GetValue(only)?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.OrdinalIgnoreCase);
    bool Run(string id) => selected is null || selected.Contains(id);
    var machine = MachineInfo.Current();
    Console.WriteLine(machine);
    var report = new BenchmarkReport(machine);
    var clock = Stopwatch.StartNew();
    double sgemm = Ceiling.Measure(report); // always: P1a is a share of it
    if (Run("P1")) ScoringThroughput.Measure(report, sgemm);
    if (Run("P4")) Sampling.Measure(report);
    if (Run("P5")) ModelSize.Measure(report);
    if (Run("P6")) MlNetOverhead.Measure(report, repo);
    if (Run("P7")) ManyMembers.Measure(report);
    if (Run("P9")) OnnxScoring.Measure(report, repo);
    if (Run("P8")) StepTimeProfile.Measure(report, repo);
    if (Run("P3")) FitMemory.Measure(report, images: 3200);
    if (Run("P2")) TimeToAccuracy.Measure(report, repo, parse.GetValue(seed), parse.GetValue(maxEpochs));
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
