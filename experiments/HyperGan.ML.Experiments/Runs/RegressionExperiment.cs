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

    /// <summary>Band statistics of 100 networks after a number of training steps: does the band settle or keep spreading?</summary>
    public sealed record Checkpoint(int Steps, double RmseInside, double StdInside, double StdOutside, double TruthCoveredOutside);

    static readonly double[] Grid = Enumerable.Range(0, 121).Select(i => -6.0 + 0.1 * i).ToArray();

    /// <summary>Runs the experiment.</summary>
    public static List<Band> Run(ExperimentOutput output)
    {
        var (x, y) = CubicRegression.Data(output.Seed);
        output.Data($"generated: 20 points x ~ U(−4, 4), y = x³ + N(0, 3²), seed {output.Seed}; raw labels (training standardises them)");
        // The band is measured during training too: without a prior on the weights the repulsion can spread the networks
        // off the data for as long as training runs (docs/diversity.md), which one final measurement would hide.
        int[] checkpoints = output.Preset switch { Preset.Tiny => [25, 50], Preset.Quick => [200, 600], _ => [600, 2000, 6000] };
        int epochs = checkpoints[^1];
        var options = new HyperGanTrainingOptions
        {
            Task = TaskKind.Regression,
            Architecture = new HyperGanArchitecture { NoiseDim = 32, CodeDim = 32, HiddenUnits = 128, Head = output.Head },
            Epochs = epochs, BatchSize = 20, NetworksPerStep = 32, LearningRate = 1e-3, MixerLearningRate = 1e-3, Seed = output.Seed,
        };
        if (output.Recipe is { } recipe)
        {
            options = recipe.ApplyTo(options);
            output.Result("recipe", recipe.ToString());
        }
        output.Result("training", $"{epochs} steps (one per epoch: all 20 points), 32 networks per step, Adam lr 1e-3, generator width 128, " +
            $"{output.Head} head");
        using var data = TrainingSet.ForRegression(x, y, [1]);
        var progress = new List<Checkpoint>();
        using var model = HyperGanTrainer.Fit(TargetNetworks.Regression1D(), data, options, epochCompleted: (epoch, m) =>
        {
            if (checkpoints.Contains(epoch))
            {
                var (_, _, b) = Measure(m, 100, output.Seed + 100);
                progress.Add(new Checkpoint(epoch, b.RmseInside, b.StdInside, b.StdOutside, b.TruthCoveredOutside));
                output.Log($"after {epoch} steps, 100 networks: σ inside {b.StdInside:F2}, outside {b.StdOutside:F2}");
            }
            return true;
        });
        output.Result("band during training", progress);

        var bands = new List<Band>();
        int[] sizes = output.Preset == Preset.Tiny ? [10, 100] : [10, 100, 1000];
        foreach (var n in sizes)
        {
            var (mean, std, band) = Measure(model.Model, n, output.Seed + n);
            bands.Add(band);
            output.Log($"{n} networks: RMSE inside {band.RmseInside:F2}, σ inside {band.StdInside:F2}, outside {band.StdOutside:F2}, " +
                $"truth inside ±3σ at {band.TruthCoveredOutside:P0} of |x| ≥ 5");
            output.Figure($"regression-band-{n}.png", Plots.Charts.Band($"HyperGAN, {n} sampled networks: mean ± 3σ", Grid, mean,
                mean.Zip(std, (m, s) => m - 3 * s).ToArray(), mean.Zip(std, (m, s) => m + 3 * s).ToArray(),
                x.Select(v => (double)v).ToArray(), y.Select(v => (double)v).ToArray(), Grid.Select(g => g * g * g).ToArray()),
                $"1-D regression (the paper's Fig. 2) with {n} networks: training points, y = x^3 (dashed), mean and ±3σ band.");
        }
        output.Result("bands", bands);
        output.Markdown($"HyperGAN: {(output.Recipe is { } r ? $"recipe {r.Name}" : "engine defaults")}: {DiversityRecipe.Describe(options)}.\n");
        output.Markdown("| steps | RMSE of mean vs x³, \\|x\\| ≤ 4 | mean σ, \\|x\\| ≤ 4 | mean σ, \\|x\\| ≥ 5 " +
            "| truth inside ±3σ, \\|x\\| ≥ 5 |\n|---|---|---|---|---|\n" +
            string.Join("\n", progress.Select(c =>
                $"| {c.Steps} | {c.RmseInside:F2} | {c.StdInside:F2} | {c.StdOutside:F2} | {c.TruthCoveredOutside:P0} |")) + "\n\n" +
            "Final model:\n");
        output.Markdown("| networks | RMSE of mean vs x³, \\|x\\| ≤ 4 | mean σ, \\|x\\| ≤ 4 | mean σ, \\|x\\| ≥ 5 " +
            "| ratio outside / inside | truth inside ±3σ, \\|x\\| ≥ 5 |\n|---|---|---|---|---|---|\n" +
            string.Join("\n", bands.Select(b => $"| {b.Networks} | {b.RmseInside:F2} | {b.StdInside:F2} | {b.StdOutside:F2} | " +
                $"{b.StdOutside / b.StdInside:F1}× | {b.TruthCoveredOutside:P0} |")) + "\n");
        return bands;
    }

    /// <summary>Mean and standard deviation of <paramref name="networks"/> sampled networks over the grid, in y's units, and the band.</summary>
    static (double[] Mean, double[] Std, Band Band) Measure(HyperGanModel model, int networks, int seed)
    {
        using var scope = NewDisposeScope();
        using var ensemble = model.Sample(networks, seed);
        var outputs = ensemble.Forward(tensor(Grid.Select(g => (float)g).ToArray()).view(-1, 1)).squeeze(-1); // [n, G], label units
        var mean = outputs.mean([0]).data<float>().Select(v => (double)v).ToArray();
        var std = outputs.std(0, unbiased: false).data<float>().Select(v => (double)v).ToArray();
        var (rmse, stdInside, stdOutside, covered) = CubicRegression.MeasureBand(Grid, mean, std);
        return (mean, std, new Band(networks, rmse, stdInside, stdOutside, covered));
    }
}
