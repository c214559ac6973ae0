using System.Diagnostics;
using HyperGan.ML.Engine.Data;
using HyperGan.ML.Engine.Ensembles;
using HyperGan.ML.Engine.Model;
using HyperGan.ML.Engine.Targets;
using HyperGan.ML.Engine.Training;
using HyperGan.ML.Evaluation;
using HyperGan.ML.Experiments.Baselines;
using HyperGan.ML.Experiments.Runs;
using static TorchSharp.torch;

namespace HyperGanBench.Figures;

/// <summary>
/// time-to-accuracy: wall time until HyperGAN's 10-network ensemble reaches the test accuracy of a 10-member deep ensemble on
/// MNIST-5000, divided by the time it took to train that deep ensemble. Both use the experiments' quick budget
/// (5 epochs per independent network; HyperGAN's quick generator). HyperGAN's accuracy is measured after every
/// epoch with the clock paused.
/// </summary>
public static class TimeToAccuracy
{
    /// <summary>Issue 13's target: HyperGAN reaches the deep ensemble's accuracy in at most this share of its training time.</summary>
    const double TargetRatio = 0.7;

    /// <summary>Issue 13's target: HyperGAN runs at least the deep ensemble's network-image passes per second.</summary>
    const double TargetThroughputRatio = 1.0;

