using HyperGan.ML.Engine.Model;
using HyperGan.ML.Engine.Targets;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace HyperGan.ML.Tests;

/// <summary>
/// A fresh generator must emit networks initialised like He-initialised ones: with PyTorch's default output-layer
/// init the generated weights were ~0.04 × He and the 5-layer CIFAR target passed no signal from its input.
/// </summary>
public class GeneratorInitTests(ITestOutputHelper output)
{
    public static TheoryData<string, int, GeneratorHead> Cases => new()
    {
        { "mnist", 512, GeneratorHead.Full }, { "mnist", 128, GeneratorHead.Full }, { "cifar", 512, GeneratorHead.Full },
            { "cifar", 128, GeneratorHead.Full },
        { "mnist", 512, GeneratorHead.Chunked }, { "cifar", 128, GeneratorHead.Chunked },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Generated_weights_start_at_He_scale_with_a_smaller_per_network_part(string targetName, int hidden, GeneratorHead head)
    {
        var target = targetName == "mnist" ? TargetNetworks.MnistCnn() : TargetNetworks.CifarCnn();
        random.manual_seed(1);
        var architecture = new HyperGanArchitecture { HiddenUnits = hidden, Head = head };
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
