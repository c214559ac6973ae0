using HyperGan.ML.Engine.Ensembles;
using static TorchSharp.torch;

namespace HyperGan.ML.Experiments.Runs;

/// <summary>
/// A guard tried for issue 15 and not shipped: before calibrating, ask the held-out rows whether each map earns its
/// parameters (k-fold cross-validated NLL, one-standard-error rule), so that a model that needs no calibration keeps its
/// probabilities instead of a map fitted to noise. On validation images (docs/decisions.md) it kept the raw probabilities
/// too often: higher mean ECE than the temperature and top-label map on every data set, as many per-split misses.
/// </summary>
public static class CrossValidatedCalibration
{
    /// <summary>Folds of <see cref="Fit"/>.</summary>
    public const int Folds = 5;

    /// <summary>The fewest rows a fold's maps are fitted on: <see cref="Fit"/> needs <see cref="Folds"/> × this many rows to
    /// compare maps; with fewer it fits the temperature alone.</summary>
    public const int MinimumRowsPerFold = 20;

    /// <summary>
    /// Chooses among the maps up to <paramref name="mostComplex"/> on the rows themselves, then fits the choice on all of
    /// them. The rows are dealt at random (<paramref name="seed"/>) into <see cref="Folds"/> folds; every map is fitted on
    /// four and scored (negative log-likelihood of each row) on the fifth. The map with the lowest mean held-out NLL wins,
    /// unless a simpler one is within one standard error of the paired per-row difference: a map must show a gain beyond
    /// the rows' own noise. Fewer than <see cref="Folds"/> × <see cref="MinimumRowsPerFold"/> rows: the temperature alone.
    /// </summary>
    public static EnsembleCalibration Fit(Tensor logits, IReadOnlyList<int> labels, CalibrationMaps mostComplex, int seed)
    {
        int n = labels.Count;
        if (mostComplex == CalibrationMaps.None) return EnsembleCalibration.Identity;
        if (n < Folds * MinimumRowsPerFold) return EnsembleCalibration.Fit(logits, labels, CalibrationMaps.Temperature);
        var order = Enumerable.Range(0, n).ToArray();
        new Random(seed).Shuffle(order);
        var candidates = Enum.GetValues<CalibrationMaps>().Where(m => m <= mostComplex).ToArray();
        var nll = candidates.Select(_ => new double[n]).ToArray(); // per candidate, each row's NLL when it was the held-out fold
        int classes = (int)logits.shape[2];
        for (int fold = 0; fold < Folds; fold++)
        {
            var inFold = order.Where((_, i) => i % Folds == fold).ToArray();
            var outOfFold = order.Where((_, i) => i % Folds != fold).ToArray();
            using var scope = NewDisposeScope();
            var fitLogits = Rows(logits, outOfFold);
            var scoreLogits = Rows(logits, inFold);
            int[] fitLabels = outOfFold.Select(i => labels[i]).ToArray();
            for (int c = 0; c < candidates.Length; c++)
            {
                var p = EnsembleCalibration.Fit(fitLogits, fitLabels, candidates[c]).Probabilities(scoreLogits);
                for (int r = 0; r < inFold.Length; r++)
                    nll[c][inFold[r]] = ProbabilityRows.NegativeLogLikelihood(p, classes, r, labels[inFold[r]]);
            }
        }
        int best = Enumerable.Range(0, candidates.Length).MinBy(c => nll[c].Average());
        int chosen = Enumerable.Range(0, best + 1)
            .First(c => c == best || nll[c].Average() - nll[best].Average() <= StandardError(nll[c], nll[best]));
        return EnsembleCalibration.Fit(logits, labels, candidates[chosen]);
    }


    static Tensor Rows(Tensor logits, int[] rows)
    {
        using var index = tensor(rows.Select(i => (long)i).ToArray(), device: logits.device);
        return logits.index_select(1, index);
    }

    // Standard error of the mean of the paired differences a − b.
    static double StandardError(double[] a, double[] b)
    {
        var d = a.Select((v, i) => v - b[i]).ToArray();
        double mean = d.Average();
        return Math.Sqrt(d.Sum(v => (v - mean) * (v - mean)) / (d.Length - 1) / d.Length);
    }
}
