using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using HyperGan.ML.Engine.Model;
using HyperGan.ML.Engine.Targets;
using HyperGan.ML.Engine.Training;
using HyperGan.ML.Experiments.Runs;

namespace HyperGanBench.Figures;

/// <summary>fit-memory: peak resident memory of Fit with the paper's sizes (generator and 32 networks × 32 images per step).</summary>
public static class FitMemory
{
    /// <summary>Runs <see cref="Child"/> in a fresh process and adds fit-memory.</summary>
    public static void Measure(BenchmarkReport report, int images)
    {
        var r = PeakMemory.RunChild("fit-memory", images.ToString(CultureInfo.InvariantCulture));
        double peak = r.GetProperty("peakMb").GetDouble(), before = r.GetProperty("beforeFitMb").GetDouble();
        report.Add(new Figure("fit-memory",
            $"peak resident memory of Fit, MNIST target, the engine's defaults ({DefaultGenerator.Description}; 32 nets × " +
            $"32 images per step), {images:N0} images = {images / 32} steps + mixer pretraining",
            $"{peak:F0} MB peak ({before:F0} MB before Fit: runtime, libtorch, data); {r.GetProperty("seconds").GetDouble():F0} s",
            "≤ 1.5 GB", peak <= 1536,
                new Dictionary<string, object> { ["peakMb"] = peak, ["beforeFitMb"] = before, ["seconds"] = r.GetProperty("seconds").GetDouble() }));
    }

    /// <summary>The child process's work: prints one JSON line.</summary>
    public static void Child(string repo, int images)
    {
        var mnist = new Datasets(Path.Combine(repo, "data"), null).MnistTestSet()
            .Subset(Enumerable.Range(0, images).ToArray());
        using var data = TrainingSet.ForClassification(mnist.Pixels, mnist.Labels, mnist.Shape, 10);
        double before = PeakMemory.OwnPeakMb() ?? 0;
        var clock = Stopwatch.StartNew();
        using var trained = HyperGanTrainer.Fit(TargetNetworks.MnistCnn(), data, new HyperGanTrainingOptions { Epochs = 1, Seed = 1 });
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            peakMb = PeakMemory.OwnPeakMb() ?? 0, beforeFitMb = before,
            seconds = clock.Elapsed.TotalSeconds
        }));
    }
}
