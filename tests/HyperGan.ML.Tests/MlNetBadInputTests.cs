using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit;
using Xunit.Abstractions;

namespace HyperGan.ML.Tests;

/// <summary>Bad data reaching the estimator through ML.NET fails before training with the column and the fix named.</summary>
public class MlNetBadInputTests(ITestOutputHelper output)
{
    public sealed class Row
    {
        [VectorType(4)] public float[] Features { get; set; } = new float[4];
        public int Label { get; set; }
    }

    public sealed class DoubleRow
    {
        [VectorType(4)] public double[] Features { get; set; } = new double[4];
        public int Label { get; set; }
    }

    public sealed class RegressionRow
    {
        [VectorType(4)] public float[] Features { get; set; } = new float[4];
        public float Label { get; set; }
    }

    static HyperGanEnsembleEstimator Estimator(MLContext ml, Action<HyperGanEnsembleOptions>? edit = null)
    {
        var o = new HyperGanEnsembleOptions { Epochs = 1, NoiseDim = 8, CodeDim = 8, HiddenUnits = 16 };
        edit?.Invoke(o);
        return ml.Transforms.HyperGanEnsemble(o);
    }

    static IEnumerable<Row> Rows(int n) => Enumerable.Range(0, n).Select(i => new Row { Features = [i, 1, 2, 3], Label = i % 2 });

    T Fails<T>(string what, Action act, params string[] mentions) where T : Exception => Expect.Fails<T>(output, what, act, mentions);

