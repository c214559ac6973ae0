using HyperGan.ML.Engine.Ensembles;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace HyperGan.ML.Tests;

public class TemperatureScalingTests
{
    // One member's logits [1, rows, 5] and labels drawn from softmax(z / 2): the NLL-optimal temperature is 2.
    static (Tensor Logits, int[] Labels) AtTemperatureTwo(long rows, ulong seed)
    {
        var rng = new Generator(seed);
        var logits = randn(1, rows, 5, generator: rng).mul(3);
        var labels = multinomial(nn.functional.softmax(logits[0].div(2), -1), 1, generator: rng).view(-1).data<long>().Select(v => (int)v).ToArray();
        return (logits, labels);
    }

    [Fact]
    public void Recovers_the_temperature_that_generated_the_labels_and_scales_with_the_logits()
    {
        using var scope = NewDisposeScope();
        var (logits, labels) = AtTemperatureTwo(20000, seed: 7);
        double t = TemperatureScaling.Fit(logits, labels);
        Assert.InRange(t, 1.85, 2.15);
        Assert.Equal(3 * t, TemperatureScaling.Fit(logits.mul(3), labels), 2);
        Assert.True(TemperatureScaling.NegativeLogLikelihood(logits, tensor(labels.Select(l => (long)l).ToArray()), t)
                    < TemperatureScaling.NegativeLogLikelihood(logits, tensor(labels.Select(l => (long)l).ToArray()), 1));
    }

    [Fact]
    public void A_prior_on_ln_T_pulls_the_temperature_towards_1()
    {
        using var scope = NewDisposeScope();
        var (logits, labels) = AtTemperatureTwo(2000, seed: 8);
        double usual = TemperatureScaling.Fit(logits, labels);
        Assert.Equal(usual, TemperatureScaling.Fit(logits, labels, priorPrecision: 0));
        Assert.InRange(usual, 1.7, 2.3);
        Assert.InRange(TemperatureScaling.Fit(logits, labels, priorPrecision: 1000), 1.0, usual - 0.1);
        Assert.InRange(TemperatureScaling.Fit(logits, labels, priorPrecision: 1e9), 0.999, 1.001);
        foreach (double refused in new[] { -1, double.NaN, double.PositiveInfinity })
            Assert.Throws<ArgumentOutOfRangeException>(() => TemperatureScaling.Fit(logits, labels, priorPrecision: refused));
    }

    [Fact]
    public void Logits_that_do_not_match_the_labels_are_refused()
    {
        using var logits = zeros(2, 3, 4);
        var e = Assert.Throws<ArgumentException>(() => TemperatureScaling.Fit(logits, [0, 1]));
        Assert.Contains("[members, 2, classes]", e.Message);
    }
}
