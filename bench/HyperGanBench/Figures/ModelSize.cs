using HyperGan.ML.Engine.Model;
using HyperGan.ML.Engine.Persistence;
using HyperGan.ML.Engine.Targets;
using HyperGan.ML.Engine.Training;
using static TorchSharp.torch;

namespace HyperGanBench.Figures;

/// <summary>model-size: bytes of a saved generator vs bytes of 100 stored target networks (the deep-ensemble alternative).</summary>
public static class ModelSize
{
    /// <summary>Adds model-size for the paper's generator (dense head) at its width and at the quick presets' width, and for
    /// the default generator (chunked head with 10 base networks, which the file stores too).</summary>
    public static void Measure(BenchmarkReport report)
    {
        var target = TargetNetworks.MnistCnn();
        var folder = Directory.CreateTempSubdirectory("hypergan-bench-");
        try
        {
            long Saved(HyperGanArchitecture architecture)
            {
                random.manual_seed(0);
                using var trained = new TrainedHyperGan(new HyperGanModel(target, architecture),
                    new HyperGanTrainingOptions { Architecture = architecture });
                var path = Path.Combine(folder.FullName, "model.hypergan");
                trained.Save(path);
                return new FileInfo(path).Length;
            }
            long paper = Saved(HyperGanArchitecture.Paper);
            long small = Saved(HyperGanArchitecture.Paper with { NoiseDim = 32, CodeDim = 32, HiddenUnits = 128 });
            long chunked = Saved(new HyperGanArchitecture());
            random.manual_seed(0);
            using var trainedForNets = new TrainedHyperGan(new HyperGanModel(target, new HyperGanArchitecture()), new HyperGanTrainingOptions());
            using var hundred = trainedForNets.Sample(100, 1);
            var ensemblePath = Path.Combine(folder.FullName, "hundred.ensemble");
            using (var stream = File.Create(ensemblePath)) EnsembleFile.Write(hundred, stream);
            long nets = new FileInfo(ensemblePath).Length;
            double ratio = (double)paper / nets, smallRatio = (double)small / nets, chunkedRatio = (double)chunked / nets;
            report.Add(new Figure("model-size", $"saved model size vs 100 stored MNIST networks ({target.ParameterCount:N0} parameters each); " +
                $"generators at the paper's sizes (width 512) unless noted",
                $"full head {paper / 1e6:F1} MB, full head at width 128 {small / 1e6:F1} MB, default (chunked head, " +
                    $"{new HyperGanArchitecture().BaseNetworks} base networks) {chunked / 1e6:F1} MB; 100 networks " +
                    $"{nets / 1e6:F1} MB: " +
                $"ratios {ratio:F2} / {smallRatio:F2} / {chunkedRatio:F2}",
                "< 1 (default generator)", chunkedRatio < 1, new Dictionary<string, object>
                {
                    ["paperGeneratorBytes"] = paper, ["smallGeneratorBytes"] = small, ["chunkedGeneratorBytes"] = chunked,
                    ["hundredNetworksBytes"] = nets, ["ratio"] = ratio, ["smallRatio"] = smallRatio, ["chunkedRatio"] = chunkedRatio,
                }));
        }
        finally { folder.Delete(recursive: true); }
    }
}
