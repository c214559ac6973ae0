using System.Diagnostics;
using HyperGan.ML.Engine.Persistence;
using HyperGan.ML.Engine.Training;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit;
using Xunit.Abstractions;

namespace HyperGan.ML.Tests;

/// <summary>Fit-time behaviour through ML.NET: regression, device selection, cancellation, fresh vs frozen ensembles.</summary>
[Trait(Speed.Trait, Speed.Slow)] // trains networks or runs apps: left out of the fast inner loop (CONTRIBUTING.md)
public class MlNetFitTests(ITestOutputHelper output)
{
    public sealed class Point
    {
        [VectorType(1)] public float[] Features { get; set; } = [];
        public float Label { get; set; }
    }

    public sealed class RegressionPrediction
    {
        public float Score { get; set; }
        public float StdDev { get; set; }
    }

    static IDataView Digits(MLContext ml, int count, int seed = 1)
    {
        var (train, _) = Fixtures.MnistSlice(count, 10, seed);
        var data = ml.Data.LoadFromEnumerable(MlNetEstimatorTests.Digits(train));
        return ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data);
    }

    [Fact]
    public void Float_label_trains_a_regressor_with_Score_and_StdDev_that_widens_away_from_the_data()
    {
        var ml = new MLContext(seed: 3);
        var (x, y) = Fixtures.CubicRegression(seed: 0);
        // y = x³ spans about ±64, given in its own units: training standardises it.
        var train = ml.Data.LoadFromEnumerable(x.Zip(y, (a, b) => new Point { Features = [a], Label = b }));
        var estimator = ml.Transforms.HyperGanEnsemble(new HyperGanEnsembleOptions
        {
            EnsembleSize = 200, Epochs = 2000, BatchSize = 20, NetworksPerStep = 32, LearningRate = 1e-3, MixerLearningRate = 1e-3,
            NoiseDim = 32, CodeDim = 32, HiddenUnits = 128, Seed = 2,
        });
        var promised = estimator.GetOutputSchema(SchemaShapeColumns.FromSchema(train.Schema));
        var model = estimator.Fit(train);
        Assert.Equal(TaskKind.Regression, model.Task);
        Assert.Equal("mlp", model.Model.Target.Name); // default target for a [1] vector: 1 → 100 ReLU → 1

        var grid = Fixtures.RegressionGrid;
        var scored = model.Transform(ml.Data.LoadFromEnumerable(grid.Select(g => new Point { Features = [g] })));
        Assert.Equal(NumberDataViewType.Single, scored.Schema["Score"].Type);
        Assert.Equal(NumberDataViewType.Single, scored.Schema["StdDev"].Type);
        Assert.Null(scored.Schema.GetColumnOrNull("PredictedLabel"));
        Assert.Contains(promised, c => c.Name == "StdDev");
        Assert.DoesNotContain(promised, c => c.Name == "PredictedLabel");
        var rows = ml.Data.CreateEnumerable<RegressionPrediction>(scored, reuseRowObject: false).ToArray();
        var mean = rows.Select(r => r.Score).ToArray();
        var std = rows.Select(r => r.StdDev).ToArray();
        var (rmse, stdIn, stdOut, covered) = Fixtures.RegressionBand(grid, mean, std);
        output.WriteLine($"ML.NET regression: RMSE vs x³ on [−4, 4] {rmse:F2}; mean StdDev inside {stdIn:F2}, outside |x| ≥ 5 {stdOut:F2}; " +
            $"truth inside Score ± 3 StdDev at {covered:P0} of |x| ≥ 5");
        Assert.True(rmse < 8, $"RMSE {rmse:F2} (noise σ 3, range ±64)");
        Assert.True(covered >= 0.9, $"the truth lies inside Score ± 3 StdDev at only {covered:P0} of the points with |x| ≥ 5");
        Assert.True(stdOut > 1.5 * stdIn, $"StdDev outside ({stdOut:F2}) should exceed inside ({stdIn:F2})");

        using var engine = ml.Model.CreatePredictionEngine<Point, RegressionPrediction>(model);
        var single = engine.Predict(new Point { Features = [grid[10]] });
        // Equal to float rounding relative to the value (one row vs a batch: other GEMM blocking).
        Assert.Equal(rows[10].Score, single.Score, 1e-5 * Math.Max(1, Math.Abs(rows[10].Score)));
        Assert.Equal(rows[10].StdDev, single.StdDev, 1e-5 * Math.Max(1, Math.Abs(rows[10].StdDev)));
    }

    [Fact]
    public void GpuDeviceId_without_CUDA_throws_unless_FallbackToCpu()
    {
        var ml = new MLContext(seed: 1) { GpuDeviceId = 0, FallbackToCpu = false };
        var data = Digits(ml, 200);
        var options = MlNetEstimatorTests.Small(o => o.Epochs = 1);
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<InvalidOperationException>(() => ml.Transforms.HyperGanEnsemble(options).Fit(data));
        output.WriteLine($"{e.Message} ({clock.ElapsedMilliseconds} ms)");
        Assert.Contains("GpuDeviceId is 0", e.Message);
        Assert.Contains("TorchSharp-cuda", e.Message);
        Assert.Contains("FallbackToCpu", e.Message);

        ml.FallbackToCpu = true;
        var warnings = new List<string>();
        ml.Log += (_, m) => { if (m.Message.Contains("FallbackToCpu")) lock (warnings) warnings.Add(m.Message); };
        var model = ml.Transforms.HyperGanEnsemble(options).Fit(data);
        Assert.Equal(TorchSharp.DeviceType.CPU, model.Model.Model.Device.type);
        Assert.NotEmpty(warnings);
    }

    [Fact]
    public void Cancellation_stops_Fit_within_an_epoch_and_throws_OperationCanceled()
    {
        var ml = new MLContext(seed: 1);
        var data = Digits(ml, 300);
        using var cts = new CancellationTokenSource();
        var epochs = new List<string>();
        ml.Log += (_, m) =>
        {
            if (!m.Message.Contains("HyperGAN: epoch")) return;
            lock (epochs) epochs.Add(m.Message);
            cts.Cancel(); // cancel as soon as the first epoch has been reported
        };
        var options = MlNetEstimatorTests.Small(o => { o.Epochs = 200; o.CancellationToken = cts.Token; });
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long tensorsBefore = TorchSharp.torch.Tensor.TotalCount;
        var clock = Stopwatch.StartNew();
        Assert.Throws<OperationCanceledException>(() => ml.Transforms.HyperGanEnsemble(options).Fit(data));
        var elapsed = clock.Elapsed;
        long tensorsAfter = TorchSharp.torch.Tensor.TotalCount; // before any GC: what cancellation disposed itself
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long tensorsAfterGc = TorchSharp.torch.Tensor.TotalCount;
        // TorchSharp's counter never decrements the tensor a new Parameter takes its handle from, so merely creating and
        // disposing a model of this size moves it by the parameter count; a cancelled Fit may move it by that, no more.
        long beforeModel = TorchSharp.torch.Tensor.TotalCount;
        new HyperGan.ML.Engine.Model.HyperGanModel(HyperGan.ML.Engine.Targets.TargetNetworks.MnistCnn(),
            new HyperGan.ML.Engine.Model.HyperGanArchitecture { NoiseDim = 32, CodeDim = 32, HiddenUnits = 128 }).Dispose();
        long artifact = TorchSharp.torch.Tensor.TotalCount - beforeModel;
        output.WriteLine($"cancelled after {elapsed.TotalSeconds:F1} s; epochs logged: {epochs.Count}; tensor counter {tensorsBefore} → " +
            $"{tensorsAfter} (after GC {tensorsAfterGc}); create+dispose of the model alone: +{artifact}");
        Assert.True(tensorsAfter - tensorsBefore <= artifact, $"{tensorsAfter - tensorsBefore - artifact} tensors still alive after a cancelled Fit");
        Assert.Single(epochs); // the next step saw the token: no second epoch
        Assert.True(elapsed < TimeSpan.FromSeconds(60), $"cancellation took {elapsed}");
    }

    [Fact]
    public void Fresh_ensembles_resample_per_batch_while_a_frozen_one_repeats_exactly()
    {
        var ml = new MLContext(seed: 1);
        var data = Digits(ml, 300);
        var fresh = ml.Transforms.HyperGanEnsemble(MlNetEstimatorTests.Small(o => { o.Epochs = 1; o.FreezeEnsemble = false; o.Seed = 5; })).Fit(data);
        var frozen = ml.Transforms.HyperGanEnsemble(MlNetEstimatorTests.Small(o => { o.Epochs = 1; o.FreezeEnsemble = true; o.Seed = 5; })).Fit(data);
        Assert.NotEqual(Scores.Dump(fresh.Transform(data)), Scores.Dump(fresh.Transform(data)));
        Assert.Equal(Scores.Dump(frozen.Transform(data)), Scores.Dump(frozen.Transform(data)));
        // Same seed, same training: the two generators are identical; only the scoring differs.
        Assert.Equal(ModelFile.ToBytes(fresh.Model), ModelFile.ToBytes(frozen.Model));
    }
}
