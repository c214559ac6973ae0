namespace HyperGan.ML.Engine.Decisions;

/// <summary>
/// The split-conformal threshold (Vovk et al. 2005; Angelopoulos &amp; Bates 2021, "A gentle introduction to conformal
/// prediction"): from n held-out scores s_1..s_n, q = the ⌈(n + 1)·level⌉-th smallest. For a new example exchangeable
/// with the held-out ones, P(s_new ≤ q) ≥ level, and ≤ level + 1/(n + 1) when scores have no ties. It is what turns a
/// score into a guarantee: "the true label is in the set with probability ≥ level", "an inlier is flagged with
/// probability ≤ 1 − level".
/// </summary>
public static class ConformalQuantile
{
    /// <summary>The fewest held-out scores that make a finite threshold at <paramref name="level"/>: ⌈level / (1 − level)⌉.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="level"/> is not in (0, 1).</exception>
    public static int MinimumCount(double level)
    {
        CheckLevel(level);
        return (int)Math.Ceiling(level / (1 - level) - 1e-9);
    }

    /// <summary>
    /// The ⌈(n + 1)·<paramref name="level"/>⌉-th smallest of <paramref name="scores"/>. A NaN score counts as +∞
    /// (an example the model could not score is never evidence for a tight threshold).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="level"/> is not in (0, 1).</exception>
    /// <exception cref="ArgumentException">Fewer than <see cref="MinimumCount"/> scores.</exception>
    public static double Of(IReadOnlyList<double> scores, double level)
    {
        ArgumentNullException.ThrowIfNull(scores);
        int minimum = MinimumCount(level);
        if (scores.Count < minimum)
            throw new ArgumentException($"A conformal threshold at level {level} needs at least {minimum} held-out scores; got {scores.Count}.",
                nameof(scores));
        int rank = (int)Math.Ceiling((scores.Count + 1) * level - 1e-9); // 1-based; ≤ n by the minimum count
        var sorted = scores.Select(s => double.IsNaN(s) ? double.PositiveInfinity : s).Order().ToArray();
        return sorted[rank - 1];
    }

    static void CheckLevel(double level)
    {
        if (!(level > 0 && level < 1)) throw new ArgumentOutOfRangeException(nameof(level), level,
            "The level must be in (0, 1), e.g. 0.9 for 90 % coverage.");
    }
}
