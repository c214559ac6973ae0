namespace HyperGan.ML.Engine.Decisions;

/// <summary>
/// Split-conformal prediction sets and intervals on top of <see cref="ConformalQuantile"/>.
/// Classification: the least ambiguous set-valued classifier (Sadinle, Lei &amp; Wasserman 2019) — nonconformity
/// 1 − p(true class), set = every class with 1 − p ≤ q: the smallest mean set size among sets built from one
/// probability vector; a set can be empty when the requested coverage is below the model's accuracy.
/// Regression: nonconformity |y − mean| / (std + floor), interval mean ∓ q·(std + floor): the interval follows the
/// networks' spread, so it widens where they disagree.
/// </summary>
public static class ConformalSets
{
    /// <summary>The threshold q for sets at <paramref name="coverage"/> from held-out probabilities (rows × classes, row-major) and labels.</summary>
    public static double ClassThreshold(ReadOnlySpan<float> probabilities, IReadOnlyList<int> labels, double coverage)
    {
        int classes = probabilities.Length / labels.Count;
        var scores = new double[labels.Count];
        for (int i = 0; i < labels.Count; i++) scores[i] = 1.0 - probabilities[i * classes + labels[i]];
        return ConformalQuantile.Of(scores, coverage);
    }

    /// <summary>Whether a class of probability <paramref name="probability"/> is in the set of threshold <paramref name="threshold"/>.</summary>
    public static bool InSet(float probability, double threshold) => 1.0 - probability <= threshold;

    /// <summary>The threshold q for intervals at <paramref name="coverage"/> from held-out means, spreads and targets.</summary>
    public static double IntervalThreshold(IReadOnlyList<float> mean, IReadOnlyList<float> std, IReadOnlyList<float> targets, double floor,
        double coverage) =>
        ConformalQuantile.Of(Enumerable.Range(0, targets.Count).Select(i =>
            Math.Abs(targets[i] - (double)mean[i]) / (std[i] + floor)).ToArray(), coverage);

    /// <summary>The spread floor for held-out spreads <paramref name="std"/>: 1e-3 × their mean (networks that agree exactly still get an
    /// interval).</summary>
    public static double StdFloor(IReadOnlyList<float> std) =>
        Math.Max(1e-3 * std.Select(v => (double)v).Where(double.IsFinite).DefaultIfEmpty(0).Average(), 1e-12);

    /// <summary>The interval mean ∓ threshold·(std + floor).</summary>
    public static (float Lower, float Upper) Interval(float mean, float std, double threshold, double floor)
    {
        double half = threshold * (std + floor);
        return ((float)(mean - half), (float)(mean + half));
    }

    /// <summary>The out-of-distribution threshold for held-out inlier scores (higher = more unusual): at most
    /// <paramref name="falseAlarmRate"/> of inliers score above it.</summary>
    public static double FlagThreshold(IReadOnlyList<double> inlierScores, double falseAlarmRate) =>
        ConformalQuantile.Of(inlierScores, 1 - falseAlarmRate);

    /// <summary>Whether a score is flagged by <paramref name="threshold"/>; NaN is flagged.</summary>
    public static bool Flagged(double score, double threshold) => !(score <= threshold);
}
