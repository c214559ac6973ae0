using System.Text.Json;
using HyperGan.ML.Engine.Targets;
using Xunit;

namespace HyperGan.ML.Tests;

public class TargetNetworkTests
{
    [Fact]
    public void Paper_mnist_cnn_has_31594_parameters_and_ends_in_10_logits()
    {
        var net = TargetNetworks.MnistCnn();
        Assert.Equal(31_594, net.ParameterCount); // 832 + 25,632 + 5,130 (method notes, Table 1)
        Assert.Equal([832L, 25_632L, 5_130L], net.Layers.Select(l => l.ParameterCount));
        Assert.Equal(10, net.OutputSize);
    }

    [Fact]
    public void Paper_cifar_cnn_and_regression_mlp_have_the_documented_shapes()
    {
        var cifar = TargetNetworks.CifarCnn();
        Assert.Equal(256, ((LinearLayer)cifar.Layers[3]).InFeatures); // 64·2·2 after three conv+pool stages
        Assert.Equal(10, cifar.OutputSize);
        var reg = TargetNetworks.Regression1D();
        Assert.Equal(1, reg.OutputSize);
        Assert.Equal(100 + 100 + 100 + 1, reg.ParameterCount);
    }

    [Fact]
    public void Layers_that_do_not_chain_are_rejected_with_the_layer_named()
    {
        var e = Assert.Throws<ArgumentException>(() => new TargetNetwork("bad", [1, 28, 28],
            [new Conv2dLayer(1, 8, 5) { MaxPool = 2 }, new LinearLayer(100, 10)]));
        Assert.Contains("layer 1", e.Message);
        Assert.Contains("1152", e.Message); // 8·12·12 features actually arrive
        Assert.Throws<ArgumentException>(() => new TargetNetwork("empty", [1], []));
        Assert.Throws<ArgumentException>(() => new TargetNetwork("conv-last", [1, 8, 8], [new Conv2dLayer(1, 2, 3)]));
    }

    [Fact]
    public void User_defined_target_round_trips_through_json()
    {
        var net = new TargetNetwork("mine", [3, 16, 16],
        [
            new Conv2dLayer(3, 8, 3) { Padding = 1, MaxPool = 2, Activation = Activation.Relu },
            new LinearLayer(512, 4) { HasBias = false, Activation = Activation.None },
        ]);
        var json = JsonSerializer.Serialize(net);
        var back = JsonSerializer.Deserialize<TargetNetwork>(json)!;
        Assert.True(net.SameArchitectureAs(back));
        Assert.Equal(net.ParameterCount, back.ParameterCount);
        Assert.Equal(3 * 8 * 9 + 8 + 512 * 4, back.ParameterCount);
    }
}
