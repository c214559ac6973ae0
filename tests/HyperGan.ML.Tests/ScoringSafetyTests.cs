using HyperGan.ML.Engine.Training;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit;
using Xunit.Abstractions;

namespace HyperGan.ML.Tests;

/// <summary>
/// Rows that cannot be scored as trained never get a plausible answer: a vector of another length throws, a NaN/∞
/// feature gives missing outputs (or throws), through both Transform and PredictionEngine. Flat MNIST vectors, MLP target.
/// </summary>
public class ScoringSafetyTests(ITestOutputHelper output, ScoringSafetyTests.VectorDigits t) : IClassFixture<ScoringSafetyTests.VectorDigits>
{
    public sealed class Keyed
    {
        public float[] Score { get; set; } = [];
        public uint PredictedLabel { get; set; }
        public float PredictiveEntropy { get; set; }
        public float Disagreement { get; set; }
    }

    /// <summary>MapValueToKey → HyperGanEnsemble on 784-value vectors (no image step: the newcomer pipeline), trained once.</summary>
    public sealed class VectorDigits
    {
        public MLContext Ml { get; } = new(seed: 1);
        public ITransformer Model { get; }
        public List<MlNetEstimatorTests.Digit> Test { get; }

        public VectorDigits()
        {
            var (train, test) = Fixtures.MnistSlice(1000, 40);
            Model = Ml.Transforms.Conversion.MapValueToKey("Label")
                .Append(Ml.Transforms.HyperGanEnsemble(Options()))
                .Fit(Ml.Data.LoadFromEnumerable(MlNetEstimatorTests.Digits(train)));
            Test = MlNetEstimatorTests.Digits(test).ToList();
        }

        public static HyperGanEnsembleOptions Options(Action<HyperGanEnsembleOptions>? edit = null)
        {
            var o = new HyperGanEnsembleOptions
            {
                EnsembleSize = 5, Epochs = 2, BatchSize = 64, NetworksPerStep = 4, LearningRate = 1e-3, MixerLearningRate = 1e-3,
                NoiseDim = 16, CodeDim = 16, HiddenUnits = 32, ScoringBatchSize = 8, Seed = 3,
            };
            edit?.Invoke(o);
            return o;
        }

        public HyperGanEnsembleTransformer HyperGan => ((IEnumerable<ITransformer>)Model).OfType<HyperGanEnsembleTransformer>().Single();

        /// <summary>The pipeline with its HyperGAN step scoring under other options (e.g. UnscorableRows = Throw).</summary>
        public ITransformer WithOptions(Action<HyperGanEnsembleOptions> edit) =>
            new TransformerChain<ITransformer>(((IEnumerable<ITransformer>)Model).First(), Rescoring(HyperGan, edit));
    }

    /// <summary>The same trained generator and ensemble, scoring with other options.</summary>
    static HyperGanEnsembleTransformer Rescoring(HyperGanEnsembleTransformer h, Action<HyperGanEnsembleOptions> edit)
    {
        var options = h.Options.Clone();
        edit(options);
        return new HyperGanEnsembleTransformer(h.Model, options, h.InputShape.ToArray(), h.KeyValues, h.Scorer, []);
    }

    static MlNetEstimatorTests.Digit With(MlNetEstimatorTests.Digit d, Func<float[], float[]> edit) =>
        new() { Label = d.Label, Features = edit((float[])d.Features.Clone()) };

    T Fails<T>(string what, Action act, params string[] mentions) where T : Exception => Expect.Fails<T>(output, what, act, mentions);

    List<Keyed> Score(ITransformer model, IEnumerable<MlNetEstimatorTests.Digit> rows) =>
        t.Ml.Data.CreateEnumerable<Keyed>(model.Transform(t.Ml.Data.LoadFromEnumerable(rows)), reuseRowObject: false).ToList();

    [Fact]
    public void A_vector_of_another_length_throws_naming_the_column_both_lengths_and_the_row()
    {
        using var engine = t.Ml.Model.CreatePredictionEngine<MlNetEstimatorTests.Digit, Keyed>(t.Model);
        var nine = t.Test.First(d => d.Label == "9");
        Assert.NotEqual(0u, engine.Predict(nine).PredictedLabel);
        // The case: half an image after a whole one was scored with the same engine.
        Fails<ArgumentException>("PredictionEngine, half vector", () => engine.Predict(With(nine, f => f[..392])), "'Features'", "392", "784", "Row");
        Fails<ArgumentException>("PredictionEngine, longer vector", () => engine.Predict(With(nine, f => [.. f, .. f])), "'Features'", "1568", "784");
        Fails<ArgumentException>("PredictionEngine, empty vector", () => engine.Predict(With(nine, _ => [])), "'Features'", " 0 values");

        var rows = t.Test.Take(12).ToList();
        rows[5] = With(rows[5], f => f[..700]);
        Fails<ArgumentException>("Transform, row 5 short", () => Score(t.Model, rows), "Row 5", "700", "784");
        rows[5] = With(t.Test[5], f => [.. f, 1f]);
        Fails<ArgumentException>("Transform, row 5 long", () => Score(t.Model, rows), "Row 5", "785", "784");

        // Training reads every row the same way: a short row is not silently shifted into the next one.
        var train = t.Test.Take(20).ToList();
        train[3] = With(train[3], f => f[..400]);
        var data = t.Ml.Data.LoadFromEnumerable(train);
        Fails<ArgumentException>("Fit, row 3 short",
            () => t.Ml.Transforms.Conversion.MapValueToKey("Label").Append(t.Ml.Transforms.HyperGanEnsemble(VectorDigits.Options())).Fit(data),
            "Row 3", "400", "784");
    }

