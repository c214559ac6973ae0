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

    T Fails<T>(string what, Func<object> act, params string[] mentions) where T : Exception
    {
        var e = Assert.Throws<T>(act);
        output.WriteLine($"{what}: {typeof(T).Name}: {e.Message}");
        foreach (var m in mentions) Assert.Contains(m, e.Message);
        return e;
    }

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
        Fails<ArgumentException>("single class", () => Estimator(ml).Fit(ml.Data.LoadFromEnumerable(Rows(10).Select(r => { r.Label = 1; return r; }))), "'Label'", "one class");
        Fails<ArgumentException>("negative Int32 label", () => Estimator(ml).Fit(ml.Data.LoadFromEnumerable(Rows(10).Select(r => { r.Label = -r.Label; return r; }))), "'Label'", "MapValueToKey");
        Fails<ArgumentException>("NaN regression label", () => Estimator(ml).Fit(ml.Data.LoadFromEnumerable(new[] { new RegressionRow { Label = 1 }, new RegressionRow { Label = float.NaN } })), "Row 1", "'Label'");
        Fails<ArgumentOutOfRangeException>("double features", () => Estimator(ml).Fit(ml.Data.LoadFromEnumerable(new[] { new DoubleRow(), new DoubleRow { Label = 1 } })), "'Features'", "Single");
        Fails<ArgumentOutOfRangeException>("missing features", () => Estimator(ml, o => o.FeatureColumnName = "Pixels").Fit(ml.Data.LoadFromEnumerable(Rows(4))), "'Pixels'");
        Fails<ArgumentException>("image shape vs vector size", () => Estimator(ml, o => o.ImageShape = [1, 28, 28]).Fit(ml.Data.LoadFromEnumerable(Rows(4))), "ImageShape", "784", "4");
        Fails<ArgumentException>("no default target", () => Estimator(ml, o => o.ImageShape = [1, 2, 2]).Fit(ml.Data.LoadFromEnumerable(Rows(4))), "Target", "[1, 2, 2]");
        Fails<ArgumentOutOfRangeException>("ensemble size 0", () => Estimator(ml, o => o.EnsembleSize = 0), "EnsembleSize");
        Fails<ArgumentOutOfRangeException>("ensemble size -3", () => Estimator(ml, o => o.EnsembleSize = -3), "EnsembleSize");
        Fails<ArgumentOutOfRangeException>("scoring batch 0", () => Estimator(ml, o => o.ScoringBatchSize = 0), "ScoringBatchSize");
        Fails<ArgumentOutOfRangeException>("image shape with 0", () => Estimator(ml, o => o.ImageShape = [0, 28, 28]), "ImageShape");
        Fails<ArgumentException>("empty output name", () => Estimator(ml, o => o.ScoreColumnName = " "), "ScoreColumnName");
        Fails<ArgumentOutOfRangeException>("epochs 0", () => Estimator(ml, o => o.Epochs = 0), "Epochs");

        // Scoring data whose features differ from training's.
        var model = Estimator(ml).Fit(ml.Data.LoadFromEnumerable(Rows(8)));
        Fails<ArgumentOutOfRangeException>("scoring: wrong vector size", () => model.Transform(ml.Data.LoadFromEnumerable(new[] { new Row3() })), "'Features'", "size 4");
    }

    public sealed class Row3
    {
        [VectorType(3)] public float[] Features { get; set; } = new float[3];
    }
}
