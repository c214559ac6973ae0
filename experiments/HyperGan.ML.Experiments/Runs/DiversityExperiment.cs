using HyperGan.ML.Engine.Ensembles;
using HyperGan.ML.Engine.Targets;
using static TorchSharp.torch;

namespace HyperGan.ML.Experiments.Runs;

/// <summary>
/// Table 3 (diversity): per-layer L2 norms of the weights, mean and standard deviation over 100 sampled networks vs
/// the independently trained networks; and Fig. 6: the same 5×5 first-layer filter from 25 sampled networks.
/// </summary>
public static class DiversityExperiment
{
    /// <summary>Norm statistics of one layer for one method.</summary>
    public sealed record LayerNorms(string Method, int Layer, double Mean, double Std, double RelativeStd);

    /// <summary>Runs both (they share the trained models).</summary>
    public static List<LayerNorms> Run(ExperimentOutput output, Datasets datasets, bool filters)
    {
        var budget = output.Budget;
        var problem = datasets.Mnist5000(budget, output.Seed);
        output.Data(problem.Provenance);
        using var methods = TrainedMethods.Train(problem, budget, output.Seed, output.Log);
        output.Result("budget", methods.BudgetText);
        int sampled = output.Preset == Preset.Tiny ? 10 : 100;
        using var ensemble = methods.HyperGan.Sample(sampled, output.Seed + 5);
        var rows = new List<LayerNorms>();
        rows.AddRange(Norms($"HyperGAN ({sampled} sampled)", ensemble.Layers));
        var independent = methods.Independent.Select(n => n.AsLayers()).ToList();
        var stacked = Enumerable.Range(0, independent[0].Count).Select(i => new GeneratedLayer(
            cat(independent.Select(l => l[i].Weight).ToArray(), 0), null)).ToList();
        rows.AddRange(Norms($"independently trained ({independent.Count})", stacked));
        output.Result("norms", rows);
        output.Markdown($"Budget: {methods.BudgetText}\n\n| method | layer | mean L2 norm | std | relative std |\n|---|---|---|---|---|\n" +
            string.Join("\n", rows.Select(r => $"| {r.Method} | {r.Layer} | {r.Mean:F3} | {r.Std:F4} | {r.RelativeStd:F4} |")) + "\n");
        output.Markdown("The paper's Table 3 reports the same statistics (weights only) for its MNIST networks; relative std = std / mean.\n");
        if (filters)
        {
            int count = Math.Min(25, sampled);
            var grid = Enumerable.Range(0, count).Select(m => Filter(ensemble.Layers[0].Weight, m)).ToList();
            output.Figure("filters-hypergan.png", Plots.Charts.ImageGrid($"First-layer filter 0 of {count} sampled networks", grid, 5),
                $"The same 5×5 filter (layer 1, output channel 0) from {count} networks sampled from the HyperGAN (the paper's Fig. 6); each " +
                    $"scaled to its own range.");
            var baseline = independent.Select(l => Filter(l[0].Weight, 0)).ToList();
            output.Figure("filters-independent.png",
                Plots.Charts.ImageGrid($"First-layer filter 0 of {baseline.Count} independently trained networks", baseline, 5),
                "For contrast: filter 0 of each independently trained network (unrelated, since independent training has no shared filter order).");
        }
        return rows;
    }

    static IEnumerable<LayerNorms> Norms(string method, IReadOnlyList<GeneratedLayer> layers)
    {
        foreach (var (layer, i) in layers.Select((l, i) => (l, i)))
        {
            using var norms = layer.Weight.flatten(1).norm(1);
            double mean = norms.mean().item<float>(), std = norms.numel() > 1 ? norms.std().item<float>() : 0;
            yield return new LayerNorms(method, i + 1, mean, std, std / mean);
        }
    }

    static float[,] Filter(Tensor weights, long member)
    {
        using var f = weights[member, 0, 0].contiguous(); // [5, 5]
        var values = f.data<float>().ToArray();
        int h = (int)f.shape[0], w = (int)f.shape[1];
        var image = new float[h, w];
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) image[y, x] = values[y * w + x];
        return image;
    }
}
