using HyperGan.ML.Engine.Ensembles;
using HyperGan.ML.Engine.Model;
using HyperGan.ML.Engine.Targets;
using static TorchSharp.torch;

namespace HyperGanBench.Figures;

/// <summary>
/// scoring-throughput/single-row-latency: scoring 100 sampled MNIST networks, production executor vs the per-member loop over the same weights
/// (plus the production executor's two member-convolution strategies, for the record).
/// </summary>
public static class ScoringThroughput
{
    /// <summary>Adds scoring-throughput (batch 256) and single-row-latency (batch 1).</summary>
    public static void Measure(BenchmarkReport report, double sgemmGflops, int members = 100)
    {
        var target = TargetNetworks.MnistCnn();
        random.manual_seed(0);
        using var model = new HyperGanModel(target, new HyperGanArchitecture()); // untrained: realistic weight scales, same cost
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var layers = model.Generate(model.Codes(model.SampleNoise(members)));
        IEnsembleExecutor[] executors = [EnsembleExecutors.PerMember, new BatchedExecutor(MemberConvolution.Loop),
            new BatchedExecutor(MemberConvolution.Grouped), EnsembleExecutors.Default];
        foreach (int batch in new[] { 256, 1 })
        {
            var x = rand(batch, 1, 28, 28);
            var t = Timing.Interleaved(batch == 256 ? 3 : 30, executors.Select(e => (Action)(() => e.Forward(target, layers, x))).ToArray());
            double Gflops(Timing timing) => 2.0 * target.MultiplyAdds * members * batch / (timing.MedianMs / 1000) / 1e9;
            var loop = t[0];
            var production = t[^1];
            double speedup = loop.MedianMs / production.MedianMs;
            var values = new Dictionary<string, object>
            {
                ["members"] = members, ["batch"] = batch, ["speedupVsLoop"] = speedup,
                ["productionGflops"] = Gflops(production)
            };
            for (int i = 0; i < executors.Length; i++)
            {
                values[executors[i].Name] = t[i];
                report.Note($"M = {members}, batch {batch}: {executors[i].Name} {t[i]} ({Gflops(t[i]):F1} GFLOP/s, " +
                    $"{loop.MedianMs / t[i].MedianMs:F2}× the per-member loop)");
            }
            if (batch == 256)
            {
                double share = Gflops(production) / sgemmGflops;
                values["shareOfSgemm"] = share;
                report.Add(new Figure("scoring-throughput",
                    $"scoring throughput, MNIST target, M = {members}, batch 256 ({EnsembleExecutors.Default.Name})",
                    $"{batch / (production.MedianMs / 1000):F0} images/s = {batch * members / (production.MedianMs / 1000):F0} network-image " +
                        $"forwards/s; {Gflops(production):F0} GFLOP/s = {share:P0} of sgemm; {speedup:F1}× the per-member loop",
                    "≥ 50% of sgemm and ≥ 2× the loop", share >= 0.5 && speedup >= 2, values));
            }
            else
            {
                report.Add(new Figure("single-row-latency", $"single-row latency, M = {members}, batch 1 ({EnsembleExecutors.Default.Name})",
                    $"{production.MedianMs:F1} ms vs per-member loop {loop.MedianMs:F1} ms: {speedup:F1}×", "≥ 3× faster than the loop", speedup >= 3,
                        values));
            }
        }
    }
}
