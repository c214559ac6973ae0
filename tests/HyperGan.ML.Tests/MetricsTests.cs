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
    public void Calibration_error_floor_is_the_mean_ece_of_a_calibrated_model_on_as_many_rows()
    {
        // By hand: one row at confidence 0.5 is right or wrong, |1 − 0.5| = |0 − 0.5|; certain rows have no floor.
        Assert.Equal(0.5, ClassificationMetrics.CalibrationErrorFloor(new float[,] { { 0.5f, 0.5f } }), 9);
        Assert.Equal(0, ClassificationMetrics.CalibrationErrorFloor(new float[,] { { 1f, 0f }, { 0f, 1f } }), 9);
        // Against simulation: 1,500 rows of 10 classes with confidences between 0.2 and 0.8, labels drawn from the
        // predicted probabilities 400 times; the mean measured ECE is the floor.
        var rng = new Random(7);
        int n = 1500, classes = 10;
        var p = new float[n, classes];
        for (int i = 0; i < n; i++)
        {
            float top = 0.2f + 0.6f * (float)rng.NextDouble();
            for (int c = 0; c < classes; c++) p[i, c] = c == 0 ? top : (1 - top) / (classes - 1);
        }
        double simulated = Enumerable.Range(0, 400).Average(_ =>
            ClassificationMetrics.ExpectedCalibrationError(p, Enumerable.Range(0, n).Select(i => rng.NextDouble() < p[i, 0] ? 0 : 1).ToArray()));
        double floor = ClassificationMetrics.CalibrationErrorFloor(p);
        Assert.InRange(floor, 0.01, 0.05);
        Assert.Equal(simulated, floor, 0.002);
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

    [Fact]
    public void Hand_computed_selective_classification_and_prediction_set_metrics()
    {
        // Confidence order: 0.9 (right), 0.8 (wrong), 0.5 (right), 0.1 (wrong).
        double[] confidence = [0.5, 0.9, 0.1, 0.8];
        bool[] correct = [true, true, false, false];
        var curve = SelectiveClassification.RiskCoverage(confidence, correct);
        Assert.Equal([0.0, 0.5, 1.0 / 3, 0.5], curve.Select(p => p.Risk), new ToleranceComparer(1e-12));
        Assert.Equal([0.25, 0.5, 0.75, 1.0], curve.Select(p => p.Coverage));
        Assert.Equal((0 + 0.5 + 1.0 / 3 + 0.5) / 4, SelectiveClassification.Aurc(confidence, correct), 12);
        Assert.Equal(0.5, SelectiveClassification.AccuracyAtCoverage(confidence, correct, 0.5), 12);
        Assert.Equal(1.0, SelectiveClassification.AccuracyAtCoverage(confidence, correct, 0.25), 12);
        Assert.Throws<ArgumentException>(() => SelectiveClassification.Aurc([double.NaN], [true]));

        var sets = new bool[3, 3] { { true, false, false }, { true, true, false }, { false, false, false } };
        Assert.Equal(2.0 / 3, PredictionSetMetrics.Coverage(sets, [0, 1, 2]), 12);
        Assert.Equal(1.0, PredictionSetMetrics.MeanSetSize(sets), 12);
        Assert.Equal(0.5, PredictionSetMetrics.IntervalCoverage([0f, 0f], [1f, 1f], [0.5f, 2f]), 12);
        Assert.Equal(1.5, PredictionSetMetrics.MeanIntervalWidth([0f, 0f], [1f, 2f]), 12);
    }

    [Fact]
    public void Conformal_quantile_is_the_ceil_n_plus_1_times_level_smallest_score_and_refuses_too_few()
    {
        double[] scores = [5, 1, 4, 2, 3, 9, 8, 7, 6, 10]; // n = 10
        Assert.Equal(9, HyperGan.ML.Engine.Decisions.ConformalQuantile.Of(scores, 0.8)); // ⌈11 × 0.8⌉ = 9th smallest
        Assert.Equal(6, HyperGan.ML.Engine.Decisions.ConformalQuantile.Of(scores, 0.5)); // ⌈5.5⌉ = 6th
        Assert.Equal(9, HyperGan.ML.Engine.Decisions.ConformalQuantile.MinimumCount(0.9));
        Assert.Equal(19, HyperGan.ML.Engine.Decisions.ConformalQuantile.MinimumCount(0.95));
        // NaN counts as +∞
        Assert.Equal(double.PositiveInfinity, HyperGan.ML.Engine.Decisions.ConformalQuantile.Of([1, 2, 3, 4, 5, 6, 7, 8, double.NaN], 0.9));
        var e = Assert.Throws<ArgumentException>(() => HyperGan.ML.Engine.Decisions.ConformalQuantile.Of(scores, 0.95));
        Assert.Contains("at least 19", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => HyperGan.ML.Engine.Decisions.ConformalQuantile.MinimumCount(1));

        // Coverage on exchangeable data: over many random calibration/test draws the mean coverage is within [level, level + 1/(n+1)].
        var rng = new Random(3);
        double covered = 0;
        const int draws = 2000, n = 99;
        for (int d = 0; d < draws; d++)
        {
            var calibration = Enumerable.Range(0, n).Select(_ => rng.NextDouble()).ToArray();
            double q = HyperGan.ML.Engine.Decisions.ConformalQuantile.Of(calibration, 0.9);
            if (rng.NextDouble() <= q) covered++;
        }
        Assert.InRange(covered / draws, 0.88, 0.93); // expected exactly 0.9 (⌈100 × 0.9⌉ / 100); ±3 σ of 2,000 draws ≈ ±0.02
    }

    sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= tolerance;
        public int GetHashCode(double value) => 0;
    }
}
