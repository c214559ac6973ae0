using HyperGan.ML.Engine.Ensembles;
using HyperGan.ML.Engine.Model;
using HyperGan.ML.Engine.Targets;
using HyperGan.ML.Engine.Training;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace HyperGan.ML.Tests;

[Trait(Speed.Trait, Speed.Slow)] // trains networks or runs apps: left out of the fast inner loop (CONTRIBUTING.md)
public class TrainingTests(ITestOutputHelper output)
{
    static HyperGanTrainingOptions SmallMnist => new()
    {
        Architecture = Fixtures.SmallArchitecture,
        Epochs = 4,
        BatchSize = 64,
        NetworksPerStep = 8,
        LearningRate = 1e-3,
        MixerLearningRate = 1e-3,
        Seed = 5,
    };

    [Fact]
    public void Small_hypergan_on_2000_real_digits_beats_92_percent_with_10_nets()
    {
        var (train, test) = Fixtures.MnistSlice(2000, 1000);
        using var data = TrainingSet.ForClassification(train.Pixels, train.Labels, train.Shape, 10);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var model = HyperGanTrainer.Fit(TargetNetworks.MnistCnn(), data, SmallMnist);
        // One sampled network's accuracy depends on the draw: the mean of five draws is the single-network figure.
        double acc1 = Enumerable.Range(100, 5).Average(seed => Fixtures.Accuracy(model, test, 1, seed));
        double acc10 = Fixtures.Accuracy(model, test, 10, 100);
        output.WriteLine($"2,000 train / 1,000 test MNIST digits: 1 net (mean of 5 draws) {acc1:P2}, 10 nets {acc10:P2}, " +
            $"{clock.Elapsed.TotalSeconds:F0} s");
        // Measured here on 2026-12-03 with training seeds 1-8: 10 nets 92.9-95.3 %, one network (mean of 5 draws) 87.0-91.9 %
        // except seed 3 (74.4 %); seed 5 gives 93.0 % and 88.2 %. This run is short (125 steps) and today's default leaves
        // single networks weaker than its ensemble (the quick start: 96.38 % vs 97.80 %; README). Chance is 10 %.
        Assert.True(acc10 >= 0.92, $"10-net accuracy {acc10:P2} < 92%");
        Assert.True(acc1 >= 0.85, $"1-net accuracy (mean of 5 draws) {acc1:P2} < 85%");
    }

    /// <summary>
    /// Trains on the 1-D problem (seed 0) with its labels multiplied by <paramref name="unit"/> (20 points = one step per
    /// epoch) and returns the mean and spread of 200 sampled networks over <see cref="Fixtures.RegressionGrid"/>, back in
    /// the units of y.
    /// </summary>
    static (float[] Mean, float[] Std) CubicBand(int epochs, float unit = 1)
    {
        var (x, y) = Fixtures.CubicRegression(seed: 0);
        using var data = TrainingSet.ForRegression(x, y.Select(v => v * unit).ToArray(), [1]);
        var options = new HyperGanTrainingOptions
        {
            Task = TaskKind.Regression, Architecture = Fixtures.SmallArchitecture, Epochs = epochs, BatchSize = 20, NetworksPerStep = 32,
            LearningRate = 1e-3, MixerLearningRate = 1e-3, Seed = 2,
        };
        using var model = HyperGanTrainer.Fit(TargetNetworks.Regression1D(), data, options);
        using var ensemble = model.Sample(200, 9);
        using var gx = tensor(Fixtures.RegressionGrid).view(-1, 1);
        using var outputs = ensemble.Forward(gx).squeeze(-1).div(unit); // [M, G], in y's units
        return (outputs.mean([0]).data<float>().ToArray(), outputs.std(0).data<float>().ToArray());
    }

    [Fact]
    public void Regression_band_fits_inside_the_data_and_widens_outside()
    {
        var (mean, std) = CubicBand(epochs: 2000); // y = x³ spans about ±64: training standardises it
        var (rmse, stdIn, stdOut, covered) = Fixtures.RegressionBand(Fixtures.RegressionGrid, mean, std);
        output.WriteLine($"RMSE vs x³ on [−4, 4]: {rmse:F2}; mean σ inside {stdIn:F2}, outside |x| ≥ 5: {stdOut:F2}; truth inside ±3σ at " +
            $"{covered:P0} of |x| ≥ 5");
        Assert.True(rmse < 8, $"ensemble mean misses x³ inside the data: RMSE {rmse:F2} (noise σ is 3, range ±64)");
        // Default recipe (SVGD α = 3, prior λ = 2e-2 for regression): measured values are in the test log and
        // docs/diversity.md; the paper's objective spread 2.4–2.9× and missed the truth off the data.
        Assert.True(covered >= 0.9, $"the truth lies inside mean ± 3σ at only {covered:P0} of the points with |x| ≥ 5");
        Assert.True(stdOut > 3 * stdIn, $"σ outside ({stdOut:F2}) should exceed 3 × σ inside ({stdIn:F2})");
    }

