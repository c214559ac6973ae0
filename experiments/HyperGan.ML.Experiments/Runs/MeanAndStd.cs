using System.Globalization;

namespace HyperGan.ML.Experiments.Runs;

/// <summary>"mean ± std" (sample standard deviation; 0 for one value) of per-seed or per-split figures, for result tables.</summary>
internal static class MeanAndStd
{
    /// <summary>The values times <paramref name="scale"/>, formatted with <paramref name="format"/> in the invariant culture.</summary>
    public static string Format(IEnumerable<double> values, string format, double scale = 1)
    {
        var v = values.Select(x => x * scale).ToArray();
        double mean = v.Average(), std = v.Length > 1 ? Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1)) : 0;
        return $"{mean.ToString(format, CultureInfo.InvariantCulture)} ± {std.ToString(format, CultureInfo.InvariantCulture)}";
    }
}
