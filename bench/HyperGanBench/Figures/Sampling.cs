using HyperGan.ML.Engine.Model;
using HyperGan.ML.Engine.Targets;
using static TorchSharp.torch;

namespace HyperGanBench.Figures;

/// <summary>sampling: drawing 1,000 MNIST-target networks with the default generator at the paper's sizes (noise → mixer → generators).</summary>
public static class Sampling
{
    /// <summary>Adds sampling.</summary>
    public static void Measure(BenchmarkReport report, int count = 1000)
    {
        random.manual_seed(0);
        using var model = new HyperGanModel(TargetNetworks.MnistCnn(), new HyperGanArchitecture());
        using var _ = no_grad();
        var t = Timing.Interleaved(5, () => model.Generate(model.Codes(model.SampleNoise(count))));
        report.Add(new Figure("sampling", $"sample {count:N0} MNIST-target networks ({DefaultGenerator.Description})",
            $"{t[0]}", "≤ 1 s", t[0].MedianMs <= 1000, new Dictionary<string, object> { ["networks"] = count, ["timing"] = t[0] }));
    }
}
