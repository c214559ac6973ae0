using HyperGan.ML.Engine.Ensembles;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace HyperGan.ML.Tests;

public class TemperatureScalingTests
{
    [Fact]
    public void Recovers_the_temperature_that_generated_the_labels_and_scales_with_the_logits()
    {
        using var scope = NewDisposeScope();
        var rng = new Generator(7);
        var logits = randn(1, 20000, 5, generator: rng).mul(3);
        // Labels drawn from softmax(z / 2): the NLL-optimal temperature is 2.
        var labels = multinomial(nn.functional.softmax(logits[0].div(2), -1), 1, generator: rng).view(-1).data<long>().Select(v => (int)v).ToArray();
        double t = TemperatureScaling.Fit(logits, labels);
        Assert.InRange(t, 1.85, 2.15);
        Assert.Equal(3 * t, TemperatureScaling.Fit(logits.mul(3), labels), 2);
        Assert.True(TemperatureScaling.NegativeLogLikelihood(logits, tensor(labels.Select(l => (long)l).ToArray()), t)
                    < TemperatureScaling.NegativeLogLikelihood(logits, tensor(labels.Select(l => (long)l).ToArray()), 1));
    }

    [Fact]
    public void Logits_that_do_not_match_the_labels_are_refused()
    {
        using var logits = zeros(2, 3, 4);
        var e = Assert.Throws<ArgumentException>(() => TemperatureScaling.Fit(logits, [0, 1]));
        Assert.Contains("[members, 2, classes]", e.Message);
    }
}