    /// <summary>Adds time-to-accuracy and training-throughput.</summary>
    /// <param name="head">null = the head <see cref="DiversityRecipe.Head"/> resolves (the engine's default without a recipe).</param>
    public static void Measure(BenchmarkReport report, string repo, int seed, int maxHyperGanEpochs, GeneratorHead? head = null,
        DiversityRecipe? recipe = null)
    {
        var budget = ClassificationBudget.For(Preset.Quick);
        var problem = new Datasets(Path.Combine(repo, "data"), null).Mnist5000(budget, seed);
        var target = TargetNetworks.MnistCnn();
        using var data = TrainingSet.ForClassification(problem.Train.Pixels, problem.Train.Labels, problem.Train.Shape, 10);
        using var test = problem.Test.ToTensor();

        var plain = new TrainingBudget(budget.Epochs);
        var clock = Stopwatch.StartNew();
        var networks = Enumerable.Range(0, budget.DeepEnsembleSize).Select(i => NetworkTraining.Train(target, data, plain, seed * 1000 + i)).ToList();
        double ensembleSeconds = clock.Elapsed.TotalSeconds;
        double ensembleAccuracy = Accuracy(TrainedMethods.Logits(new DeepEnsemble(networks), problem.Test), problem.Test.Labels);
        foreach (var n in networks) n.Dispose();
        Console.WriteLine(
            $"time-to-accuracy: deep ensemble ({budget.DeepEnsembleSize}) trained in {ensembleSeconds:F1} s, accuracy {ensembleAccuracy:P2}");

        var resolvedHead = DiversityRecipe.Head(head, runsRecipes: recipe is not null);
        var options = new HyperGanTrainingOptions
        {
            Architecture = new HyperGanArchitecture
            {
                NoiseDim = budget.HyperGanCodes, CodeDim = budget.HyperGanCodes,
                HiddenUnits = budget.HyperGanHidden, Head = resolvedHead,
            },
            Epochs = maxHyperGanEpochs, BatchSize = budget.HyperGanBatch, NetworksPerStep = budget.NetworksPerStep,
            LearningRate = budget.HyperGanLearningRate, MixerLearningRate = 2 * budget.HyperGanLearningRate, Seed = seed,
        };
        if (recipe is not null) options = recipe.ApplyTo(options);
        var curve = new List<(int Epoch, double Seconds, double Accuracy)>();
        double? reachedSeconds = null;
        var training = Stopwatch.StartNew();
        using (HyperGanTrainer.Fit(target, data, options, epochCompleted: (epoch, model) =>
        {
            training.Stop(); // evaluation is not training time
            double accuracy = Accuracy(TenNetworks(model, test), problem.Test.Labels);
            curve.Add((epoch, training.Elapsed.TotalSeconds, accuracy));
            Console.WriteLine($"time-to-accuracy: HyperGAN epoch {epoch}: {training.Elapsed.TotalSeconds:F1} s, 10-net accuracy {accuracy:P2}");
            if (accuracy >= ensembleAccuracy) reachedSeconds = training.Elapsed.TotalSeconds;
            training.Start();
            return reachedSeconds is null; // stop once reached
        })) { }

        // Work in network-image passes (forward + backward of one target network on one image): both methods run the
        // target at about the same GFLOP/s, so this is what the time ratio can at best be. HyperGAN's passes on labelled
        // images are what its accuracy is bought with; its passes on the diversity term's extra mixed inputs are work too.
        long ensemblePasses = (long)budget.DeepEnsembleSize * budget.Epochs * data.Count;
        long hyperPassesPerEpoch = (long)data.Count * options.NetworksPerStep;
        // Mixed rows are counted per batch (⌈share × rows⌉ each, the last batch partial), so they need the batch sizes.
        long mixedPassesPerEpoch = Enumerable.Range(0, (data.Count + options.BatchSize - 1) / options.BatchSize)
            .Sum(b => options.ExtraInputRows(Math.Min(options.BatchSize, data.Count - b * options.BatchSize))) * options.NetworksPerStep;
        var best = curve.MaxBy(c => c.Accuracy);
        var atEnsembleTime = curve.LastOrDefault(c => c.Seconds <= ensembleSeconds);
        // Throughput over every epoch HyperGAN trained (mixer pretraining included in its seconds), mixed inputs counted as passes;
        // training stops at the epoch that reaches the deep ensemble's accuracy, so these are also the passes to reach it.
        double ensembleRate = ensemblePasses / ensembleSeconds;
        double hyperRate = curve.Count * (hyperPassesPerEpoch + mixedPassesPerEpoch) / curve[^1].Seconds;
        double throughputRatio = hyperRate / ensembleRate;
        var values = new Dictionary<string, object>
        {
            ["throughputRatio"] = throughputRatio,
            ["deepEnsembleSeconds"] = ensembleSeconds, ["deepEnsembleAccuracy"] = ensembleAccuracy,
            ["hyperGanCurve"] = curve.Select(c => new { epoch = c.Epoch, seconds = c.Seconds, accuracy = c.Accuracy }).ToArray(),
            ["deepEnsemblePasses"] = ensemblePasses, ["hyperGanPassesPerEpoch"] = hyperPassesPerEpoch,
            ["hyperGanMixedInputPassesPerEpoch"] = mixedPassesPerEpoch,
        };
        if (reachedSeconds is not null)
        {
            long hyperPasses = curve.Count * hyperPassesPerEpoch, allPasses = curve.Count * (hyperPassesPerEpoch + mixedPassesPerEpoch);
            values["hyperGanPasses"] = hyperPasses;
            values["hyperGanAllPasses"] = allPasses;
            report.Note($"time-to-accuracy in network-image passes (forward + backward of one network on one image): HyperGAN {hyperPasses:N0} " +
                $"on labelled images to reach the deep ensemble's accuracy, {allPasses:N0} with the diversity term's extra mixed inputs; " +
                $"deep ensemble {ensemblePasses:N0}. Pass ratio {(double)hyperPasses / ensemblePasses:F2} (labelled) / " +
                $"{(double)allPasses / ensemblePasses:F2} (all), time ratio {reachedSeconds / ensembleSeconds:F2}. Throughput " +
                $"(all passes per second): deep ensemble {ensembleRate:F0}, HyperGAN {hyperRate:F0} " +
                $"({throughputRatio:F2}×; the rest of HyperGAN's time is the generator, its " +
                "Adam step and, with β > 0, the discriminator).");
        }
        string text;
        if (reachedSeconds is double seconds)
        {
            values["ratio"] = seconds / ensembleSeconds;
            text = $"HyperGAN (10 nets) reached {ensembleAccuracy:P2} after {seconds:F0} s vs deep ensemble (10) {ensembleSeconds:F0} s: ratio " +
                $"{seconds / ensembleSeconds:F2}";
        }
        else
        {
            text = $"not reached: deep ensemble (10) {ensembleAccuracy:P2} in {ensembleSeconds:F0} s; HyperGAN (10 nets) best " +
                $"{best.Accuracy:P2} (epoch {best.Epoch}, {best.Seconds:F0} s) in {curve.Count} epochs";
        }
        text += atEnsembleTime.Epoch > 0 ? $"; at the deep ensemble's training time HyperGAN had {atEnsembleTime.Accuracy:P2} (epoch " +
            $"{atEnsembleTime.Epoch})" : "; HyperGAN's first epoch took longer than the whole deep ensemble";
        report.Add(new Figure("training-throughput",
            $"network-image passes (forward + backward of one network on one image) per second while training, the same runs as " +
            $"time-to-accuracy (HyperGAN: {curve.Count} epochs, labelled and mixed inputs)",
            $"HyperGAN {hyperRate:F0}/s, deep ensemble {ensembleRate:F0}/s: ratio {throughputRatio:F2}",
            $"ratio ≥ {TargetThroughputRatio:F1} (issue 13)", throughputRatio >= TargetThroughputRatio,
            new Dictionary<string, object> { ["hyperGanPassesPerSecond"] = hyperRate, ["deepEnsemblePassesPerSecond"] = ensembleRate }));
        report.Add(new Figure("time-to-accuracy",
            $"time to the test accuracy of a 10-member deep ensemble, MNIST-5000 (seed {seed}; quick budgets: {plain} per network; HyperGAN " +
            $"{budget.NetworksPerStep} nets × {budget.HyperGanBatch} images per step, width {budget.HyperGanHidden}, ≤ {maxHyperGanEpochs} epochs, " +
            $"{resolvedHead} head, {DiversityRecipe.Describe(options)})",
            text, $"ratio ≤ {TargetRatio:F1} (issue 13)", reachedSeconds is double s2 && s2 <= TargetRatio * ensembleSeconds, values));
    }

    static Tensor TenNetworks(HyperGanModel model, Tensor test)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        using var ensemble = model.Sample(10, seed: 12345); // the same ten noise vectors every epoch
        return ensemble.Forward(test).MoveToOuterDisposeScope();
    }

    static double Accuracy(Tensor logits, int[] labels)
    {
        using (logits) return ClassificationMetrics.Accuracy(EnsemblePrediction.FromLogits(logits).Probabilities, labels);
    }
}
