using HyperGan.ML.Engine.Decisions;
using HyperGan.ML.Engine.Ensembles;

namespace HyperGan.ML;

/// <summary>
/// What Fit learned from held-out rows (rows it did not train on): the temperature, the out-of-distribution threshold,
/// the conformal threshold of the prediction sets, and the held-out metrics before and after calibration. Saved with
/// the model; every scored row goes through it. Reach it through <see cref="HyperGanEnsembleTransformer.Calibration"/>.
/// </summary>
public sealed record HeldOutCalibration
{
    /// <summary>Held-out rows in all.</summary>
    public int Rows { get; init; }
    /// <summary>Rows the temperature was fitted on (0 without <see cref="HyperGanEnsembleOptions.Calibrate"/>).</summary>
    public int TemperatureRows { get; init; }
    /// <summary>Rows the thresholds were set on and the metrics below measured on. When the temperature is fitted too,
    /// these are the other half of the held-out rows, so the thresholds' guarantees do not depend on the temperature's fit.</summary>
    public int ThresholdRows { get; init; }
    /// <summary>The temperature the ensemble's mean log-probability is divided by before a softmax (1 = not calibrated; see
    /// <see cref="Engine.Ensembles.TemperatureScaling"/>).</summary>
    public double Temperature { get; init; } = 1;
    /// <summary>The top-label map applied after the temperature (identity unless <see cref="HyperGanEnsembleOptions.CalibrationMethod"/>
    /// is <see cref="CalibrationMethod.TemperatureAndTopLabel"/>), fitted on the same rows as the temperature.</summary>
    public TopLabelScaling TopLabel { get; init; } = TopLabelScaling.Identity;

    /// <summary>The fitted maps as the engine applies them (<see cref="EnsembleCalibration.Probabilities"/>).</summary>
    internal EnsembleCalibration Fitted => new(TopLabel.IsIdentity ? Temperature == 1 ? CalibrationMaps.None : CalibrationMaps.Temperature
        : CalibrationMaps.TemperatureAndTopLabel, Temperature, TopLabel);

    /// <summary>Classification: accuracy on <see cref="ThresholdRows"/>.</summary>
    public double? Accuracy { get; init; }
    /// <summary>Classification: negative log-likelihood of the uncalibrated ensemble on <see cref="ThresholdRows"/>.</summary>
    public double? NegativeLogLikelihood { get; init; }
    /// <summary>Classification: expected calibration error (15 bins) of the uncalibrated ensemble on <see cref="ThresholdRows"/>.</summary>
    public double? ExpectedCalibrationError { get; init; }
    /// <summary>Classification: negative log-likelihood after calibration (<see cref="Temperature"/>, <see cref="TopLabel"/>) on
    /// <see cref="ThresholdRows"/>.</summary>
    public double? CalibratedNegativeLogLikelihood { get; init; }
    /// <summary>Classification: expected calibration error after calibration on <see cref="ThresholdRows"/>.</summary>
    public double? CalibratedExpectedCalibrationError { get; init; }
    /// <summary>Regression: root-mean-square error of Score on <see cref="ThresholdRows"/>.</summary>
    public double? RootMeanSquaredError { get; init; }

    /// <summary>The requested false-alarm rate of the out-of-distribution flag, or null when there is no flag.</summary>
    public double? OutOfDistributionFalseAlarmRate { get; init; }
    /// <summary>The score the flag thresholds (classification; regression uses StdDev).</summary>
    public OutOfDistributionScore? OutOfDistributionScore { get; init; }
    /// <summary>A row is flagged when its score is above this (or it could not be scored).</summary>
    public double? OutOfDistributionThreshold { get; init; }

