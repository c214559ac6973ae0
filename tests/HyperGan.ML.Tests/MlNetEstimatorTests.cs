using HyperGan.ML;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit;
using Xunit.Abstractions;

namespace HyperGan.ML.Tests;

/// <summary>ML.NET's estimator checklist, re-implemented with public APIs, on real MNIST digits.</summary>
public class MlNetEstimatorTests(ITestOutputHelper output, MlNetEstimatorTests.Trained t) : IClassFixture<MlNetEstimatorTests.Trained>
{
    public sealed class Digit
    {
        [VectorType(784)] public float[] Features { get; set; } = [];
        public string Label { get; set; } = "";
    }

    public sealed class Prediction
    {
        public float[] Score { get; set; } = [];
        public string PredictedLabel { get; set; } = "";
        public float PredictiveEntropy { get; set; }
        public float Disagreement { get; set; }
    }

    static HyperGanEnsembleOptions Small(Action<HyperGanEnsembleOptions>? edit = null)
    {
        var o = new HyperGanEnsembleOptions
        {
            ImageShape = [1, 28, 28], EnsembleSize = 5, Epochs = 3, BatchSize = 64, NetworksPerStep = 8,
            LearningRate = 1e-3, MixerLearningRate = 1e-3, NoiseDim = 32, CodeDim = 32, HiddenUnits = 128, ScoringBatchSize = 64,
        };
        edit?.Invoke(o);
        return o;
    }

    static IEnumerable<Digit> Digits(HyperGan.ML.Engine.Data.LabeledImages images) =>
        Enumerable.Range(0, images.Count).Select(i => new Digit { Features = images.Pixels.AsSpan(i * 784, 784).ToArray(), Label = images.Labels[i].ToString() });

    /// <summary>One pipeline trained once for the class: MapValueToKey → HyperGanEnsemble → MapKeyToValue.</summary>
    public sealed class Trained : IDisposable
    {
        public MLContext Ml { get; } = new(seed: 1);
        public IDataView Train { get; }
        public IDataView Test { get; }
        public IEstimator<ITransformer> Pipeline { get; }
        public ITransformer Model { get; }
        public List<string> Log { get; } = [];

        public Trained()
        {
            var (train, test) = Fixtures.MnistSlice(1500, 300);
            Train = Ml.Data.LoadFromEnumerable(Digits(train));
            Test = Ml.Data.LoadFromEnumerable(Digits(test));
            Ml.Log += (_, e) => { if (e.Message.Contains("HyperGAN")) lock (Log) Log.Add(e.Message); };
            Pipeline = Ml.Transforms.Conversion.MapValueToKey("Label")
                .Append(Ml.Transforms.HyperGanEnsemble(Small()))
                .Append(Ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
            Model = Pipeline.Fit(Train);
        }

        public void Dispose() { }
    }

    readonly Trained _t = t;

    [Fact]
    public void Evaluate_runs_on_the_output_and_accuracy_beats_a_threshold()
    {
        var scored = _t.Model.Transform(_t.Test);
        // Evaluate wants the key-typed prediction: score the pipeline without the final MapKeyToValue.
        var keyed = ((IEnumerable<ITransformer>)_t.Model).Take(2).Aggregate(_t.Test, (data, tr) => tr.Transform(data));
        var metrics = _t.Ml.MulticlassClassification.Evaluate(keyed);
        output.WriteLine($"micro accuracy {metrics.MicroAccuracy:P2}, log-loss {metrics.LogLoss:F3} on 300 held-out digits; log lines {_t.Log.Count}");
        Assert.True(metrics.MicroAccuracy >= 0.85, $"accuracy {metrics.MicroAccuracy:P2} < 85%");
        Assert.Contains(_t.Log, l => l.Contains("epoch 3/3"));
        var labels = scored.GetColumn<string>("PredictedLabel").ToArray();
        Assert.All(labels, l => Assert.Contains(l, new[] { "0", "1", "2", "3", "4", "5", "6", "7", "8", "9" }));
    }

