using HyperGan.ML.Engine.Ensembles;
using HyperGan.ML.Evaluation;
using static TorchSharp.torch;

namespace HyperGan.ML.Experiments.Runs;

/// <summary>
/// A control for issue 15's "calibrated ECE never worse than raw + 0.002": labels drawn from the raw probabilities
/// themselves, so that the raw ensemble is perfectly calibrated for them by construction. Whatever ECE a map fitted on
/// the held-out rows then adds on the test rows is the noise of fitting it on that many rows, and the share of draws
/// worse than raw + 0.002 is what no fitted map can avoid on a model that needs no calibration (docs/decisions.md).
/// </summary>
public static class CalibratedByConstruction
{
    /// <summary>One calibration of the control: its maps and their pull towards the identity (see EnsembleCalibration.Fit).</summary>
    public sealed record Method(string Name, CalibrationMaps Maps, double Shrinkage);

    /// <summary>A method's mean test ECE over the draws and the share of draws where it is worse than raw by more than the margin.</summary>
    public sealed record MethodFigures(double Ece, double WorseShare);

    /// <summary>The draws, the margin, the raw probabilities' mean test ECE and each method's figures, by name.</summary>
    public sealed record Figures(int Draws, double Margin, double RawEce, IReadOnlyDictionary<string, MethodFigures> Methods);

    /// <summary>
    /// Draws <paramref name="draws"/> label sets from the raw probabilities of the fitting and test rows (member logits
    /// [M, rows, C]), fits each of <paramref name="methods"/> on <paramref name="fitLogits"/> and measures on
    /// <paramref name="testLogits"/>.
    /// </summary>
    public static Figures Measure(Tensor fitLogits, Tensor testLogits, IReadOnlyList<Method> methods, int draws, int seed,
        double margin = 0.002)
    {
        using var scope = NewDisposeScope();
        int classes = (int)fitLogits.shape[2];
        var rawFit = ProbabilityRows.Matrix(EnsembleCalibration.Identity.Probabilities(fitLogits), classes);
        var rawTest = ProbabilityRows.Matrix(EnsembleCalibration.Identity.Probabilities(testLogits), classes);
        var raw = new double[draws];
        var calibrated = methods.Select(_ => new double[draws]).ToArray();
        for (int d = 0; d < draws; d++)
        {
            var rng = new Random(seed * 1000 + d);
            var fitLabels = Draw(rawFit, rng);
            var testLabels = Draw(rawTest, rng);
            raw[d] = ClassificationMetrics.ExpectedCalibrationError(rawTest, testLabels);
            for (int m = 0; m < methods.Count; m++)
            {
                var fitted = EnsembleCalibration.Fit(fitLogits, fitLabels, methods[m].Maps, methods[m].Shrinkage);
                calibrated[m][d] = ClassificationMetrics.ExpectedCalibrationError(
                    ProbabilityRows.Matrix(fitted.Probabilities(testLogits), classes), testLabels);
            }
        }
        return new Figures(draws, margin, raw.Average(), methods.Select((method, m) => (method.Name, Figures: new MethodFigures(
            calibrated[m].Average(), calibrated[m].Where((e, d) => e > raw[d] + margin).Count() / (double)draws)))
            .ToDictionary(x => x.Name, x => x.Figures));
    }

    // One label per row, drawn from that row's probabilities.
    static int[] Draw(float[,] probabilities, Random rng)
    {
        int classes = probabilities.GetLength(1);
        var labels = new int[probabilities.GetLength(0)];
        for (int i = 0; i < labels.Length; i++)
        {
            double u = rng.NextDouble(), cumulative = 0;
            int c = 0;
            for (; c < classes - 1; c++)
            {
                cumulative += probabilities[i, c];
                if (u < cumulative) break;
            }
            labels[i] = c;
        }
        return labels;
    }
}