    [Fact]
    public void Each_bad_input_throws_with_the_column_or_option_named()
    {
        var ml = new MLContext(1);
        var nan = Rows(10).ToList();
        nan[3].Features[2] = float.NaN;
        Fails<ArgumentException>("NaN feature", () => Estimator(ml).Fit(ml.Data.LoadFromEnumerable(nan)), "Row 3", "'Features'", "NaN");
        var inf = Rows(10).ToList();
        inf[0].Features[0] = float.PositiveInfinity;
        Fails<ArgumentException>("∞ feature", () => Estimator(ml).Fit(ml.Data.LoadFromEnumerable(inf)), "Row 0", "'Features'");
        Fails<ArgumentException>("empty data", () => Estimator(ml).Fit(ml.Data.LoadFromEnumerable(Rows(0))), "empty");
        Fails<ArgumentException>("single class", () =>
            Estimator(ml).Fit(ml.Data.LoadFromEnumerable(Rows(10).Select(r => { r.Label = 1; return r; }))), "'Label'", "one class");
        Fails<ArgumentException>("negative Int32 label", () =>
            Estimator(ml).Fit(ml.Data.LoadFromEnumerable(Rows(10).Select(r => { r.Label = -r.Label; return r; }))), "'Label'", "MapValueToKey");
        Fails<ArgumentException>("NaN regression label", () => Estimator(ml).Fit(ml.Data.LoadFromEnumerable(new[] { new RegressionRow { Label = 1 },
            new RegressionRow { Label = float.NaN } })), "Row 1", "'Label'");
        Fails<ArgumentOutOfRangeException>("double features", () =>
            Estimator(ml).Fit(ml.Data.LoadFromEnumerable(new[] { new DoubleRow(), new DoubleRow { Label = 1 } })), "'Features'", "Single");
        Fails<ArgumentOutOfRangeException>("missing features", () =>
            Estimator(ml, o => o.FeatureColumnName = "Pixels").Fit(ml.Data.LoadFromEnumerable(Rows(4))), "'Pixels'");
        Fails<ArgumentException>("image shape vs vector size", () =>
            Estimator(ml, o => o.ImageShape = [1, 28, 28]).Fit(ml.Data.LoadFromEnumerable(Rows(4))), "ImageShape", "784", "4");
        Fails<ArgumentException>("no default target", () =>
            Estimator(ml, o => o.ImageShape = [1, 2, 2]).Fit(ml.Data.LoadFromEnumerable(Rows(4))), "Target", "[1, 2, 2]");
        Fails<ArgumentOutOfRangeException>("ensemble size 0", () => Estimator(ml, o => o.EnsembleSize = 0), "EnsembleSize");
        Fails<ArgumentOutOfRangeException>("ensemble size -3", () => Estimator(ml, o => o.EnsembleSize = -3), "EnsembleSize");
        Fails<ArgumentOutOfRangeException>("scoring batch 0", () => Estimator(ml, o => o.ScoringBatchSize = 0), "ScoringBatchSize");
        Fails<ArgumentOutOfRangeException>("image shape with 0", () => Estimator(ml, o => o.ImageShape = [0, 28, 28]), "ImageShape");
        Fails<ArgumentException>("empty output name", () => Estimator(ml, o => o.ScoreColumnName = " "), "ScoreColumnName");
        Fails<ArgumentOutOfRangeException>("epochs 0", () => Estimator(ml, o => o.Epochs = 0), "Epochs");

        Fails<ArgumentOutOfRangeException>("networks per step 0", () => Estimator(ml, o => o.NetworksPerStep = 0), "NetworksPerStep");
        Fails<ArgumentOutOfRangeException>("batch size -1", () => Estimator(ml, o => o.BatchSize = -1), "BatchSize");
        Fails<ArgumentOutOfRangeException>("learning rate NaN", () => Estimator(ml, o => o.LearningRate = double.NaN), "LearningRate");
        Fails<ArgumentOutOfRangeException>("mixer learning rate ∞", () => Estimator(ml, o => o.MixerLearningRate = double.PositiveInfinity),
            "MixerLearningRate");
        Fails<ArgumentOutOfRangeException>("base learning rate 0", () => Estimator(ml, o => o.BaseLearningRate = 0), "BaseLearningRate");
        Fails<ArgumentOutOfRangeException>("beta -1", () => Estimator(ml, o => o.Beta = -1), "Beta");
        Fails<ArgumentOutOfRangeException>("hidden units 0", () => Estimator(ml, o => o.HiddenUnits = 0), "HiddenUnits");
        Fails<ArgumentOutOfRangeException>("ChunkSize 0", () => Estimator(ml, o => o.ChunkSize = 0), "ChunkSize");
        Fails<ArgumentOutOfRangeException>("Head out of range", () => Estimator(ml, o => o.Head = (HyperGan.ML.Engine.Model.GeneratorHead)9), "Head");
        Fails<ArgumentOutOfRangeException>("UnscorableRows out of range", () => Estimator(ml, o => o.UnscorableRows = (UnscorableRowHandling)5),
            "UnscorableRows");
        Fails<ArgumentException>("empty label name", () => Estimator(ml, o => o.LabelColumnName = ""), "LabelColumnName");
        Fails<ArgumentOutOfRangeException>("missing label column", () =>
            Estimator(ml, o => o.LabelColumnName = "Class").Fit(ml.Data.LoadFromEnumerable(Rows(4))), "'Class'", "not found");
        Fails<ArgumentOutOfRangeException>("vector label", () =>
            Estimator(ml, o => o.LabelColumnName = "Features").Fit(ml.Data.LoadFromEnumerable(Rows(4))), "'Features'", "MapValueToKey");
        var keyed = ml.Transforms.Conversion
            .MapValueToKey("Label", keyData: ml.Data.LoadFromEnumerable(new[] { new LabelOnly { Label = "a" }, new LabelOnly { Label = "b" } }))
            .Fit(ml.Data.LoadFromEnumerable(KeyRows("a", "b", "c"))).Transform(ml.Data.LoadFromEnumerable(KeyRows("a", "b", "c")));
        Fails<ArgumentException>("label value MapValueToKey did not see (key 0)", () => Estimator(ml).Fit(keyed), "Row 2", "'Label'", "key 0");
        Fails<ArgumentException>("fixed Target for another input size", () =>
            Estimator(ml, o => o.Target = HyperGan.ML.Engine.Targets.TargetNetworks.Mlp(8, 2)).Fit(ml.Data.LoadFromEnumerable(Rows(8))), "Target",
            "[4]", "[8]", "ImageShape");

        // Scoring data whose features differ from training's.
        var model = Estimator(ml).Fit(ml.Data.LoadFromEnumerable(Rows(8)));
        Fails<ArgumentOutOfRangeException>("scoring: wrong vector size", () =>
            model.Transform(ml.Data.LoadFromEnumerable(new[] { new Row3() })), "'Features'", "size 4");
    }

    public sealed class LabelOnly
    {
        public string Label { get; set; } = "";
    }

    public sealed class KeyRow
    {
        [VectorType(4)] public float[] Features { get; set; } = [1, 2, 3, 4];
        public string Label { get; set; } = "";
    }

    static IEnumerable<KeyRow> KeyRows(params string[] labels) => labels.Select((l, i) => new KeyRow { Label = l, Features = [i, 1, 2, 3] });

    public sealed class Row3
    {
        [VectorType(3)] public float[] Features { get; set; } = new float[3];
    }
}
