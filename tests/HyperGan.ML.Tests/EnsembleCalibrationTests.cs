using HyperGan.ML.Engine.Ensembles;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace HyperGan.ML.Tests;

public class EnsembleCalibrationTests
{
    /// <summary>Member logits [3, 500, 5] and labels drawn from the first member alone: the ensemble's mean is miscalibrated
    /// for them, so both maps move.</summary>
    static (Tensor Logits, int[] Labels) Miscalibrated(ulong seed)
    {
        var rng = new Generator(seed);
        var logits = randn(3, 500, 5, generator: rng).mul(2);
        var labels = multinomial(nn.functional.softmax(logits[0], -1), 1, generator: rng).view(-1).data<long>().Select(v => (int)v).ToArray();
        return (logits, labels);
    }

    [Fact]
    public void The_calibrated_probabilities_are_the_temperature_then_the_top_label_map()
    {
        using var scope = NewDisposeScope();
        var (logits, labels) = Miscalibrated(seed: 3);
        var fitted = EnsembleCalibration.Fit(logits, labels, CalibrationMaps.TemperatureAndTopLabel);
        double shrinkage = EnsembleCalibration.DefaultShrinkage(CalibrationMaps.TemperatureAndTopLabel);
        Assert.Equal(30, shrinkage);
        Assert.Equal(fitted, EnsembleCalibration.Fit(logits, labels, CalibrationMaps.TemperatureAndTopLabel, shrinkage));
        Assert.Equal(TemperatureScaling.Fit(logits, labels, priorPrecision: shrinkage), fitted.Temperature);
        Assert.False(fitted.TopLabel.IsIdentity);
        using var afterTemperature = TemperatureScaling.Calibrated(logits, fitted.Temperature);
        var expected = afterTemperature.data<float>().ToArray();
        Assert.Equal(TopLabelScaling.Fit(expected, 5, labels, priorPrecision: 1 + shrinkage), fitted.TopLabel);
        fitted.TopLabel.ApplyInPlace(expected, 5);
        Assert.Equal(expected, fitted.Probabilities(logits));
        // The temperature alone is fitted by maximum likelihood by default (its shrinkage 0, chosen on validation).
        var temperatureOnly = EnsembleCalibration.Fit(logits, labels, CalibrationMaps.Temperature);
        Assert.Equal((CalibrationMaps.Temperature, TemperatureScaling.Fit(logits, labels), TopLabelScaling.Identity),
            (temperatureOnly.Maps, temperatureOnly.Temperature, temperatureOnly.TopLabel));
        Assert.Equal(EnsembleCalibration.Identity, EnsembleCalibration.Fit(logits, labels, CalibrationMaps.None));
    }

    [Fact]
    public void Shrinkage_0_is_the_maximum_likelihood_fit_and_a_stronger_one_moves_the_maps_less()
    {
        using var scope = NewDisposeScope();
        var (logits, labels) = Miscalibrated(seed: 4);
        var unshrunk = EnsembleCalibration.Fit(logits, labels, CalibrationMaps.TemperatureAndTopLabel, shrinkage: 0);
        Assert.Equal(TemperatureScaling.Fit(logits, labels), unshrunk.Temperature);
        using var afterTemperature = TemperatureScaling.Calibrated(logits, unshrunk.Temperature);
        Assert.Equal(TopLabelScaling.Fit(afterTemperature.data<float>().ToArray(), 5, labels), unshrunk.TopLabel);
        static double Distance(EnsembleCalibration c) =>
            Math.Abs(Math.Log(c.Temperature)) + Math.Abs(c.TopLabel.Slope - 1) + Math.Abs(c.TopLabel.Intercept);
        var shrunk = EnsembleCalibration.Fit(logits, labels, CalibrationMaps.TemperatureAndTopLabel);
        Assert.True(Distance(shrunk) < Distance(unshrunk), $"shrunk {shrunk} vs maximum likelihood {unshrunk}");
        foreach (double refused in new[] { -1, double.NaN, double.PositiveInfinity })
            Assert.Throws<ArgumentOutOfRangeException>(() => EnsembleCalibration.Fit(logits, labels, CalibrationMaps.Temperature, refused));
    }
}
