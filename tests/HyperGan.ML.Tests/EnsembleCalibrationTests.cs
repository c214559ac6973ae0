using HyperGan.ML.Engine.Ensembles;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace HyperGan.ML.Tests;

public class EnsembleCalibrationTests
{
    [Fact]
    public void The_calibrated_probabilities_are_the_temperature_then_the_top_label_map()
    {
        using var scope = NewDisposeScope();
        var rng = new Generator(3);
        var logits = randn(3, 500, 5, generator: rng).mul(2);
        // Labels drawn from the first member alone: the ensemble's mean is miscalibrated for them, so both maps move.
        var labels = multinomial(nn.functional.softmax(logits[0], -1), 1, generator: rng).view(-1).data<long>().Select(v => (int)v).ToArray();
        var fitted = EnsembleCalibration.Fit(logits, labels, CalibrationMaps.TemperatureAndTopLabel);
        Assert.Equal(TemperatureScaling.Fit(logits, labels), fitted.Temperature);
        Assert.False(fitted.TopLabel.IsIdentity);
        using var afterTemperature = TemperatureScaling.Calibrated(logits, fitted.Temperature);
        var expected = afterTemperature.data<float>().ToArray();
        fitted.TopLabel.ApplyInPlace(expected, 5);
        Assert.Equal(expected, fitted.Probabilities(logits));
        var temperatureOnly = EnsembleCalibration.Fit(logits, labels, CalibrationMaps.Temperature);
        Assert.Equal((CalibrationMaps.Temperature, fitted.Temperature, TopLabelScaling.Identity),
            (temperatureOnly.Maps, temperatureOnly.Temperature, temperatureOnly.TopLabel));
        Assert.Equal(EnsembleCalibration.Identity, EnsembleCalibration.Fit(logits, labels, CalibrationMaps.None));
    }
}
