using HyperGan.ML;
using HyperGan.ML.Engine.Ensembles;
using HyperGan.ML.Engine.Model;
using HyperGan.ML.Engine.Persistence;
using HyperGan.ML.Engine.Targets;
using HyperGan.ML.Experiments.Runs;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using static TorchSharp.torch;

namespace HyperGanBench.Figures;

/// <summary>
/// onnx-scoring: scoring an exported ensemble with ONNX Runtime (no libtorch) vs the engine's batched executor, the same MNIST
/// CNN ensemble and rows, for M = 10 and 100 at batch 1 and 256: rows/s of each and their ratio; and the exported file's
/// size vs the same networks stored by the engine (<see cref="EnsembleFile"/>).
/// </summary>
public static class OnnxScoring
{
    /// <summary>Adds onnx-scoring.</summary>
    public static void Measure(BenchmarkReport report, string repo)
    {
        var mnist = new Datasets(Path.Combine(repo, "data"), null).MnistTestSet();
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 1000)
            .Select(i => new DigitRow { Features = mnist.Pixels.AsSpan(i * 784, 784).ToArray(), Label = (uint)mnist.Labels[i] }).ToList());
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(train).Transform(train);
        float[] features = mnist.Pixels.AsSpan(5000 * 784, 2048 * 784).ToArray();
        var folder = Directory.CreateTempSubdirectory("hypergan-bench-onnx-");
        var values = new Dictionary<string, object>();
        var lines = new List<string>();
        var ratios = new List<double>();
        try
        {
            foreach (int members in new[] { 10, 100 })
            {
                var model = ml.Transforms.HyperGanEnsemble(new HyperGanEnsembleOptions
                {
                    Target = TargetNetworks.MnistCnn(), ImageShape = [1, 28, 28], EnsembleSize = members, Epochs = 1,
                    NoiseDim = 32, CodeDim = 32, HiddenUnits = 128, NetworksPerStep = 8, Seed = 1,
                }).Fit(keyed);
                var onnxPath = Path.Combine(folder.FullName, $"m{members}.onnx");
                model.ExportToOnnx(onnxPath);
                using var ensemble = model.Model.Sample(members, 7); // same shapes and cost as the frozen one
                var ensemblePath = Path.Combine(folder.FullName, $"m{members}.ensemble");
                using (var stream = File.Create(ensemblePath)) EnsembleFile.Write(ensemble, stream);
                double sizeRatio = (double)new FileInfo(onnxPath).Length / new FileInfo(ensemblePath).Length;
                using var session = new InferenceSession(onnxPath, new SessionOptions { IntraOpNumThreads = Environment.ProcessorCount });
                foreach (int batch in new[] { 1, 256 })
                {
                    int rows = batch == 1 ? 128 : 2048;
                    void Engine()
                    {
                        for (int start = 0; start < rows; start += batch)
                        {
                            using var scope = NewDisposeScope();
                            var x = tensor(features.AsSpan(start * 784, batch * 784).ToArray()).view(batch, 1, 28, 28);
                            var prediction = EnsemblePrediction.FromLogits(ensemble.Forward(x));
                            GC.KeepAlive(prediction);
                        }
                    }
                    void Onnx()
                    {
                        for (int start = 0; start < rows; start += batch)
                        {
                            var input = new DenseTensor<float>(features.AsMemory(start * 784, batch * 784), [batch, 784]);
                            using var results = session.Run([NamedOnnxValue.CreateFromTensor("Features", input)]);
                            GC.KeepAlive(results[0].AsTensor<float>()[0, 0]);
                        }
                    }
                    var t = Timing.Interleaved(5, Engine, Onnx);
                    double engineRate = rows / (t[0].MedianMs / 1000), onnxRate = rows / (t[1].MedianMs / 1000), ratio = onnxRate / engineRate;
                    if (batch == 256) ratios.Add(ratio);
                    lines.Add($"M {members}, batch {batch}: ONNX Runtime {onnxRate:F0} rows/s, engine {engineRate:F0} rows/s, ratio {ratio:F2}");
                    values[$"m{members}_b{batch}"] = new Dictionary<string, object>
                    {
                        ["engine"] = t[0], ["onnx"] = t[1], ["ratio"] = ratio,
                        ["rows"] = rows
                    };
                }
                lines.Add($"M {members}: .onnx {new FileInfo(onnxPath).Length / 1e6:F2} MB vs stored networks " +
                    $"{new FileInfo(ensemblePath).Length / 1e6:F2} MB (ratio {sizeRatio:F3})");
                values[$"m{members}_size_ratio"] = sizeRatio;
            }
        }
        finally { folder.Delete(recursive: true); }
        report.Add(new Figure("onnx-scoring", "scoring an ensemble exported to ONNX with ONNX Runtime (no libtorch) vs the engine's batched " +
            "executor, MNIST CNN, same rows; file size vs the stored networks",
            string.Join("; ", lines), "≥ 1 at batch 256", ratios.All(r => r >= 1), values));
    }
}
