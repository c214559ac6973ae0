using HyperGan.ML.Engine.Decisions;
using HyperGan.ML.Engine.Ensembles;
using HyperGan.ML.Evaluation;

namespace HyperGan.ML;

/// <summary>
/// Fits a <see cref="HeldOutCalibration"/> on held-out rows after training: the temperature on one half (when
/// <see cref="HyperGanEnsembleOptions.Calibrate"/> and a threshold are both asked for), the conformal thresholds and
/// the reported metrics on the other, so the thresholds' guarantees hold for the calibrated scores.
/// </summary>
internal static class HeldOutCalibrator
{
    /// <summary>The fewest rows a temperature is fitted on: fewer make the held-out NLL too noisy to trust.</summary>
    public const int MinimumTemperatureRows = 20;

    /// <summary>Checks, before training, that <paramref name="heldOutRows"/> rows suffice for what the options ask.</summary>
    /// <exception cref="ArgumentException">Too few rows: the message names the option, the minimum and the fix.</exception>
    public static void CheckCount(HyperGanEnsembleOptions o, int heldOutRows, string source)
    {
        var (temperatureRows, thresholdRows) = Parts(o, heldOutRows);
        if (o.Calibrate && temperatureRows < MinimumTemperatureRows)
            throw new ArgumentException($"Calibrate needs at least {MinimumTemperatureRows} held-out rows for the temperature but {source} " +
                $"gives {temperatureRows}{SplitNote(o)}. " +
                "Raise ValidationFraction or pass a larger validation data view to Fit.", nameof(HyperGanEnsembleOptions.Calibrate));
        foreach (var (name, level) in Levels(o))
        {
            int minimum = ConformalQuantile.MinimumCount(level);
            if (thresholdRows < minimum)
                throw new ArgumentException($"{name} needs at least {minimum} held-out rows for a finite threshold at level {level} but " +
                    $"{source} gives {thresholdRows}{SplitNote(o)}. " +
                    "Raise ValidationFraction or pass a larger validation data view to Fit.", name);
        }
    }

    /// <summary>Fits the temperature and thresholds the options ask for on <paramref name="heldOut"/>, measured through <paramref
    /// name="scorer"/>.</summary>
    public static HeldOutCalibration Fit(EnsembleScorer scorer, TrainingExamples heldOut, HyperGanEnsembleOptions o, bool regression, int seed)
    {
        var (temperatureCount, _) = Parts(o, heldOut.Count);
        var (temperatureRows, thresholdRows) = temperatureCount == 0 ? (null, heldOut)
            : temperatureCount == heldOut.Count ? (heldOut, heldOut)
            : heldOut.Split(temperatureCount, seed);
        var calibration = new HeldOutCalibration
        {
            Rows = heldOut.Count, TemperatureRows = temperatureRows?.Count ?? 0, ThresholdRows = thresholdRows.Count,
            OutOfDistributionFalseAlarmRate = o.OutOfDistributionFalseAlarmRate, Coverage = o.Coverage,
            OutOfDistributionScore = o.OutOfDistributionFalseAlarmRate is null || regression ? null : o.OutOfDistributionScore,
        };
        if (temperatureRows is not null)
        {
            using var logits = scorer.MemberOutputs(temperatureRows.Features, temperatureRows.Count);
            var method = o.CalibrationMethod == CalibrationMethod.Temperature ? CalibrationMaps.Temperature : CalibrationMaps.TemperatureAndTopLabel;
            var maps = EnsembleCalibration.Fit(logits, temperatureRows.ClassLabels!, method,
                o.CalibrationShrinkage ?? EnsembleCalibration.DefaultShrinkage(method));
            calibration = calibration with { Temperature = maps.Temperature, TopLabel = maps.TopLabel };
        }
        scorer.Calibration = calibration with { Temperature = 1, TopLabel = TopLabelScaling.Identity };
        var raw = Score(scorer, thresholdRows);
        scorer.Calibration = calibration;
        var calibrated = calibration.Fitted.IsIdentity ? raw : Score(scorer, thresholdRows);
        scorer.Calibration = null;
        int n = thresholdRows.Count;

        if (regression)
        {
            var targets = thresholdRows.Targets!;
            double floor = ConformalSets.StdFloor(calibrated.StdDev);
            return calibration with
            {
                RootMeanSquaredError = Math.Sqrt(Enumerable.Range(0, n).Average(r => Math.Pow(calibrated.Scores[r] - targets[r], 2))),
                StdDevFloor = floor,
                OutOfDistributionThreshold = o.OutOfDistributionFalseAlarmRate is { } falseAlarms
                    ? ConformalSets.FlagThreshold(calibrated.StdDev.Select(v => (double)v).ToArray(), falseAlarms) : null,
                ConformalThreshold = o.Coverage is { } level
                    ? ConformalSets.IntervalThreshold(calibrated.Scores, calibrated.StdDev, targets, floor, level) : null,
            };
        }

        var labels = thresholdRows.ClassLabels!;
        var rawP = Matrix(raw);
        var calibratedP = Matrix(calibrated);
        return calibration with
        {
            Accuracy = ClassificationMetrics.Accuracy(calibratedP, labels),
            NegativeLogLikelihood = ClassificationMetrics.NegativeLogLikelihood(rawP, labels),
            ExpectedCalibrationError = ClassificationMetrics.ExpectedCalibrationError(rawP, labels),
            CalibratedNegativeLogLikelihood = ClassificationMetrics.NegativeLogLikelihood(calibratedP, labels),
            CalibratedExpectedCalibrationError = ClassificationMetrics.ExpectedCalibrationError(calibratedP, labels),
            OutOfDistributionThreshold = o.OutOfDistributionFalseAlarmRate is { } rate
                ? ConformalSets.FlagThreshold(Enumerable.Range(0, n).Select(r => calibration.ScoreOf(calibrated, r)).ToArray(), rate) : null,
            ConformalThreshold = o.Coverage is { } coverage ? ConformalSets.ClassThreshold(calibrated.Scores, labels, coverage) : null,
        };
    }

    // How many held-out rows fit the temperature, and how many set the thresholds and measure the metrics.
    static (int Temperature, int Thresholds) Parts(HyperGanEnsembleOptions o, int rows) =>
        !o.Calibrate ? (0, rows) : Levels(o).Any() ? (rows / 2, rows - rows / 2) : (rows, rows);

    static string SplitNote(HyperGanEnsembleOptions o) => o.Calibrate && Levels(o).Any()
        ? " (Calibrate takes half of the held-out rows for the temperature; the thresholds are set on the other half)" : "";

    static IEnumerable<(string Option, double Level)> Levels(HyperGanEnsembleOptions o)
    {
        if (o.OutOfDistributionFalseAlarmRate is { } rate) yield return (nameof(o.OutOfDistributionFalseAlarmRate), 1 - rate);
        if (o.Coverage is { } coverage) yield return (nameof(o.Coverage), coverage);
    }

    // All rows in one call: the ensemble's forward pass already runs them in batches (SampledEnsemble.Forward).
    static ScoredBlock Score(EnsembleScorer scorer, TrainingExamples rows) =>
        scorer.Score(rows.Features, rows.Count, Enumerable.Repeat(-1, rows.Count).ToArray());

    static float[,] Matrix(ScoredBlock block)
    {
        var m = new float[block.Count, block.Width];
        Buffer.BlockCopy(block.Scores, 0, m, 0, block.Scores.Length * sizeof(float));
        return m;
    }
}