    [Fact]
    public void Promised_schema_equals_the_actual_schema()
    {
        var promised = _t.Pipeline.GetOutputSchema(SchemaShapeColumns.FromSchema(_t.Train.Schema));
        var actual = _t.Model.GetOutputSchema(_t.Train.Schema);
        foreach (var name in new[] { "Score", "PredictiveEntropy", "Disagreement" })
        {
            var p = promised.Single(c => c.Name == name);
            var a = actual[name];
            Assert.Equal(p.ItemType, a.Type is VectorDataViewType v ? v.ItemType : a.Type);
            Assert.Equal(p.Kind == SchemaShape.Column.VectorKind.Vector, a.Type is VectorDataViewType);
        }
        var score = (VectorDataViewType)actual["Score"].Type;
        Assert.Equal(10, score.Size);
        VBuffer<ReadOnlyMemory<char>> slots = default;
        actual["Score"].Annotations.GetValue("SlotNames", ref slots);
        Assert.Equal(10, slots.Length);
        Assert.Equal(TextDataViewType.Instance, actual["PredictedLabel"].Type); // after MapKeyToValue
        var keyed = ((IEnumerable<ITransformer>)_t.Model).Take(2).Aggregate(_t.Train.Schema, (s, tr) => tr.GetOutputSchema(s));
        Assert.Equal(10UL, ((KeyDataViewType)keyed["PredictedLabel"].Type).Count);
    }

    [Fact]
    public void PredictionEngine_gives_the_same_values_as_Transform()
    {
        var scored = _t.Model.Transform(_t.Test);
        var batch = _t.Ml.Data.CreateEnumerable<Prediction>(scored, reuseRowObject: false).Take(20).ToList();
        using var engine = _t.Ml.Model.CreatePredictionEngine<Digit, Prediction>(_t.Model);
        var digits = _t.Ml.Data.CreateEnumerable<Digit>(_t.Test, reuseRowObject: false).Take(20).ToList();
        for (int i = 0; i < digits.Count; i++)
        {
            var single = engine.Predict(digits[i]);
            Assert.Equal(batch[i].PredictedLabel, single.PredictedLabel);
            Assert.Equal(batch[i].PredictiveEntropy, single.PredictiveEntropy, 5);
            for (int c = 0; c < 10; c++) Assert.Equal(batch[i].Score[c], single.Score[c], 5);
        }
    }

    [Fact]
    public void Model_save_throws_NotSupported_naming_the_supported_call()
    {
        using var stream = new MemoryStream();
        var e = Assert.Throws<NotSupportedException>(() => _t.Ml.Model.Save(_t.Model, _t.Train.Schema, stream));
        Assert.Contains("Model.Save(path)", e.Message);
    }

    [Fact]
    public void Bad_input_fails_at_schema_time_with_the_column_named()
    {
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(Digits(TestData.Mnist.Subset([0, 1, 2])));
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data);
        var missing = Assert.Throws<ArgumentOutOfRangeException>(() =>
            ml.Transforms.HyperGanEnsemble(Small(o => o.FeatureColumnName = "Pixels")).GetOutputSchema(SchemaShapeColumns.FromSchema(keyed.Schema)));
        Assert.Contains("'Pixels'", missing.Message);
        var rawLabel = Assert.Throws<ArgumentOutOfRangeException>(() =>
            ml.Transforms.HyperGanEnsemble(Small()).GetOutputSchema(SchemaShapeColumns.FromSchema(data.Schema)));
        Assert.Contains("MapValueToKey", rawLabel.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.HyperGanEnsemble(Small(o => o.EnsembleSize = 0)));
        var shape = Assert.Throws<ArgumentException>(() => ml.Transforms.HyperGanEnsemble(Small(o => o.ImageShape = [3, 32, 32])).Fit(keyed));
        Assert.Contains("ImageShape", shape.Message);
    }
}