    [Fact]
    public void NaN_or_infinite_features_give_the_missing_label_and_NaN_scores_and_leave_other_rows_unchanged()
    {
        var rows = t.Test.Take(12).ToList();
        var clean = Score(t.Model, rows);
        var bad = rows.ToList();
        bad[3] = With(rows[3], f => { f[100] = float.NaN; return f; });
        bad[6] = With(rows[6], f => { f[0] = float.PositiveInfinity; return f; });
        bad[7] = With(rows[7], f => { f[783] = float.NegativeInfinity; return f; });
        bad[9] = With(rows[9], f => f.Select(_ => float.MaxValue / 2).ToArray()); // finite, but the networks overflow
        var scored = Score(t.Model, bad);
        for (int i = 0; i < rows.Count; i++)
        {
            if (i is 3 or 6 or 7 or 9)
            {
                output.WriteLine(
                    $"row {i}: PredictedLabel {scored[i].PredictedLabel}, entropy {scored[i].PredictiveEntropy}, score[0] {scored[i].Score[0]}");
                Assert.Equal(0u, scored[i].PredictedLabel); // the missing key, as ML.NET's trainers give
                Assert.All(scored[i].Score, s => Assert.True(float.IsNaN(s)));
                Assert.True(float.IsNaN(scored[i].PredictiveEntropy));
                Assert.True(float.IsNaN(scored[i].Disagreement));
                continue;
            }
            Assert.NotEqual(0u, scored[i].PredictedLabel);
            Assert.Equal(clean[i].PredictedLabel, scored[i].PredictedLabel);
            for (int c = 0; c < 10; c++) Assert.Equal(clean[i].Score[c], scored[i].Score[c], 5);
            Assert.Equal(clean[i].PredictiveEntropy, scored[i].PredictiveEntropy, 5);
        }
        using var engine = t.Ml.Model.CreatePredictionEngine<MlNetEstimatorTests.Digit, Keyed>(t.Model);
        var single = engine.Predict(bad[3]);
        Assert.Equal(0u, single.PredictedLabel);
        Assert.True(float.IsNaN(single.PredictiveEntropy));
        Assert.Equal(clean[4].PredictedLabel, engine.Predict(rows[4]).PredictedLabel); // the engine recovers on the next row

        // MapKeyToValue turns the missing key into the label type's default: an empty string, never a class name.
        var toText = t.Ml.Transforms.Conversion.MapKeyToValue("PredictedLabel").Fit(t.Model.Transform(t.Ml.Data.LoadFromEnumerable(rows)));
        var labels = toText.Transform(t.Model.Transform(t.Ml.Data.LoadFromEnumerable(bad))).GetColumn<string>("PredictedLabel").ToList();
        Assert.Equal("", labels[3]);
        Assert.All(labels.Where((_, i) => i is not (3 or 6 or 7 or 9)), l => Assert.Matches("^[0-9]$", l));
    }

    [Fact]
    public void UnscorableRows_Throw_names_the_row_and_the_value()
    {
        var strict = t.WithOptions(o => o.UnscorableRows = UnscorableRowHandling.Throw);
        var rows = t.Test.Take(12).ToList();
        Assert.Equal(Score(t.Model, rows).Select(r => r.PredictedLabel), Score(strict, rows).Select(r => r.PredictedLabel));
        rows[4] = With(rows[4], f => { f[10] = float.NaN; return f; });
        Fails<ArgumentException>("Transform, NaN in row 4", () => Score(strict, rows), "Row 4", "'Features'", "feature 10 is NaN", "UnscorableRows");
        using var engine = t.Ml.Model.CreatePredictionEngine<MlNetEstimatorTests.Digit, Keyed>(strict);
        Fails<ArgumentException>("PredictionEngine, overflow", () =>
            engine.Predict(With(rows[0], f => f.Select(_ => float.MaxValue).ToArray())), "not finite");
    }

