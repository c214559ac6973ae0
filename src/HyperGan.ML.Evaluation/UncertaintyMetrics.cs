namespace HyperGan.ML.Evaluation;

/// <summary>
/// Per-example uncertainty of an ensemble from its members' class probabilities <c>members[m][i, c]</c>.
/// Natural logarithms; 0·ln 0 = 0.
/// </summary>
public static class UncertaintyMetrics
{
    /// <summary>Mean over members: p̄[i, c] = (1/M) Σ_m members[m][i, c].</summary>
    public static float[,] MeanProbabilities(IReadOnlyList<float[,]> members)
    {
        CheckMembers(members);
        int n = members[0].GetLength(0), classes = members[0].GetLength(1);
        var mean = new float[n, classes];
        foreach (var p in members)
            for (int i = 0; i < n; i++)
                for (int c = 0; c < classes; c++)
                    mean[i, c] += p[i, c] / members.Count;
        return mean;
    }

    /// <summary>Predictive entropy H(p̄) of each row (maximum ln C).</summary>
    public static double[] PredictiveEntropy(float[,] meanProbabilities)
    {
        int n = meanProbabilities.GetLength(0);
        var h = new double[n];
        for (int i = 0; i < n; i++) h[i] = RowEntropy(meanProbabilities, i);
        return h;
    }

    /// <summary>Mutual information H(p̄) − (1/M) Σ_m H(p_m), clamped at ≥ 0: the members' disagreement (epistemic part).</summary>
    public static double[] MutualInformation(IReadOnlyList<float[,]> members)
    {
        var total = PredictiveEntropy(MeanProbabilities(members));
        for (int i = 0; i < total.Length; i++)
        {
            double memberMean = members.Average(p => RowEntropy(p, i));
            total[i] = Math.Max(0, total[i] - memberMean);
        }
        return total;
    }

    /// <summary>Vote disagreement: per example, the fraction of member pairs whose argmax classes differ (0 with one member).</summary>
    public static double[] VoteDisagreement(IReadOnlyList<float[,]> members)
    {
        CheckMembers(members);
        int n = members[0].GetLength(0), m = members.Count;
        var result = new double[n];
        if (m < 2) return result;
        long pairs = (long)m * (m - 1) / 2;
        for (int i = 0; i < n; i++)
        {
            var votes = members.Select(p => ClassificationMetrics.ArgMax(p, i)).ToArray();
            long agreeing = votes.GroupBy(v => v).Sum(g => (long)g.Count() * (g.Count() - 1) / 2);
            result[i] = (double)(pairs - agreeing) / pairs;
        }
        return result;
    }

    static double RowEntropy(float[,] p, int row)
    {
        double h = 0;
        for (int c = 0; c < p.GetLength(1); c++)
            if (p[row, c] > 0) h -= p[row, c] * Math.Log(p[row, c]);
        return h;
    }

    static void CheckMembers(IReadOnlyList<float[,]> members)
    {
        if (members.Count == 0) throw new ArgumentException("At least one member is needed.", nameof(members));
        if (members.Any(p => p.GetLength(0) != members[0].GetLength(0) || p.GetLength(1) != members[0].GetLength(1)))
            throw new ArgumentException("All members must score the same examples and classes.", nameof(members));
    }
}
