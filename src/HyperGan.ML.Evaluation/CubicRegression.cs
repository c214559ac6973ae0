namespace HyperGan.ML.Evaluation;

/// <summary>
/// The paper's 1-D regression problem (HyperGAN Fig. 2, after Hernández-Lobato &amp; Adams 2015) and how a predictive band
/// is judged on it: data only in [−4, 4], truth y = x³ everywhere, so a good band hugs the data inside and widens
/// outside, where the truth leaves any fit.
/// </summary>
public static class CubicRegression
{
    /// <summary><paramref name="count"/> points x ~ U(−4, 4), y = x³ + N(0, 3²), from a seeded <see cref="Random"/>.</summary>
    public static (float[] X, float[] Y) Data(int seed, int count = 20)
    {
        var rng = new Random(seed);
        double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        var x = Enumerable.Range(0, count).Select(_ => (float)(rng.NextDouble() * 8 - 4)).ToArray();
        var y = x.Select(v => (float)(v * v * v + 3 * Gaussian())).ToArray();
        return (x, y);
    }

    /// <summary>
    /// RMSE of the band's mean against x³ inside the data (|x| ≤ 4), the mean standard deviation inside vs outside
    /// (|x| ≥ 5), and the fraction of the outside points where the truth lies inside mean ± 3σ, over the points of
    /// <paramref name="grid"/>.
    /// </summary>
    public static (double Rmse, double StdInside, double StdOutside, double TruthCoveredOutside) MeasureBand(IReadOnlyList<double> grid,
        IReadOnlyList<double> mean, IReadOnlyList<double> std)
    {
        ArgumentNullException.ThrowIfNull(grid);
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        if (mean.Count != grid.Count || std.Count != grid.Count)
            throw new ArgumentException($"grid, mean and std must have one value per point: {grid.Count}, {mean.Count}, {std.Count}.", nameof(mean));
        var inside = Enumerable.Range(0, grid.Count).Where(i => Math.Abs(grid[i]) <= 4).ToArray();
        var outside = Enumerable.Range(0, grid.Count).Where(i => Math.Abs(grid[i]) >= 5).ToArray();
        if (inside.Length == 0 || outside.Length == 0)
            throw new ArgumentException("grid needs points with |x| ≤ 4 and with |x| ≥ 5 (e.g. −6 … 6 in steps of 0.1).", nameof(grid));
        double Miss(int i) => Math.Abs(mean[i] - Math.Pow(grid[i], 3));
        return (Math.Sqrt(inside.Average(i => Miss(i) * Miss(i))), inside.Average(i => std[i]), outside.Average(i => std[i]),
            outside.Count(i => Miss(i) <= 3 * std[i]) / (double)outside.Length);
    }
}
