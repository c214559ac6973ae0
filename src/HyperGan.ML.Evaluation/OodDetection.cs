namespace HyperGan.ML.Evaluation;

/// <summary>Out-of-distribution detection quality of one score, e.g. predictive entropy.</summary>
/// <param name="AuRoc">Area under the ROC curve (0.5 = chance, 1 = perfect separation).</param>
/// <param name="AuPr">Area under the precision–recall curve with OOD as the positive class (average precision).</param>
/// <param name="FprAt95Tpr">Fraction of in-distribution examples flagged when the threshold flags 95% of the OOD ones.</param>
public sealed record OodDetectionResult(double AuRoc, double AuPr, double FprAt95Tpr);

/// <summary>
/// OOD detection metrics. Convention: OOD examples are the <b>positive</b> class and a <b>higher</b> score means
/// "more likely OOD" (true of entropy and mutual information).
/// </summary>
public static class OodDetection
{
    /// <summary>AUROC, AUPR and FPR at 95% TPR of a score that should be higher on <paramref name="outliers"/>.</summary>
    public static OodDetectionResult Evaluate(IReadOnlyList<double> inliers, IReadOnlyList<double> outliers) =>
        new(AuRoc(inliers, outliers), AuPr(inliers, outliers), FprAtTpr(inliers, outliers, 0.95));

    /// <summary>
    /// P(score of a random outlier &gt; score of a random inlier), ties counting one half (the Mann–Whitney statistic):
    /// 1 for a perfect separator, 0.5 for a constant score.
    /// </summary>
    public static double AuRoc(IReadOnlyList<double> inliers, IReadOnlyList<double> outliers)
    {
        Check(inliers, outliers);
        // Rank all scores (average ranks for ties) and use the rank-sum of the outliers.
        var all = inliers.Select(s => (Score: s, Outlier: false)).Concat(outliers.Select(s => (Score: s, Outlier: true)))
            .OrderBy(t => t.Score).ToArray();
        double outlierRankSum = 0;
        for (int i = 0; i < all.Length;)
        {
            int j = i;
            while (j < all.Length && all[j].Score == all[i].Score) j++;
            double averageRank = (i + 1 + j) / 2.0; // ranks i+1 .. j
            for (int k = i; k < j; k++) if (all[k].Outlier) outlierRankSum += averageRank;
            i = j;
        }
        double nOut = outliers.Count, nIn = inliers.Count;
        return (outlierRankSum - nOut * (nOut + 1) / 2) / (nOut * nIn);
    }

    /// <summary>
    /// Average precision with outliers positive: Σ over thresholds (at each distinct score, high to low) of
    /// (recall gain) × precision. 1 for a perfect separator; the outlier fraction for an uninformative score.
    /// </summary>
    public static double AuPr(IReadOnlyList<double> inliers, IReadOnlyList<double> outliers)
    {
        Check(inliers, outliers);
        var groups = inliers.Select(s => (Score: s, Outlier: false)).Concat(outliers.Select(s => (Score: s, Outlier: true)))
            .GroupBy(t => t.Score).OrderByDescending(g => g.Key);
        double tp = 0, fp = 0, ap = 0, previousRecall = 0;
        foreach (var g in groups)
        {
            tp += g.Count(t => t.Outlier);
            fp += g.Count(t => !t.Outlier);
            double recall = tp / outliers.Count;
            ap += (recall - previousRecall) * (tp / (tp + fp));
            previousRecall = recall;
        }
        return ap;
    }

    /// <summary>
    /// False-positive rate at the highest threshold whose true-positive rate (outliers with score ≥ threshold)
    /// reaches <paramref name="tpr"/>: the fraction of inliers with score ≥ that threshold.
    /// </summary>
    public static double FprAtTpr(IReadOnlyList<double> inliers, IReadOnlyList<double> outliers, double tpr = 0.95)
    {
        Check(inliers, outliers);
        if (!(tpr > 0 && tpr <= 1)) throw new ArgumentOutOfRangeException(nameof(tpr), tpr, "tpr must be in (0, 1].");
        var sorted = outliers.OrderByDescending(s => s).ToArray();
        int needed = (int)Math.Ceiling(tpr * sorted.Length - 1e-9);
        double threshold = sorted[Math.Max(needed, 1) - 1];
        return inliers.Count(s => s >= threshold) / (double)inliers.Count;
    }

    static void Check(IReadOnlyList<double> inliers, IReadOnlyList<double> outliers)
    {
        if (inliers.Count == 0 || outliers.Count == 0)
            throw new ArgumentException("Both inlier and outlier scores are needed.");
        if (inliers.Concat(outliers).Any(double.IsNaN))
            throw new ArgumentException("Scores must not be NaN.");
    }
}
