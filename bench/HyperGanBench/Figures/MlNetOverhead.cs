using HyperGan.ML;
using HyperGan.ML.Engine.Ensembles;
using HyperGan.ML.Engine.Targets;
using HyperGan.ML.Experiments.Runs;
using Microsoft.ML;
using Microsoft.ML.Data;
using static TorchSharp.torch;

namespace HyperGanBench.Figures;

/// <summary>
/// mlnet-overhead: rows/s through ML.NET (<c>Transform</c> + a cursor reading every output column) vs the engine scoring the same
/// rows with an ensemble of the same size, batch for batch (tensor from floats, forward, probabilities and entropy
/// back to arrays) — what the adapter costs on top of the engine.
/// </summary>
public static class MlNetOverhead
{
    /// <summary>Adds mlnet-overhead.</summary>
    public static void Measure(BenchmarkReport report, string repo, int rows = 2048, int members = 10)
    {
        var mnist = new Datasets(Path.Combine(repo, "data"), null).MnistTestSet();
        DigitRow Row(int i) => new() { Features = mnist.Pixels.AsSpan(i * 784, 784).ToArray(), Label = (uint)mnist.Labels[i] };
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 1000).Select(Row).ToList());
        var score = ml.Data.LoadFromEnumerable(Enumerable.Range(5000, rows).Select(Row).ToList());
        var options = new HyperGanEnsembleOptions
        {
            Target = TargetNetworks.MnistCnn(), ImageShape = [1, 28, 28], EnsembleSize = members, Epochs = 1,
            NoiseDim = 32, CodeDim = 32, HiddenUnits = 128, NetworksPerStep = 8, Seed = 1,
        };
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.Transforms.HyperGanEnsemble(options));
        var model = pipeline.Fit(train);
        var hypergan = model.LastTransformer;

        float[] features = Enumerable.Range(5000, rows).SelectMany(i => mnist.Pixels.AsSpan(i * 784, 784).ToArray()).ToArray();
        using var ensemble = hypergan.Model.Sample(members, 1);
        int batch = options.ScoringBatchSize;
        void Engine()
        {
            for (int start = 0; start < rows; start += batch)
            {
                using var scope = NewDisposeScope();
                int n = Math.Min(batch, rows - start);
                var x = tensor(features.AsSpan(start * 784, n * 784).ToArray()).view(n, 1, 28, 28);
                var prediction = EnsemblePrediction.FromLogits(ensemble.Forward(x));
                var probabilities = new float[n * 10];
                Buffer.BlockCopy(prediction.Probabilities, 0, probabilities, 0, probabilities.Length * sizeof(float));
            }
        }
        void MlNet()
        {
            var scored = model.Transform(score);
            using var cursor = scored.GetRowCursor(scored.Schema);
            var getScore = cursor.GetGetter<VBuffer<float>>(scored.Schema[options.ScoreColumnName]);
            var getLabel = cursor.GetGetter<uint>(scored.Schema[options.PredictedLabelColumnName]);
            var getEntropy = cursor.GetGetter<float>(scored.Schema[options.PredictiveEntropyColumnName]);
            var getDisagreement = cursor.GetGetter<float>(scored.Schema[options.DisagreementColumnName]);
            VBuffer<float> probabilities = default; uint label = 0; float entropy = 0, disagreement = 0;
            int seen = 0;
            while (cursor.MoveNext())
            {
                getScore(ref probabilities); getLabel(ref label); getEntropy(ref entropy); getDisagreement(ref disagreement);
                seen++;
            }
            if (seen != rows) throw new InvalidOperationException($"ML.NET produced {seen} rows, expected {rows}.");
        }
        var t = Timing.Interleaved(5, Engine, MlNet);
        double ratio = t[0].MedianMs / t[1].MedianMs;
        report.Add(new Figure("mlnet-overhead", $"ML.NET Transform + cursor over every output column vs the engine's batched scoring of the " +
            $"same {rows:N0} rows (M = {members}, batch {batch})",
            $"ML.NET {rows / (t[1].MedianMs / 1000):F0} rows/s, engine {rows / (t[0].MedianMs / 1000):F0} rows/s: ratio {ratio:F2}", "≥ 0.7",
                ratio >= 0.7,
            new Dictionary<string, object> { ["engine"] = t[0], ["mlnet"] = t[1], ["ratio"] = ratio, ["rows"] = rows, ["members"] = members }));
    }
}
