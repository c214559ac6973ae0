using HyperGan.ML.Engine.Ensembles;
using HyperGan.ML.Experiments.Runs;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace HyperGan.ML.Experiments.Tests;

// The two calibration guards tried for issue 15 and not shipped (docs/decisions.md): each must keep calibrated probabilities
// and map miscalibrated ones.
public class CalibrationGuardTests
{
    // Two-member logits [2, rows, 5] and labels drawn from softmax(z / trueTemperature) of the members' mean log-probability.
    internal static (Tensor Logits, int[] Labels) Rows(int rows, double trueTemperature, int seed)
    {
        var rng = new Generator((ulong)seed);
        var logits = randn(2, rows, 5, generator: rng).mul(1.5).add(randn(1, rows, 5, generator: rng).mul(2));
        using var p = TemperatureScaling.Calibrated(logits, trueTemperature);
        var labels = multinomial(p, 1, generator: rng).view(-1).data<long>().Select(v => (int)v).ToArray();
        return (logits, labels);
    }

    [Fact]
    public void Cross_validation_keeps_calibrated_probabilities_and_maps_miscalibrated_ones()
    {
        using var scope = NewDisposeScope();
        // Calibrated as they are: no map earns its parameters on any of five draws (a guard that always fits would pick a
        // map here, since the fitted ones always lower the NLL of the rows they were fitted on).
        for (int seed = 1; seed <= 5; seed++)
        {
            var (logits, labels) = Rows(2000, 1, seed);
            var kept = CrossValidatedCalibration.Fit(logits, labels, CalibrationMaps.TemperatureAndTopLabel, seed);
            Assert.Equal(EnsembleCalibration.Identity, kept);
        }
        // Over-confident by a factor 2: the temperature is kept and lands near 2.
        var (sharp, sharpLabels) = Rows(2000, 2, 11);
        var mapped = CrossValidatedCalibration.Fit(sharp, sharpLabels, CalibrationMaps.TemperatureAndTopLabel, 11);
        Assert.NotEqual(CalibrationMaps.None, mapped.Maps);
        Assert.InRange(mapped.Temperature, 1.7, 2.3);
        // Never more than asked for, and too few rows for five folds of 20: the temperature alone.
        Assert.Equal(CalibrationMaps.Temperature,
            CrossValidatedCalibration.Fit(sharp, sharpLabels, CalibrationMaps.Temperature, 11).Maps);
        var few = sharp.index_select(1, arange(99L));
        Assert.Equal(CalibrationMaps.Temperature,
            CrossValidatedCalibration.Fit(few, sharpLabels[..99], CalibrationMaps.TemperatureAndTopLabel, 11).Maps);
    }

    [Fact]
    public void The_likelihood_ratio_guard_keeps_calibrated_probabilities_and_maps_miscalibrated_ones()
    {
        using var scope = NewDisposeScope();
        // Calibrated as they are: each map's fit always lowers the NLL of its own rows, so a guard that always fits maps every
        // draw; the χ² test at 95 % keeps the raw probabilities on most.
        int kept = Enumerable.Range(1, 5).Count(seed =>
        {
            var (logits, labels) = Rows(2500, 1, seed);
            return LikelihoodRatioCalibration.Fit(logits, labels, CalibrationMaps.TemperatureAndTopLabel).IsIdentity;
        });
        Assert.True(kept >= 4, $"kept the raw probabilities on {kept} of 5 calibrated draws");
        // Over-confident by a factor 2: mapped, with the temperature near 2; never more than asked for.
        var (sharp, sharpLabels) = Rows(2500, 2, 11);
        var mapped = LikelihoodRatioCalibration.Fit(sharp, sharpLabels, CalibrationMaps.TemperatureAndTopLabel);
        Assert.NotEqual(CalibrationMaps.None, mapped.Maps);
        Assert.InRange(mapped.Temperature, 1.7, 2.3);
        Assert.Equal(CalibrationMaps.Temperature, LikelihoodRatioCalibration.Fit(sharp, sharpLabels, CalibrationMaps.Temperature).Maps);
    }
}
