using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace HyperGanBench.Figures;

/// <summary>machine-ceiling: what this machine's libtorch can do at best, measured in the same run as everything else.</summary>
public static class Ceiling
{
    /// <summary>Adds machine-ceiling and returns the sgemm GFLOP/s (median) that scoring-throughput is compared with.</summary>
    public static double Measure(BenchmarkReport report)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        random.manual_seed(0);
        var a = randn(2048, 2048);
        var b = randn(2048, 2048);
        var hidden = rand(256, 32, 12, 12);   // MNIST target, layer 2 input, one member
        var filters = randn(32, 32, 5, 5);
        var images = rand(256, 1, 28, 28);    // MNIST target, layer 1, one member
        var firstFilters = randn(32, 1, 5, 5);
        var t = Timing.Interleaved(10, () => mm(a, b), () => F.conv2d(hidden, filters), () => F.conv2d(images, firstFilters));
        double sgemm = 2.0 * 2048 * 2048 * 2048 / (t[0].MedianMs / 1000) / 1e9;
        double conv = 2.0 * 256 * 8 * 8 * 32 * 800 / (t[1].MedianMs / 1000) / 1e9;
        double convFirst = 2.0 * 256 * 24 * 24 * 32 * 25 / (t[2].MedianMs / 1000) / 1e9;
        report.Add(new Figure("machine-ceiling",
            "machine ceiling: sgemm 2048³; conv2d 32→32 5×5 on 256×12×12 (MNIST layer 2); conv2d 1→32 5×5 on 256×28×28 (layer 1)",
            $"sgemm {sgemm:F0} GFLOP/s; conv2d {conv:F0} GFLOP/s; first-layer conv2d {convFirst:F1} GFLOP/s", "reported", null,
            new Dictionary<string, object>
            {
                ["sgemmGflops"] = sgemm, ["conv2dGflops"] = conv, ["firstLayerConv2dGflops"] = convFirst,
                ["sgemm"] = t[0], ["conv2d"] = t[1], ["firstLayerConv2d"] = t[2]
            }));
        return sgemm;
    }
}
