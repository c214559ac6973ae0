namespace HyperGan.ML.Evaluation;

/// <summary>One point of a risk–coverage curve: answering the <paramref name="Coverage"/> most confident examples gives error rate <paramref
/// name="Risk"/>.</summary>
public sealed record RiskCoveragePoint(double Coverage, double Risk);

/// <summary>
/// Selective classification (Geifman &amp; El-Yaniv 2017): the model answers only its most confident examples and
/// abstains on the rest. A good uncertainty score puts the errors last, so the risk falls as coverage shrinks.
/// Confidence: higher = more sure (e.g. −entropy or the top probability). Ties in confidence are broken by example order.
/// </summary>
public static class SelectiveClassification
{
    /// <summary>Risk at every coverage k/n, k = 1..n, answering examples in decreasing <paramref name="confidence"/>.</summary>
    public static IReadOnlyList<RiskCoveragePoint> RiskCoverage(IReadOnlyList<double> confidence, IReadOnlyList<bool> correct)
    {
        var order = Order(confidence, correct);
        var curve = new RiskCoveragePoint[order.Length];
        int errors = 0;
        for (int k = 0; k < order.Length; k++)
        {
            if (!correct[order[k]]) errors++;
            curve[k] = new RiskCoveragePoint((k + 1.0) / order.Length, (double)errors / (k + 1));
        }
        return curve;
    }

    /// <summary>Area under the risk–coverage curve: the mean risk over coverages k/n (lower is better; the error rate × ~1/2 for a useless
    /// score).</summary>
    public static double Aurc(IReadOnlyList<double> confidence, IReadOnlyList<bool> correct) =>
        RiskCoverage(confidence, correct).Average(p => p.Risk);

    /// <summary>Accuracy on the ⌈<paramref name="coverage"/>·n⌉ most confident examples.</summary>
    public static double AccuracyAtCoverage(IReadOnlyList<double> confidence, IReadOnlyList<bool> correct, double coverage)
    {
        if (!(coverage > 0 && coverage <= 1)) throw new ArgumentOutOfRangeException(nameof(coverage), coverage, "Coverage must be in (0, 1].");
        var order = Order(confidence, correct);
        int k = Math.Max(1, (int)Math.Ceiling(coverage * order.Length - 1e-9));
        return order.Take(k).Count(i => correct[i]) / (double)k;
    }

    static int[] Order(IReadOnlyList<double> confidence, IReadOnlyList<bool> correct)
    {
        ArgumentNullException.ThrowIfNull(confidence);
        ArgumentNullException.ThrowIfNull(correct);
        if (confidence.Count != correct.Count || confidence.Count == 0)
            throw new ArgumentException($"Need as many confidences as outcomes, at least one; got {confidence.Count} and {correct.Count}.");
        if (confidence.Any(double.IsNaN)) throw new ArgumentException(
            "A confidence is NaN; give unscorable examples the lowest confidence (−∞) instead.", nameof(confidence));
        return Enumerable.Range(0, confidence.Count).OrderByDescending(i => confidence[i]).ThenBy(i => i).ToArray();
    }
}