    public sealed class SparseDigit
    {
        [VectorType(784)] public VBuffer<float> Features { get; set; }
        public string Label { get; set; } = "";
    }

    public sealed class UnsizedDigit
    {
        public float[] Features { get; set; } = [];
        public string Label { get; set; } = "";
    }

    public sealed class Renamed
    {
        [VectorType(784)] public float[] Pixels { get; set; } = [];
        public string Label { get; set; } = "";
    }

    [Fact]
    public void Sparse_vectors_score_like_dense_ones_and_unsized_or_renamed_columns_are_refused()
    {
        var rows = t.Test.Take(10).ToList();
        var sparse = rows.Select(d =>
        {
            var indices = Enumerable.Range(0, 784).Where(i => d.Features[i] != 0).ToArray();
            return new SparseDigit
            {
                Label = d.Label,
                Features = new VBuffer<float>(784, indices.Length, indices.Select(i => d.Features[i]).ToArray(), indices)
            };
        }).ToList();
        Assert.True(sparse.All(s => !s.Features.IsDense));
        var dense = Score(t.Model, rows);
        var fromSparse = t.Ml.Data.CreateEnumerable<Keyed>(t.Model.Transform(t.Ml.Data.LoadFromEnumerable(sparse)), reuseRowObject: false).ToList();
        for (int i = 0; i < rows.Count; i++) Assert.Equal(dense[i].Score, fromSparse[i].Score);

        var unsized = t.Ml.Data.LoadFromEnumerable(rows.Select(d => new UnsizedDigit { Label = d.Label, Features = d.Features }));
        Fails<ArgumentOutOfRangeException>("variable-size vector", () => t.Model.Transform(unsized), "'Features'", "unknown size", "VectorType(784)");
        Fails<ArgumentOutOfRangeException>("PredictionEngine, variable-size vector", () =>
            t.Ml.Model.CreatePredictionEngine<UnsizedDigit, Keyed>(t.Model), "'Features'", "784");
        var renamed = t.Ml.Data.LoadFromEnumerable(rows.Select(d => new Renamed { Label = d.Label, Pixels = d.Features }));
        Fails<ArgumentOutOfRangeException>("column renamed after Fit", () => t.Model.Transform(renamed), "'Features' not found", "'Pixels'",
            "CopyColumns");
        Fails<ArgumentOutOfRangeException>("PredictionEngine, renamed column", () =>
            t.Ml.Model.CreatePredictionEngine<Renamed, Keyed>(t.Model), "'Features'");
    }

    [Fact]
    public void Regression_rows_with_NaN_features_get_NaN_Score_and_StdDev_or_throw()
    {
        var ml = new MLContext(seed: 1);
        var (x, y) = Fixtures.CubicRegression(seed: 0);
        var logs = new List<string>();
        ml.Log += (_, m) => { if (m.Message.Contains("HyperGAN: task")) lock (logs) logs.Add(m.Message); };
        var model = ml.Transforms.HyperGanEnsemble(VectorDigits.Options(o => o.Epochs = 20))
            .Fit(ml.Data.LoadFromEnumerable(x.Zip(y, (a, b) => new MlNetFitTests.Point { Features = [a], Label = b / 30 })));
        Assert.Equal(TaskKind.Regression, model.Task);
        output.WriteLine(string.Join("\n", logs));
        Assert.Contains(logs, l => l.Contains("task Regression") && l.Contains("automatic") && l.Contains("MapValueToKey"));

        var points = new[] { 0.5f, float.NaN, 1f, float.NegativeInfinity, float.MaxValue }.Select(v => new MlNetFitTests.Point { Features = [v] })
            .ToList();
        var scored = ml.Data.CreateEnumerable<MlNetFitTests.RegressionPrediction>(model.Transform(ml.Data.LoadFromEnumerable(points)),
            reuseRowObject: false).ToList();
        output.WriteLine(string.Join(", ", scored.Select(s => $"{s.Score:G4}±{s.StdDev:G4}")));
        foreach (int i in new[] { 0, 2 }) Assert.True(float.IsFinite(scored[i].Score) && float.IsFinite(scored[i].StdDev));
        foreach (int i in new[] { 1, 3 }) Assert.True(float.IsNaN(scored[i].Score) && float.IsNaN(scored[i].StdDev));
        // a huge finite input may overflow: then both NaN, never a finite mean with a NaN spread
        Assert.Equal(float.IsNaN(scored[4].Score), float.IsNaN(scored[4].StdDev));

        var strict = Rescoring(model, o => o.UnscorableRows = UnscorableRowHandling.Throw);
        using var engine = ml.Model.CreatePredictionEngine<MlNetFitTests.Point, MlNetFitTests.RegressionPrediction>(strict);
        Fails<ArgumentException>("regression PredictionEngine, NaN", () => engine.Predict(points[1]), "feature 0 is NaN");
    }
}
