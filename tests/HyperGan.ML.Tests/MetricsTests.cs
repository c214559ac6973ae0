using HyperGan.ML.Evaluation;
using Xunit;

namespace HyperGan.ML.Tests;

public class MetricsTests
{
    static float[,] P(params float[][] rows)
    {
        var p = new float[rows.Length, rows[0].Length];
        for (int i = 0; i < rows.Length; i++)
            for (int c = 0; c < rows[0].Length; c++) p[i, c] = rows[i][c];
        return p;
    }

    [Fact]
    public void Hand_computed_classification_metrics()
    {
        var p = P([0.9f, 0.1f], [0.6f, 0.4f]);
        int[] labels = [0, 1];
        Assert.Equal(0.5, ClassificationMetrics.Accuracy(p, labels));
        Assert.Equal((-Math.Log(0.9) - Math.Log(0.4)) / 2, ClassificationMetrics.NegativeLogLikelihood(p, labels), 6);
        Assert.Equal((0.01 + 0.01 + 0.36 + 0.36) / 2, ClassificationMetrics.Brier(p, labels), 6);
        // bins: 0.9 → bin 13 (correct), 0.6 → bin 9 (wrong): ½·|1 − 0.9| + ½·|0 − 0.6| = 0.35
        Assert.Equal(0.35, ClassificationMetrics.ExpectedCalibrationError(p, labels), 6);
    }

    [Fact]
    public void Confidence_of_exactly_one_falls_in_the_last_bin()
    {
        var p = P([1f, 0f], [1f, 0f]);
        Assert.Equal(0, ClassificationMetrics.ExpectedCalibrationError(p, [0, 0]), 9);
        Assert.Equal(1, ClassificationMetrics.ExpectedCalibrationError(p, [1, 1]), 9);
    }

    [Fact]
    public void Perfectly_calibrated_synthetic_predictions_have_near_zero_ece()
    {
        var rng = new Random(3);
        int n = 200_000;
        var p = new float[n, 2];
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            float conf = 0.5f + 0.5f * (float)rng.NextDouble();
            p[i, 0] = conf;
            p[i, 1] = 1 - conf;
            labels[i] = rng.NextDouble() < conf ? 0 : 1; // right exactly as often as it claims
        }
        Assert.True(ClassificationMetrics.ExpectedCalibrationError(p, labels) < 0.01);
        // And an overconfident version of the same predictions is clearly miscalibrated.
        var over = (float[,])p.Clone();
        for (int i = 0; i < n; i++) { over[i, 0] = Math.Min(1f, over[i, 0] + 0.2f); over[i, 1] = 1 - over[i, 0]; }
        Assert.True(ClassificationMetrics.ExpectedCalibrationError(over, labels) > 0.1);
    }

    [Fact]
    public void Ood_metrics_on_perfect_constant_and_hand_made_scores()
    {
        double[] inl = [0.1, 0.2, 0.3], outl = [0.7, 0.8];
        var perfect = OodDetection.Evaluate(inl, outl);
        Assert.Equal(1, perfect.AuRoc);
        Assert.Equal(1, perfect.AuPr);
        Assert.Equal(0, perfect.FprAt95Tpr);
        var constant = OodDetection.Evaluate([1, 1, 1], [1, 1]);
        Assert.Equal(0.5, constant.AuRoc);
        Assert.Equal(2 / 5.0, constant.AuPr, 9);  // the outlier share
        Assert.Equal(1, constant.FprAt95Tpr);
        // pairs (out > in): 0.35 beats 0.1 only, 0.8 beats both → 3 of 4
        Assert.Equal(0.75, OodDetection.AuRoc([0.1, 0.4], [0.35, 0.8]), 9);
        // ranking 0.8(out) 0.4(in) 0.35(out) 0.1(in): AP = ½·1 + ½·(2/3)
        Assert.Equal(0.5 + 0.5 * 2 / 3.0, OodDetection.AuPr([0.1, 0.4], [0.35, 0.8]), 9);
        Assert.Equal(0.5, OodDetection.FprAtTpr([0.1, 0.4], [0.35, 0.8]), 9); // threshold 0.35 flags 0.4
        Assert.Equal(0.5, OodDetection.AuRoc([0.5, 0.1], [0.5, 0.1]), 9);   // identical distributions
    }

    [Fact]
    public void Uncertainty_of_agreeing_and_disagreeing_members()
    {
        var a = P([1f, 0f], [0.5f, 0.5f]);
        var b = P([0f, 1f], [0.5f, 0.5f]);
        var mean = UncertaintyMetrics.MeanProbabilities([a, b]);
        Assert.Equal(0.5f, mean[0, 0]);
        var h = UncertaintyMetrics.PredictiveEntropy(mean);
        Assert.Equal(Math.Log(2), h[0], 6);
        Assert.Equal(Math.Log(2), h[1], 6);
        var mi = UncertaintyMetrics.MutualInformation([a, b]);
        Assert.Equal(Math.Log(2), mi[0], 6); // confident members that disagree: all epistemic
        Assert.Equal(0, mi[1], 6);           // members that agree on 50/50: all aleatoric
        var votes = UncertaintyMetrics.VoteDisagreement([P([1f, 0f]), P([1f, 0f]), P([0f, 1f])]);
        Assert.Equal(2 / 3.0, votes[0], 9);
    }
}
