using HyperGan.ML.Engine.Targets;
using HyperGan.ML.Engine.Training;
using Xunit;

namespace HyperGan.ML.Tests;

[Trait(Speed.Trait, Speed.Slow)] // trains networks: left out of the fast inner loop (CONTRIBUTING.md)
public class LearningRateScheduleTests
{
    /// <summary>How far the generators' parameters move in epochs 2 and 3 of a 3-epoch fit of 300 digits.</summary>
    static double[] MoveInLaterEpochs(LearningRateSchedule schedule)
    {
        var (train, _) = Fixtures.MnistSlice(300, 10);
        using var data = TrainingSet.ForClassification(train.Pixels, train.Labels, train.Shape, 10);
        var options = new HyperGanTrainingOptions
        {
            Architecture = Fixtures.SmallArchitecture, Epochs = 3, BatchSize = 30, NetworksPerStep = 4, LearningRate = 1e-3,
            PretrainMaxSteps = 20, Seed = 5, LearningRateSchedule = schedule,
        };
        var snapshots = new List<float[]>();
        using var trained = HyperGanTrainer.Fit(TargetNetworks.MnistCnn(), data, options, epochCompleted: (_, m) =>
        {
            snapshots.Add(m.LayerGeneratorParameters().SelectMany(p => p.data<float>().ToArray()).ToArray());
            return true;
        });
        return [Distance(snapshots[1], snapshots[0]), Distance(snapshots[2], snapshots[1])];
    }

    static double Distance(float[] a, float[] b) => Math.Sqrt(a.Zip(b, (x, y) => (double)(x - y) * (x - y)).Sum());

    [Fact]
    public void Cosine_annealing_makes_the_last_epoch_move_the_generators_far_less_than_constant_rates()
    {
        var constant = MoveInLaterEpochs(LearningRateSchedule.Constant);
        var cosine = MoveInLaterEpochs(LearningRateSchedule.Cosine);
        // Cosine over 3 epochs: epoch 2 runs at ¾ → ¼ of the rate (mean ½), epoch 3 at ¼ → 0 (mean ≈ 0.09); Adam's
        // moves scale with the rate.
        Assert.True(cosine[1] < 0.4 * constant[1], $"epoch 3: cosine {cosine[1]:F4} vs constant {constant[1]:F4}");
        Assert.True(cosine[1] < 0.5 * cosine[0], $"cosine: epoch 3 {cosine[1]:F4} vs epoch 2 {cosine[0]:F4}");
    }
}
