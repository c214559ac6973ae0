namespace HyperGan.ML.Evaluation;

/// <summary>How prediction sets and intervals do on labelled data: empirical coverage (did the truth fall inside?) and size.</summary>
public static class PredictionSetMetrics
{
    /// <summary>Fraction of rows whose set <c>sets[i, c]</c> contains the true class <paramref name="labels"/>[i].</summary>
    public static double Coverage(bool[,] sets, IReadOnlyList<int> labels)
    {
        Check(sets, labels.Count);
        return Enumerable.Range(0, labels.Count).Count(i => sets[i, labels[i]]) / (double)labels.Count;
    }

    /// <summary>Mean number of classes per set (smaller at equal coverage = more informative).</summary>
    public static double MeanSetSize(bool[,] sets)
    {
        Check(sets, sets.GetLength(0));
        int n = sets.GetLength(0), classes = sets.GetLength(1), total = 0;
        for (int i = 0; i < n; i++)
            for (int c = 0; c < classes; c++)
                if (sets[i, c]) total++;
        return (double)total / n;
    }

    /// <summary>Fraction of targets inside [lower, upper].</summary>
    public static double IntervalCoverage(IReadOnlyList<float> lower, IReadOnlyList<float> upper, IReadOnlyList<float> targets)
    {
        if (lower.Count != targets.Count || upper.Count != targets.Count || targets.Count == 0)
            throw new ArgumentException($"Need as many bounds as targets, at least one; got {lower.Count}, {upper.Count} and {targets.Count}.");
        return Enumerable.Range(0, targets.Count).Count(i => lower[i] <= targets[i] && targets[i] <= upper[i]) / (double)targets.Count;
    }

    /// <summary>Mean width upper − lower.</summary>
    public static double MeanIntervalWidth(IReadOnlyList<float> lower, IReadOnlyList<float> upper) =>
        Enumerable.Range(0, lower.Count).Average(i => (double)upper[i] - lower[i]);

    static void Check(bool[,] sets, int rows)
    {
        ArgumentNullException.ThrowIfNull(sets);
        if (sets.GetLength(0) != rows || rows == 0) throw new ArgumentException(
            $"Need one set per label, at least one; got {sets.GetLength(0)} sets for {rows} labels.", nameof(sets));
    }
}
