using HyperGan.ML.Engine.Native;
using HyperGan.ML.Engine.Training;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace HyperGan.ML.Tests;

public class InPlaceAdamTests
{
    /// <summary>
    /// The trainer's Adam must be TorchSharp's Adam to the bit (every seeded result in docs/results was produced with
    /// TorchSharp's): same parameters after steps with and without weight decay, under a cosine schedule, with a
    /// parameter that has no gradient.
    /// </summary>
    [Theory]
    [InlineData(0.0, 0.9, 0.999)]
    [InlineData(0.01, 0.5, 0.9)]
    public void Steps_give_the_same_bits_as_TorchSharp_Adam(double weightDecay, double beta1, double beta2)
    {
        TorchBackend.Initialize();
        using var scope = NewDisposeScope();
        var rng = new Generator(7);
        Parameter[] Copy(Tensor[] values) => values.Select(v => new Parameter(v.clone())).ToArray();
        var initial = new[] { randn([300, 17], generator: rng), randn([5], generator: rng), randn([4], generator: rng) };
        var reference = Copy(initial);
        var inPlace = Copy(initial);
        using var torchAdam = optim.Adam(reference, 3e-3, beta1, beta2, weight_decay: weightDecay);
        using var ours = new InPlaceAdam(inPlace, 3e-3, beta1, beta2, weightDecay);
        var schedules = new[] { optim.lr_scheduler.CosineAnnealingLR(torchAdam, 6), optim.lr_scheduler.CosineAnnealingLR(ours, 6) };
        for (int step = 0; step < 6; step++)
        {
            for (int i = 0; i < 2; i++) // the last parameter never gets a gradient: both skip it
            {
                var grad = randn(initial[i].shape, generator: rng).mul_(Math.Pow(10, -3 * i));
                reference[i].grad = grad.clone();
                inPlace[i].grad = grad.clone();
            }
            torchAdam.step();
            ours.step();
            foreach (var schedule in schedules) schedule.step();
            for (int i = 0; i < initial.Length; i++)
                Assert.True(reference[i].eq(inPlace[i]).all().item<bool>(), $"step {step + 1}, parameter {i}: " +
                    $"max difference {(reference[i] - inPlace[i]).abs().max().item<float>():G3}");
        }
        Assert.False(reference[0].eq(initial[0]).all().item<bool>(), "the parameters did not move");
    }
}
