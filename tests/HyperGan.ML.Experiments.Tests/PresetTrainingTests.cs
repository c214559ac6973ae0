using HyperGan.ML.Engine.Model;
using HyperGan.ML.Engine.Targets;
using HyperGan.ML.Engine.Training;
using HyperGan.ML.Experiments.Runs;
using Xunit;
using Xunit.Abstractions;

namespace HyperGan.ML.Tests;

/// <summary>Training at the experiments' presets: what the documented results rest on.</summary>
[Trait(Speed.Trait, Speed.Slow)] // trains networks: left out of the fast inner loop (CONTRIBUTING.md)
public class PresetTrainingTests(ITestOutputHelper output)
{
    [Fact]
    public void Chunked_head_on_MNIST_5000_with_the_quick_budget_beats_96_5_percent_with_10_nets()
    {
        // The experiments' quick budget (5,000 digits, 5 epochs, width 128, 8 nets × 32 images). On the smaller problem
        // above the chunked head trails the full head by several points: see docs/performance.md.
        var budget = ClassificationBudget.For(Preset.Quick);
        var problem = new Datasets(TestData.Data(), null).Mnist5000(budget, seed: 1);
        using var data = TrainingSet.ForClassification(problem.Train.Pixels, problem.Train.Labels, problem.Train.Shape, 10);
        // The paper's objective: the chunked head has not been tuned for the diversity recipe (with it: 96.02 %).
        var options = HyperGanTrainingOptions.Paper with
        {
            // The chunked head alone, as first measured: no base networks, the paper's starts (the default adds 10 bases).
            Architecture = HyperGanArchitecture.Paper with { NoiseDim = 32, CodeDim = 32, HiddenUnits = 128, Head = GeneratorHead.Chunked },
            Epochs = 5,
            BatchSize = 32,
            NetworksPerStep = 8,
            LearningRate = 1e-3,
            MixerLearningRate = 2e-3,
            Seed = 1,
        };
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var model = HyperGanTrainer.Fit(TargetNetworks.MnistCnn(), data, options);
        long parameters = model.Model.LayerGeneratorParameters().Sum(p => p.numel());
        double acc10 = Fixtures.Accuracy(model, problem.Test, 10, 100);
        output.WriteLine($"chunked head, MNIST-5000 quick budget: 10 nets {acc10:P2} on 5,000 held-out digits, {clock.Elapsed.TotalSeconds:F0} " +
            $"s, {parameters:N0} generator parameters");
        // Measured here: 97.30 % (the full head: 97.88 %, docs/results.md).
        Assert.True(acc10 >= 0.965, $"10-net accuracy {acc10:P2} < 96.5 %");
        Assert.True(parameters < 400_000, $"{parameters:N0} generator parameters (the full head at width 128: 4.1 M)");
    }
}
