using HyperGan.ML.Engine.Model;
using HyperGan.ML.Engine.Targets;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace HyperGan.ML.Tests;

/// <summary>
/// A fresh generator must emit networks initialised like He-initialised ones: with PyTorch's default output-layer
/// init the generated weights were ~0.04 × He and the 5-layer CIFAR target passed no signal from its input. These are
/// the paper's generators (one shared start); the default's base networks start as He networks (BaseNetworksTests).
/// </summary>
public class GeneratorInitTests(ITestOutputHelper output)
{
    public static TheoryData<string, int, GeneratorHead> Cases => new()
    {
        { "mnist", 512, GeneratorHead.Full }, { "mnist", 128, GeneratorHead.Full }, { "cifar", 512, GeneratorHead.Full },
            { "cifar", 128, GeneratorHead.Full },
        { "mnist", 512, GeneratorHead.Chunked }, { "cifar", 128, GeneratorHead.Chunked },
    };

    [Fact]
    public void Batch_norm_generators_use_the_steps_statistics_in_training_and_running_statistics_when_sampling()
    {
        var target = TargetNetworks.MnistCnn();
        random.manual_seed(2);
        var architecture = HyperGanArchitecture.Paper with { NoiseDim = 32, CodeDim = 32, HiddenUnits = 128, GeneratorBatchNorm = true };
        using var model = new HyperGanModel(target, architecture);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var codes = randn(8, target.Layers.Count, architecture.CodeDim);
        Tensor FirstNetwork(Tensor c) => model.Generate(c)[0].Weight[0];
        model.train();
        Assert.False(FirstNetwork(codes).allclose(FirstNetwork(codes.narrow(0, 0, 4)), 1e-5, 1e-6),
            "in training a network should depend on the other codes of its step (batch statistics)");
        model.eval();
        Assert.True(FirstNetwork(codes).allclose(FirstNetwork(codes.narrow(0, 0, 4)), 1e-5, 1e-6),
            "in evaluation a network should depend on its own code only (running statistics)");

        // Sample uses the running statistics even while the model trains, and leaves it training.
        model.train();
        using var rngTraining = new Generator(5);
        using var whileTraining = model.Sample(6, rngTraining);
        Assert.True(model.training);
        model.eval();
        using var rngEval = new Generator(5);
        using var inEvaluation = model.Sample(6, rngEval);
        Assert.True(whileTraining.Layers[0].Weight.allclose(inEvaluation.Layers[0].Weight, 1e-6, 1e-7));
        var chunked = Assert.Throws<ArgumentException>(() => (architecture with { Head = GeneratorHead.Chunked }).Validate());
        Assert.Equal("GeneratorBatchNorm", chunked.ParamName);
        Assert.Contains("Head = GeneratorHead.Full or GeneratorBatchNorm = false", chunked.Message);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Generated_weights_start_at_He_scale_with_a_smaller_per_network_part(string targetName, int hidden, GeneratorHead head)
    {
        var target = targetName == "mnist" ? TargetNetworks.MnistCnn() : TargetNetworks.CifarCnn();
        random.manual_seed(1);
        var architecture = HyperGanArchitecture.Paper with { HiddenUnits = hidden, Head = head };
        using var model = new HyperGanModel(target, architecture);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var layers = model.Generate(randn(64, target.Layers.Count, architecture.CodeDim)); // prior codes, as after pretraining
        for (int i = 0; i < layers.Count; i++)
        {
            double he = Math.Sqrt(2.0 / target.Layers[i].FanIn);
            double total = layers[i].Weight.std().item<float>() / he;
            double perNetwork = layers[i].Weight.flatten(1).std(0).mean().item<float>() / he;
            output.WriteLine($"{targetName} {head} hidden {hidden} layer {i}: weight std {total:F3} × He, across networks {perNetwork:F3} × He");
            Assert.InRange(total, 0.8, 1.35);
            Assert.InRange(perNetwork, 0.12, 0.45);
        }
    }
}
