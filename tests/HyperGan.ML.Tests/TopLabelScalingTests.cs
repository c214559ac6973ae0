using HyperGan.ML.Engine.Ensembles;
using Xunit;

namespace HyperGan.ML.Tests;

public class TopLabelScalingTests
{
    // Rows of 4 classes whose top probability c is spread over (0.3, 1); the top class is right with probability
    // σ(slope · logit c + intercept), otherwise one of the others is the label.
    static (float[] Probabilities, int[] Labels) Draw(int rows, double slope, double intercept, int seed)
    {
        var rng = new Random(seed);
        var p = new float[rows * 4];
        var labels = new int[rows];
        for (int i = 0; i < rows; i++)
        {
            double c = 0.3 + 0.7 * rng.NextDouble();
            int top = rng.Next(4);
            var weights = Enumerable.Range(0, 3).Select(_ => 0.1 + rng.NextDouble()).ToArray();
            for (int k = 0, other = 0; k < 4; k++)
                p[i * 4 + k] = k == top ? (float)c : (float)((1 - c) * weights[other++] / weights.Sum());
            if (p.AsSpan(i * 4, 4).ToArray().Max() != p[i * 4 + top]) { i--; continue; } // c must be the top
            double right = 1 / (1 + Math.Exp(-(slope * Math.Log(c / (1 - c)) + intercept)));
            labels[i] = rng.NextDouble() < right ? top : (top + 1 + rng.Next(3)) % 4;
        }
        return (p, labels);
    }

    [Fact]
    public void Recovers_the_slope_and_intercept_that_generated_the_labels()
    {
        var (p, labels) = Draw(20000, slope: 0.7, intercept: -0.4, seed: 3);
        var fitted = TopLabelScaling.Fit(p, 4, labels);
        Assert.InRange(fitted.Slope, 0.6, 0.8);
        Assert.InRange(fitted.Intercept, -0.5, -0.3);
        var (calibrated, _) = Draw(20000, slope: 1, intercept: 0, seed: 4);
        var identity = TopLabelScaling.Fit(calibrated, 4, Draw(20000, 1, 0, 4).Labels);
        Assert.InRange(identity.Slope, 0.9, 1.1);
        Assert.InRange(identity.Intercept, -0.1, 0.1);
    }

    [Fact]
    public void A_stronger_prior_keeps_the_map_closer_to_the_identity()
    {
        var (p, labels) = Draw(2000, slope: 0.7, intercept: -0.4, seed: 5);
        static double Distance(TopLabelScaling m) => Math.Abs(m.Slope - 1) + Math.Abs(m.Intercept);
        var usual = TopLabelScaling.Fit(p, 4, labels);
        Assert.Equal(usual, TopLabelScaling.Fit(p, 4, labels, priorPrecision: 1)); // the default pull
        Assert.InRange(Distance(usual), 0.2, 1); // the data do call for a map
        Assert.True(Distance(TopLabelScaling.Fit(p, 4, labels, priorPrecision: 300)) < 0.8 * Distance(usual));
        Assert.True(Distance(TopLabelScaling.Fit(p, 4, labels, priorPrecision: 1e9)) < 1e-4);
        foreach (double refused in new[] { 0, double.NaN, double.PositiveInfinity })
            Assert.Throws<ArgumentOutOfRangeException>(() => TopLabelScaling.Fit(p, 4, labels, priorPrecision: refused));
    }

    [Fact]
    public void Applying_keeps_the_ranking_and_the_total_and_sets_the_top_probability_to_the_fitted_curve()
    {
        var map = new TopLabelScaling(0.7, -0.4);
        var (p, _) = Draw(2000, 1, 0, seed: 5);
        var mapped = p.ToArray();
        map.ApplyInPlace(mapped, 4);
        int floored = 0;
        for (int i = 0; i < 2000; i++)
        {
            var before = p.AsSpan(i * 4, 4).ToArray();
            var after = mapped.AsSpan(i * 4, 4).ToArray();
            int top = Array.IndexOf(before, before.Max());
            Assert.Equal(top, Array.IndexOf(after, after.Max()));
            Assert.Equal(1.0, after.Sum(), 1e-5);
            double c = before[top], rest = before.Sum() - c, second = before.Where((_, k) => k != top).Max();
            double tie = second / (rest + second); // where the top class would tie with the second: c' stays 0.1 % of the way above it
            double curve = 1 / (1 + Math.Exp(-(0.7 * Math.Log(c / rest) - 0.4))), expected = Math.Max(curve, tie + 1e-3 * (c - tie));
            floored += curve < expected ? 1 : 0;
            Assert.Equal(expected, after[top], 1e-6);
            for (int k = 0; k < 4; k++)
                if (k != top) Assert.Equal(before[k] * (1 - expected) / rest, after[k], 1e-6); // the others keep their proportions
        }
        Assert.InRange(floored, 20, 1000); // the floor that keeps the ranking is exercised (156 of the 2,000 rows)
    }

    [Fact]
    public void The_identity_ties_and_rows_without_other_mass_leave_probabilities_untouched()
    {
        var (p, _) = Draw(100, 1, 0, seed: 6);
        var same = p.ToArray();
        TopLabelScaling.Identity.ApplyInPlace(same, 4);
        Assert.Equal(p, same);
        float[] special = [0.4f, 0.4f, 0.1f, 0.1f, 1f, 0f, 0f, 0f];
        new TopLabelScaling(0.5, -1).ApplyInPlace(special, 4);
        Assert.Equal([0.4f, 0.4f, 0.1f, 0.1f, 1f, 0f, 0f, 0f], special);
    }

    [Fact]
    public void A_model_that_is_never_right_gets_a_finite_map_and_a_bad_shape_is_refused()
    {
        var (p, labels) = Draw(500, 1, 0, seed: 7);
        var wrong = labels.Select((_, i) => (Array.IndexOf(p.AsSpan(i * 4, 4).ToArray(), p.AsSpan(i * 4, 4).ToArray().Max()) + 1) % 4).ToArray();
        var map = TopLabelScaling.Fit(p, 4, wrong);
        Assert.True(double.IsFinite(map.Slope) && double.IsFinite(map.Intercept) && map.Slope >= 0, $"{map}");
        var mapped = p.ToArray();
        map.ApplyInPlace(mapped, 4);
        Assert.All(mapped, v => Assert.True(float.IsFinite(v)));
        var e = Assert.Throws<ArgumentException>(() => TopLabelScaling.Fit(p, 4, labels.Take(10).ToArray()));
        Assert.Contains("10 rows × 4 classes", e.Message);
    }
}
