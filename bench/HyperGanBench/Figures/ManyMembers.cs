using System.Diagnostics;
using System.Text.Json;
using HyperGan.ML.Engine.Ensembles;
using HyperGan.ML.Engine.Model;
using HyperGan.ML.Engine.Targets;
using static TorchSharp.torch;

namespace HyperGanBench.Figures;

/// <summary>many-networks: scoring 1,000 members at batch 256 in bounded memory (the executor runs members in chunks).</summary>
public static class ManyMembers
{
    /// <summary>Runs <see cref="Child"/> for 100 and 1,000 members, each in a fresh process, and adds many-networks.</summary>
    public static void Measure(BenchmarkReport report)
    {
        var hundred = PeakMemory.RunChild("many-members", "100");
        var thousand = PeakMemory.RunChild("many-members", "1000");
        var target = TargetNetworks.MnistCnn();
        double unchunkedGb = 1000.0 * 256 * 32 * 24 * 24 * 4 / 1e9; // layer 1's pre-pool output for all members at once
        double Peak(JsonElement e) => e.GetProperty("peakMb").GetDouble();
        double Seconds(JsonElement e) => e.GetProperty("scoreSeconds").GetDouble();
        report.Add(new Figure("many-networks",
            $"score 256 images with M = 1,000 sampled MNIST networks ({DefaultGenerator.Description}), fresh process",
            $"M = 1,000: peak {Peak(thousand):F0} MB, {Seconds(thousand):F1} s; M = 100: peak {Peak(hundred):F0} MB, {Seconds(hundred):F1} s " +
                $"(all members' first layer at once would need {unchunkedGb:F1} GB)",
            "peak reported, no OOM", true,
                new Dictionary<string, object> { ["thousand"] = thousand, ["hundred"] = hundred, ["unchunkedFirstLayerGb"] = unchunkedGb }));
    }

    /// <summary>The child process's work: prints one JSON line.</summary>
    public static void Child(int members)
    {
        random.manual_seed(0);
        using var model = new HyperGanModel(TargetNetworks.MnistCnn(), new HyperGanArchitecture());
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var layers = model.Generate(model.Codes(model.SampleNoise(members)));
        var x = rand(256, 1, 28, 28);
        double before = PeakMemory.OwnPeakMb() ?? 0;
        var clock = Stopwatch.StartNew();
        var logits = EnsembleExecutors.Default.Forward(model.Target, layers, x);
        double seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            members, peakMb = PeakMemory.OwnPeakMb() ?? 0, beforeScoringMb = before,
            scoreSeconds = seconds, outputShape = logits.shape
        }));
    }
}