    [Fact]
    public void Regression_band_holds_the_truth_whatever_the_label_units()
    {
        // Training standardises regression labels (LabelScaling). Before it did, the raw labels of this problem (±64) gave
        // σ 0.48 inside / 3.2 outside and missed the truth at every |x| ≥ 5, while the same labels divided by 30 held it.
        foreach (var unit in new[] { 1f, 1000f, 1f / 30 })
        {
            var (mean, std) = CubicBand(epochs: 400, unit);
            var (rmse, stdIn, stdOut, covered) = Fixtures.RegressionBand(Fixtures.RegressionGrid, mean, std);
            output.WriteLine($"labels × {unit:G3}: RMSE {rmse:F2}, σ inside {stdIn:F2}, outside {stdOut:F2}, truth inside ±3σ at {covered:P0} " +
                "of |x| ≥ 5 (in y's units)");
            Assert.True(rmse < 8, $"labels × {unit:G3}: RMSE {rmse:F2} inside the data (noise σ 3)");
            Assert.True(covered >= 0.9, $"labels × {unit:G3}: the truth lies inside mean ± 3σ at only {covered:P0} of the points with |x| ≥ 5");
            Assert.True(stdOut > 2 * stdIn, $"labels × {unit:G3}: σ outside ({stdOut:F2}) should exceed 2 × σ inside ({stdIn:F2})");
        }
    }

    [Fact]
    public void Pretraining_brings_code_moments_to_the_prior()
    {
        random.manual_seed(4);
        using var model = new HyperGanModel(TargetNetworks.MnistCnn(), Fixtures.SmallArchitecture);
        var before = CodeMoments.Measure(model, 2000, seed: 1);
        var options = new HyperGanTrainingOptions { Architecture = Fixtures.SmallArchitecture, MixerLearningRate = 1e-3 };
        using var rng = new Generator(8);
        int steps = HyperGanTrainer.PretrainMixer(model, options, rng);
        var after = CodeMoments.Measure(model, 2000, seed: 1);
        output.WriteLine($"before: mean {before.MeanMse:F4} cov {before.CovarianceMse:F4}; after {steps} steps: mean {after.MeanMse:F4} cov " +
            $"{after.CovarianceMse:F4}");
        Assert.True(steps < options.PretrainMaxSteps, "pretraining should reach its target before the step limit");
        Assert.True(after.Total * 3 < options.PretrainTargetLoss * 1.5, $"per-layer distance {after.Total:F4} too far from the prior");
        Assert.True(after.Total < before.Total / 5, "pretraining should cut the distance to the prior at least 5×");
    }

    [Fact]
    public void Adversarial_term_keeps_codes_nearer_the_prior_than_beta_zero()
    {
        var (x, y) = Fixtures.CubicRegression(seed: 1);
        using var data = TrainingSet.ForRegression(x, y.Select(v => v / 30f).ToArray(), [1]);
        CodeMomentDistance Train(double beta)
        {
            var options = new HyperGanTrainingOptions
            {
                // The paper's generators, where the discriminator is the only thing that holds the codes: with the default
                // ones (chunked head, 10 base networks) β = 1 left the codes farther from the prior than β = 0 here
                // (distance 0.106 vs 0.077, 2026-12-02; docs/diversity.md).
                Task = TaskKind.Regression, Architecture = Fixtures.SmallPaperArchitecture, Epochs = 300, BatchSize = 20,
                NetworksPerStep = 32, LearningRate = 1e-3, MixerLearningRate = 1e-3, DiscriminatorLearningRate = 1e-3, Beta = beta, Seed = 3,
            };
            using var model = HyperGanTrainer.Fit(TargetNetworks.Regression1D(), data, options);
            return CodeMoments.Measure(model.Model, 2000, seed: 5);
        }
        var withoutD = Train(0);
        var withD = Train(1);
        output.WriteLine($"distance to prior: β=0 {withoutD.Total:F4} (mean {withoutD.MeanMse:F4}, cov {withoutD.CovarianceMse:F4}); β=1 " +
            $"{withD.Total:F4} (mean {withD.MeanMse:F4}, cov {withD.CovarianceMse:F4})");
        Assert.True(withD.Total < withoutD.Total, "with the discriminator the codes should stay closer to the prior");
    }

    [Fact]
    public void Sampled_networks_differ_in_every_layer()
    {
        var (train, _) = Fixtures.MnistSlice(500, 10);
        using var data = TrainingSet.ForClassification(train.Pixels, train.Labels, train.Shape, 10);
        using var model = HyperGanTrainer.Fit(TargetNetworks.MnistCnn(), data, SmallMnist with { Epochs = 1 });
        using var ensemble = model.Sample(20, 1);
        foreach (var (layer, i) in ensemble.Layers.Select((l, i) => (l, i)))
        {
            using var spread = layer.Weight.flatten(1).std(0).mean();
            using var norms = layer.Weight.flatten(1).norm(1);
            double relStd = norms.std().item<float>() / norms.mean().item<float>();
            output.WriteLine($"layer {i}: mean per-weight std across nets {spread.item<float>():E3}, relative std of L2 norms {relStd:F4}");
            Assert.True(spread.item<float>() > 1e-4, $"layer {i}: sampled weights are (almost) identical");
        }
    }
}
