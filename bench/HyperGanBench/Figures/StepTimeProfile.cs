using HyperGan.ML.Engine.Data;
using HyperGan.ML.Engine.Model;
using HyperGan.ML.Engine.Targets;
using HyperGan.ML.Engine.Training;
using HyperGan.ML.Experiments.Runs;

namespace HyperGanBench.Figures;

/// <summary>
/// step-profile: where a training step's time goes (HyperGanTrainer.Fit's own phases, <see cref="StepProfile"/>), with the
/// paper's sizes (noise 256, code 128, width 512, 32 networks × 32 images per step) for the MNIST and CIFAR targets,
/// each generator head; and the generator's parameter count. Real vendored images (MNIST test set, CIFAR slice).
/// </summary>
public static class StepTimeProfile
{
    const int Steps = 16, WarmUpSteps = 3, Batch = 32;

    /// <summary>Adds step-profile-mnist (MNIST) and step-profile-cifar (CIFAR).</summary>
    public static void Measure(BenchmarkReport report, string repo)
    {
        var datasets = new Datasets(Path.Combine(repo, "data"), null);
        var mnist = datasets.MnistTestSet().Subset(Enumerable.Range(0, Steps * Batch).ToArray());
        var cifar = datasets.CifarSlice(seed: 1).Train;
        Profile(report, "step-profile-mnist", "MNIST", TargetNetworks.MnistCnn(), mnist, generatorLimit: 2e6);
        var mixed = Enumerable.Range(0, cifar.Count).ToArray(); // the slice is stored class by class
        new Random(1).Shuffle(mixed);
        Profile(report, "step-profile-cifar", "CIFAR", TargetNetworks.CifarCnn(), cifar.Subset(mixed[..(Steps * Batch)]), generatorLimit: 4e6);
    }

    // generatorLimit: issue 13's bound on the default generator's parameters (all layer generators, base networks included).
    static void Profile(BenchmarkReport report, string id, string name, TargetNetwork target, LabeledImages images, double generatorLimit)
    {
        long defaultGeneratorParameters = 0;
        using var data = TrainingSet.ForClassification(images.Pixels, images.Labels, images.Shape, target.OutputSize);
        var warmUp = images.Subset(Enumerable.Range(0, WarmUpSteps * Batch).ToArray());
        using var warmUpData = TrainingSet.ForClassification(warmUp.Pixels, warmUp.Labels, warmUp.Shape, target.OutputSize);
        var values = new Dictionary<string, object>();
        var summary = new List<string>();
        foreach (var head in Enum.GetValues<GeneratorHead>())
        {
            var options = new HyperGanTrainingOptions
            {
                // Full: the paper's generators; Chunked: the default ones (with base networks).
                Architecture = head == GeneratorHead.Full ? HyperGanArchitecture.Paper : new HyperGanArchitecture { Head = head },
                Epochs = 1, BatchSize = Batch, NetworksPerStep = 32, PretrainMixer = false, Seed = 1,
            };
            using (HyperGanTrainer.Fit(target, warmUpData, options)) { } // allocator pools, JIT
            var profile = new StepProfile();
            using var trained = HyperGanTrainer.Fit(target, data, options, profile: profile);
            long generatorParameters = trained.Model.LayerGeneratorParameters().Sum(p => p.numel());
            long allParameters = trained.Model.parameters().Sum(p => p.numel());
            if (head == new HyperGanArchitecture().Head) defaultGeneratorParameters = generatorParameters;
            double perStep = profile.Total.TotalMilliseconds / profile.Steps;
            var phases = profile.Phases.Select(p => (p.Phase, Ms: p.Total.TotalMilliseconds / profile.Steps)).ToList();
            values[head.ToString()] = new
            {
                msPerStep = perStep, steps = profile.Steps, generatorParameters, allParameters,
                phases = phases.ToDictionary(p => p.Phase, p => p.Ms),
            };
            summary.Add($"{head} head: {perStep:F0} ms/step, G {generatorParameters / 1e6:F2} M parameters (all {allParameters / 1e6:F2} M) — " +
                        string.Join(", ", phases.Where(p => p.Ms >= 0.5).Select(p => $"{p.Phase} {p.Ms:F0}")));
            Console.WriteLine($"{id} {name}: {summary[^1]}");
        }
        report.Add(new Figure(id, $"training step profile, {name} target ({target.ParameterCount:N0} parameters), paper sizes, 32 nets × " +
            $"{Batch} images, mean of {Steps} steps after {WarmUpSteps} warm-up; ms per phase",
            string.Join("; ", summary), $"default generator ≤ {generatorLimit / 1e6:F0} M parameters (issue 13)",
            defaultGeneratorParameters <= generatorLimit, values));
    }
}
