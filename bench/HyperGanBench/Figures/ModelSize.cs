using HyperGan.ML;
using HyperGan.ML.Engine.Model;
using HyperGan.ML.Engine.Persistence;
using HyperGan.ML.Engine.Targets;
using HyperGan.ML.Engine.Training;
using HyperGan.ML.Experiments.Runs;
using Microsoft.ML;
using static TorchSharp.torch;

namespace HyperGanBench.Figures;

/// <summary>model-size: bytes of a saved generator, and of a saved ML.NET pipeline holding one, vs bytes of 100 stored target
/// networks (the deep-ensemble alternative).</summary>
public static class ModelSize
{
    /// <summary>Adds model-size for the paper's generator (dense head) at its width and at the quick presets' width, and for
    /// the default generator (chunked head with 10 base networks, which the file stores too); and for a fitted ML.NET pipeline
    /// with the library's defaults (the default generator at the paper's sizes and its frozen ensemble), saved with
    /// SaveWithHyperGan.</summary>
    public static void Measure(BenchmarkReport report, string repo)
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
            long pipeline = SavedPipeline(repo, Path.Combine(folder.FullName, "model.hgpipeline"));
            double ratio = (double)paper / nets, smallRatio = (double)small / nets, chunkedRatio = (double)chunked / nets,
                pipelineRatio = (double)pipeline / nets;
            report.Add(new Figure("model-size", $"saved model size vs 100 stored MNIST networks ({target.ParameterCount:N0} parameters each); " +
                $"generators at the paper's sizes (width 512) unless noted",
                $"full head {paper / 1e6:F1} MB, full head at width 128 {small / 1e6:F1} MB, default (chunked head, " +
                    $"{new HyperGanArchitecture().BaseNetworks} base networks) {chunked / 1e6:F1} MB; 100 networks " +
                    $"{nets / 1e6:F1} MB: " +
                $"ratios {ratio:F2} / {smallRatio:F2} / {chunkedRatio:F2}; a saved ML.NET pipeline with the library's defaults " +
                $"(MapValueToKey + HyperGanEnsemble: the default generator and its frozen {new HyperGanEnsembleOptions().EnsembleSize} " +
                $"networks) {pipeline / 1e6:F1} MB, ratio {pipelineRatio:F2}",
                "< 1 (default generator and a pipeline holding it)", chunkedRatio < 1 && pipelineRatio < 1, new Dictionary<string, object>
                {
                    ["paperGeneratorBytes"] = paper, ["smallGeneratorBytes"] = small, ["chunkedGeneratorBytes"] = chunked,
                    ["hundredNetworksBytes"] = nets, ["ratio"] = ratio, ["smallRatio"] = smallRatio, ["chunkedRatio"] = chunkedRatio,
                    ["pipelineBytes"] = pipeline, ["pipelineRatio"] = pipelineRatio,
                }));
        }
        finally { folder.Delete(recursive: true); }
    }

    // The size does not depend on training, so one epoch over 64 digits: the file holds what any fit with these options holds.
    static long SavedPipeline(string repo, string path)
    {
        var mnist = new Datasets(Path.Combine(repo, "data"), null).MnistTestSet();
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 64)
            .Select(i => new DigitRow { Features = mnist.Pixels.AsSpan(i * 784, 784).ToArray(), Label = (uint)mnist.Labels[i] }).ToList());
        var options = new HyperGanEnsembleOptions { Target = TargetNetworks.MnistCnn(), ImageShape = [1, 28, 28], Epochs = 1, Seed = 1 };
        var model = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.Transforms.HyperGanEnsemble(options)).Fit(train);
        ml.Model.SaveWithHyperGan(model, train.Schema, path);
        return new FileInfo(path).Length;
    }
}
