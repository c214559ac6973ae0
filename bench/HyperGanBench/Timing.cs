using System.Diagnostics;
using static TorchSharp.torch;

namespace HyperGanBench;

/// <summary>Repeated wall-clock timings of one case: median and spread, in milliseconds.</summary>
public sealed record Timing(double MedianMs, double MinMs, double MaxMs, int Runs)
{
    /// <summary>"median [min–max] ms" for tables.</summary>
    public override string ToString() => $"{MedianMs:F1} [{MinMs:F1}–{MaxMs:F1}] ms";

    /// <summary>
    /// Runs every case once to warm up, then <paramref name="rounds"/> times in alternation, each inside its own dispose
    /// scope. Alternating exposes all cases to the same background load on a shared machine, so their ratios hold
    /// even when absolute times drift.
    /// </summary>
    public static Timing[] Interleaved(int rounds, params Action[] cases)
    {
        var samples = cases.Select(_ => new List<double>()).ToArray();
        for (int round = 0; round <= rounds; round++)
            for (int i = 0; i < cases.Length; i++)
            {
                using var scope = NewDisposeScope();
                var clock = Stopwatch.StartNew();
                cases[i]();
                if (round > 0) samples[i].Add(clock.Elapsed.TotalMilliseconds);
            }
        return samples.Select(Of).ToArray();
    }

    /// <summary>Summary of measured durations.</summary>
    public static Timing Of(List<double> ms)
    {
        var sorted = ms.Order().ToArray();
        return new Timing(sorted[sorted.Length / 2], sorted[0], sorted[^1], sorted.Length);
    }
}
