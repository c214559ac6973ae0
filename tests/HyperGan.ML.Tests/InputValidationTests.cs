using HyperGan.ML.Engine.Data;
using HyperGan.ML.Engine.Targets;
using HyperGan.ML.Engine.Training;
using Xunit;

namespace HyperGan.ML.Tests;

public class InputValidationTests
{
    static readonly int[] Shape = [1, 2, 2];

    [Fact]
    public void Bad_training_data_is_rejected_with_the_example_and_fix_named()
    {
        var nan = new float[8];
        nan[5] = float.NaN;
        Assert.Contains("example 1", Assert.Throws<ArgumentException>(() => TrainingSet.ForClassification(nan, [0, 1], Shape, 2)).Message);
        Assert.Contains("outside [0, 2)",
            Assert.Throws<ArgumentException>(() => TrainingSet.ForClassification(new float[8], [0, 2], Shape, 2)).Message);
        Assert.Contains("same label", Assert.Throws<ArgumentException>(() => TrainingSet.ForClassification(new float[8], [1, 1], Shape, 2)).Message);
        Assert.Contains("empty", Assert.Throws<ArgumentException>(() => TrainingSet.ForClassification([], [], Shape, 2)).Message);
        Assert.Contains("feature values",
            Assert.Throws<ArgumentException>(() => TrainingSet.ForClassification(new float[7], [0, 1], Shape, 2)).Message);
        Assert.Contains("finite", Assert.Throws<ArgumentException>(() => TrainingSet.ForRegression([1f], [float.PositiveInfinity], [1])).Message);
    }

    [Theory]
    [InlineData("NetworksPerStep")]
    [InlineData("BatchSize")]
    [InlineData("Epochs")]
    [InlineData("Beta")]
    [InlineData("LearningRate")]
    [InlineData("CodeDim")]
    public void Invalid_options_name_the_option(string option)
    {
        var o = new HyperGanTrainingOptions();
        o = option switch
        {
            "NetworksPerStep" => o with { NetworksPerStep = 0 },
            "BatchSize" => o with { BatchSize = -1 },
            "Epochs" => o with { Epochs = 0 },
            "Beta" => o with { Beta = -1 },
            "LearningRate" => o with { LearningRate = double.NaN },
            _ => o with { Architecture = o.Architecture with { CodeDim = 0 } },
        };
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => o.Validate());
        Assert.Equal(option, e.ParamName);
    }

    [Fact]
    public void A_fit_whose_parameters_stop_being_finite_throws_instead_of_returning_a_model_that_scores_NaN()
    {
        var (x, y) = Fixtures.CubicRegression(seed: 0);
        using var data = TrainingSet.ForRegression(x, y, [1]);
        var options = new HyperGanTrainingOptions
        {
            Task = TaskKind.Regression, Architecture = Fixtures.SmallArchitecture, Epochs = 2, BatchSize = 20, NetworksPerStep = 4, Seed = 3,
            LearningRate = 1e30, MixerLearningRate = 1e30, // Adam moves every parameter by about the rate: outputs overflow, then NaN
        };
        var e = Assert.Throws<InvalidOperationException>(() => HyperGanTrainer.Fit(TargetNetworks.Regression1D(), data, options));
        Assert.Contains("Training diverged", e.Message);
        Assert.Contains("LearningRate (1E+30)", e.Message);
    }

    [Fact]
    public void Data_that_does_not_fit_the_target_is_rejected_before_training()
    {
        using var data = TrainingSet.ForClassification(new float[8], [0, 1], Shape, 2);
        var e = Assert.Throws<ArgumentException>(() => HyperGanTrainer.Fit(TargetNetworks.MnistCnn(), data, new HyperGanTrainingOptions()));
        Assert.Contains("[1, 28, 28]", e.Message);
        var mismatch = Assert.Throws<ArgumentException>(() =>
            HyperGanTrainer.Fit(TargetNetworks.MnistCnn(), data, new HyperGanTrainingOptions { Task = TaskKind.Regression }));
        Assert.Contains("Task", mismatch.Message);
    }

    [Fact]
    public void Cancellation_stops_fit_promptly_with_OperationCanceledException()
    {
        var (train, _) = Fixtures.MnistSlice(500, 10);
        using var data = TrainingSet.ForClassification(train.Pixels, train.Labels, train.Shape, 10);
        using var cts = new CancellationTokenSource();
        int reportsAfterCancel = 0;
        var progress = new SyncProgress<TrainingProgress>(p =>
        {
            if (cts.IsCancellationRequested) reportsAfterCancel++;
            if (p.Phase == TrainingPhase.Train && p.Step == 2) cts.Cancel();
        });
        var options = new HyperGanTrainingOptions { Architecture = Fixtures.SmallArchitecture, Epochs = 50, BatchSize = 32, NetworksPerStep = 4 };
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            HyperGanTrainer.Fit(TargetNetworks.MnistCnn(), data, options, progress, cancellationToken: cts.Token));
        Assert.Equal(0, reportsAfterCancel); // no further step ran after the cancel
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60));
    }

    [Fact]
    public void Stratified_split_is_seeded_disjoint_complete_and_proportional()
    {
        var labels = TestData.Mnist.Labels;
        var (train, test) = StratifiedSplit.Split(labels, 5000, seed: 1);
        Assert.Equal(5000, train.Length);
        Assert.Equal(10_000, train.Concat(test).Distinct().Count());
        Assert.Equal(train, StratifiedSplit.Split(labels, 5000, seed: 1).Train);
        Assert.NotEqual(train, StratifiedSplit.Split(labels, 5000, seed: 2).Train);
        for (int c = 0; c < 10; c++)
        {
            int all = labels.Count(l => l == c), inTrain = train.Count(i => labels[i] == c);
            Assert.InRange(inTrain, all / 2 - 1, all / 2 + 1); // MNIST test counts: 980, 1135, ... → half each
        }
    }

    [Fact]
    public void Truncated_or_foreign_idx_files_are_rejected()
    {
        var dir = Directory.CreateTempSubdirectory("hypergan-idx-").FullName;
        try
        {
            var truncated = Path.Combine(dir, "images.idx");
            File.WriteAllBytes(truncated, [0, 0, 8, 3, 0, 0, 0, 10, 0, 0, 0, 28, 0, 0, 0, 28, 1, 2, 3]);
            Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => IdxFile.ReadImages(truncated)).Message);
            var labels = Path.Combine(dir, "labels.idx");
            File.WriteAllBytes(labels, [0, 0, 8, 1, 0, 0, 0, 1, 7]);
            Assert.Contains("not an IDX image file", Assert.Throws<InvalidDataException>(() => IdxFile.ReadImages(labels)).Message);
            Assert.Equal([7], IdxFile.ReadLabels(labels));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
