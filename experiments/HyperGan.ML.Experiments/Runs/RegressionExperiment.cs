using HyperGan.ML.Engine.Model;
using HyperGan.ML.Engine.Targets;
using HyperGan.ML.Engine.Training;
using HyperGan.ML.Evaluation;
using static TorchSharp.torch;

namespace HyperGan.ML.Experiments.Runs;

/// <summary>
/// The paper's Fig. 2: 20 points x ~ U(−4, 4), y = x³ + N(0, 3²); a HyperGAN over the 1 → 100 ReLU → 1 network;
/// mean ± 3σ of 10, 100 and 1,000 sampled networks over [−6, 6]. The band should hug the data inside [−4, 4] and widen outside.
/// </summary>
public static class RegressionExperiment
{
    /// <summary>Band statistics for one ensemble size.</summary>
    public sealed record Band(int Networks, double RmseInside, double StdInside, double StdOutside, double TruthCoveredOutside);

    /// <summary>Runs the experiment.</summary>
    public static List<Band> Run(ExperimentOutput output)
    {
        var (x, y) = CubicRegression.Data(output.Seed);
        const float scale = 30f; // train on y / 30 so the MSE starts near 1
        output.Data($"generated: 20 points x ~ U(−4, 4), y = x³ + N(0, 3²), seed {output.Seed}; targets divided by {scale} for training");
        int epochs = output.Preset switch { Preset.Tiny => 50, Preset.Quick => 600, _ => 2000 };
        var options = new HyperGanTrainingOptions
        {
            Task = TaskKind.Regression, Architecture = new HyperGanArchitecture { NoiseDim = 32, CodeDim = 32, HiddenUnits = 128 },
            Epochs = epochs, BatchSize = 20, NetworksPerStep = 32, LearningRate = 1e-3, MixerLearningRate = 1e-3, Seed = output.Seed,
        };
        if (output.Recipe is { } recipe)
        {
            options = recipe.ApplyTo(options);
            output.Result("recipe", recipe.ToString());
        }
        output.Result("training", $"{epochs} steps (one per epoch: all 20 points), 32 networks per step, Adam lr 1e-3, generator width 128");
        using var data = TrainingSet.ForRegression(x, y.Select(v => v / scale).ToArray(), [1]);
        using var model = HyperGanTrainer.Fit(TargetNetworks.Regression1D(), data, options);

        var grid = Enumerable.Range(0, 121).Select(i => -6.0 + 0.1 * i).ToArray();
        var bands = new List<Band>();
        int[] sizes = output.Preset == Preset.Tiny ? [10, 100] : [10, 100, 1000];
        foreach (var n in sizes)
        {
            using var scope = NewDisposeScope();
            using var ensemble = model.Sample(n, output.Seed + n);
            var outputs = ensemble.Forward(tensor(grid.Select(g => (float)g).ToArray()).view(-1, 1)).squeeze(-1).mul(scale); // [n, G]
            var mean = outputs.mean([0]).data<float>().Select(v => (double)v).ToArray();
            var std = outputs.std(0, unbiased: false).data<float>().Select(v => (double)v).ToArray();
            var (rmse, stdInside, stdOutside, covered) = CubicRegression.MeasureBand(grid, mean, std);
            var band = new Band(n, rmse, stdInside, stdOutside, covered);
            bands.Add(band);
            output.Log($"{n} networks: RMSE inside {band.RmseInside:F2}, σ inside {band.StdInside:F2}, outside {band.StdOutside:F2}, " +
                $"truth inside ±3σ at {band.TruthCoveredOutside:P0} of |x| ≥ 5");
            output.Figure($"regression-band-{n}.png", Plots.Charts.Band($"HyperGAN, {n} sampled networks: mean ± 3σ", grid, mean,
                mean.Zip(std, (m, s) => m - 3 * s).ToArray(), mean.Zip(std, (m, s) => m + 3 * s).ToArray(),
                x.Select(v => (double)v).ToArray(), y.Select(v => (double)v).ToArray(), grid.Select(g => g * g * g).ToArray()),
                $"1-D regression (the paper's Fig. 2) with {n} networks: training points, y = x^3 (dashed), mean and ±3σ band.");
        }
        output.Result("bands", bands);
        output.Markdown($"HyperGAN: {(output.Recipe is { } r ? $"recipe {r.Name}" : "engine defaults")}: {DiversityRecipe.Describe(options)}.\n");
        output.Markdown("| networks | RMSE of mean vs x³, \\|x\\| ≤ 4 | mean σ, \\|x\\| ≤ 4 | mean σ, \\|x\\| ≥ 5 " +
            "| ratio outside / inside | truth inside ±3σ, \\|x\\| ≥ 5 |\n|---|---|---|---|---|---|\n" +
            string.Join("\n", bands.Select(b => $"| {b.Networks} | {b.RmseInside:F2} | {b.StdInside:F2} | {b.StdOutside:F2} | " +
                $"{b.StdOutside / b.StdInside:F1}× | {b.TruthCoveredOutside:P0} |")) + "\n");
        return bands;
    }
}