    /// <summary>The requested coverage of prediction sets / intervals, or null when there are none.</summary>
    public double? Coverage { get; init; }
    /// <summary>The conformal threshold q. Classification: class c is in the set when 1 − Score[c] ≤ q.
    /// Regression: [Score − q·(StdDev + <see cref="StdDevFloor"/>), Score + q·(StdDev + StdDevFloor)].</summary>
    public double? ConformalThreshold { get; init; }
    /// <summary>Regression: added to StdDev so that rows where the networks agree exactly still get an interval.</summary>
    public double StdDevFloor { get; init; }

    /// <summary>One line for the log: rows, temperature, metrics and thresholds.</summary>
    internal string Describe() => string.Join("; ", new[]
    {
        $"{Rows} held-out rows",
        TemperatureRows > 0 ? $"temperature {Temperature:G4}" + (TopLabel.IsIdentity ? "" : $", top-label slope {TopLabel.Slope:G4} " +
            $"intercept {TopLabel.Intercept:G4}") + $" (fitted on {TemperatureRows} rows)" : null,
        Accuracy is { } a ? $"on {ThresholdRows} rows: accuracy {a:P2}, NLL {NegativeLogLikelihood:F4} → {CalibratedNegativeLogLikelihood:F4}, " +
            $"ECE {ExpectedCalibrationError:F4} → {CalibratedExpectedCalibrationError:F4}" : null,
        RootMeanSquaredError is { } e ? $"on {ThresholdRows} rows: RMSE {e:G4}" : null,
        OutOfDistributionThreshold is { } t
            ? $"flag when {(OutOfDistributionScore?.ToString() ?? "StdDev")} > {t:G4} (false alarms ≤ {OutOfDistributionFalseAlarmRate:P1})" : null,
        ConformalThreshold is { } q
            ? $"{Coverage:P1} {(RootMeanSquaredError is null ? "sets: classes with 1 − p ≤" : "intervals: Score ± StdDev ×")} {q:G4}" : null,
    }.Where(part => part is not null));

    /// <summary>Adds the decisions (flag, set or interval) to a scored block; rows that could not be scored are flagged,
    /// get an empty set and a missing (NaN) interval.</summary>
    internal void Apply(ScoredBlock block, bool regression)
    {
        int n = block.Count, width = block.Width;
        bool[]? flags = null, sets = null;
        float[]? lower = null, upper = null;
        if (OutOfDistributionThreshold is { } t)
        {
            flags = new bool[n];
            for (int r = 0; r < n; r++)
            {
                double score = regression ? block.StdDev[r] : ScoreOf(block, r);
                flags[r] = block.Problem(r) is not null || ConformalSets.Flagged(score, t);
            }
        }
        if (ConformalThreshold is { } q && !regression)
        {
            sets = new bool[n * width];
            for (int r = 0; r < n; r++)
                if (block.Problem(r) is null)
                    for (int c = 0; c < width; c++) sets[r * width + c] = ConformalSets.InSet(block.Scores[r * width + c], q);
        }
        if (ConformalThreshold is { } scale && regression)
        {
            lower = new float[n];
            upper = new float[n];
            for (int r = 0; r < n; r++) (lower[r], upper[r]) = ConformalSets.Interval(block.Scores[r], block.StdDev[r], scale, StdDevFloor);
        }
        block.SetDecisions(flags, sets, lower, upper);
    }

    /// <summary>Row <paramref name="r"/>'s classification score for the out-of-distribution flag (higher = more unusual).</summary>
    internal double ScoreOf(ScoredBlock block, int r) => OutOfDistributionScore switch
    {
        HyperGan.ML.OutOfDistributionScore.Disagreement => block.Disagreement[r],
        HyperGan.ML.OutOfDistributionScore.MaxProbability => 1 - MaxOf(block.Scores.AsSpan(r * block.Width, block.Width)),
        _ => block.Entropy[r],
    };

    static double MaxOf(ReadOnlySpan<float> p)
    {
        float max = float.NegativeInfinity;
        foreach (var v in p) max = MathF.Max(max, v);
        return max;
    }
}
