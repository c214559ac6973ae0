using HyperGan.ML.Engine.Ensembles;
using HyperGan.ML.Engine.Model;
using HyperGan.ML.Engine.Targets;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace HyperGan.ML.Tests;

public class EnsembleExecutorTests
{
    public static TheoryData<string> Targets => new() { "mnist", "cifar", "regression", "strided" };

    static TargetNetwork Target(string name) => name switch
    {
        "mnist" => TargetNetworks.MnistCnn(),
        "cifar" => TargetNetworks.CifarCnn(),
        // Padding, stride, a pool-less conv and a conv after the first: the im2col first layer must honour all of them.
        "strided" => new TargetNetwork("strided", [3, 12, 12],
        [
            new Conv2dLayer(3, 4, 3) { Stride = 2, Padding = 1, MaxPool = 2, Activation = Activation.Elu },
            new Conv2dLayer(4, 5, 3) { Padding = 1, Activation = Activation.Tanh },
            new LinearLayer(45, 4) { Activation = Activation.None },
        ]),
        _ => TargetNetworks.Regression1D(),
    };

    static IEnumerable<IEnsembleExecutor> FastPaths() =>
    [
        EnsembleExecutors.Default,
        new BatchedExecutor(MemberConvolution.Loop),
        new BatchedExecutor(MemberConvolution.Grouped, activationBudget: 1), // one member per chunk
        new BatchedExecutor(MemberConvolution.Loop, activationBudget: 50_000),
        new BatchedExecutor(MemberConvolution.Auto) { FirstLayerBlockFloats = 1 }, // one image per first-layer block
    ];

    public static TheoryData<string, GeneratorHead> TargetsAndHeads
    {
        get
        {
            var data = new TheoryData<string, GeneratorHead>();
            foreach (var target in new[] { "mnist", "cifar", "regression", "strided" })
                foreach (var head in new[] { GeneratorHead.Full, GeneratorHead.Chunked }) data.Add(target, head);
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(TargetsAndHeads))]
    public void Fast_paths_equal_the_per_member_reference_within_1e_5(string name, GeneratorHead head)
    {
        var target = Target(name);
        random.manual_seed(7);
        using var model = new HyperGanModel(target, new HyperGanArchitecture
        {
            NoiseDim = 32, CodeDim = 16, HiddenUnits = 64, Head = head,
            ChunkSize = 100
        });
        using var scope = NewDisposeScope();
        var layers = model.Generate(model.Codes(model.SampleNoise(13)));
        for (int i = 0; i < layers.Count; i++) // every head emits exactly each layer's shapes
        {
            Assert.Equal([13L, .. target.Layers[i].WeightShape], layers[i].Weight.shape);
            Assert.Equal(target.Layers[i].HasBias ? [13L, target.Layers[i].OutputUnits] : null, layers[i].Bias?.shape);
        }
        var x = rand([9, .. target.InputShape.Select(d => (long)d)]);
        using var _ = no_grad();
        var reference = EnsembleExecutors.PerMember.Forward(target, layers, x);
        Assert.Equal([13L, 9L, target.OutputSize], reference.shape);
        foreach (var executor in FastPaths())
        {
            var fast = executor.Forward(target, layers, x);
            Assert.Equal(reference.shape, fast.shape);
            double diff = (fast - reference).abs().max().item<float>();
            Assert.True(diff <= 1e-5, $"{executor.Name}: max |fast − reference| = {diff:E2}");
        }
    }

    [Theory]
    [InlineData(MemberConvolution.Auto)]
    [InlineData(MemberConvolution.Loop)]
    public void Fast_path_gradients_match_the_reference(MemberConvolution convolution)
    {
        var target = TargetNetworks.MnistCnn();
        random.manual_seed(3);
        using var model = new HyperGanModel(target, new HyperGanArchitecture { NoiseDim = 32, CodeDim = 16, HiddenUnits = 64 });
        var x = rand(5, 1, 28, 28);
        Tensor GradOfMixer(IEnsembleExecutor executor)
        {
            model.zero_grad();
            using var scope = NewDisposeScope();
            random.manual_seed(11);
            var outputs = executor.Forward(target, model.Generate(model.Codes(model.SampleNoise(6))), x);
            outputs.log_softmax(2).mean().backward();
            return model.Mixer.parameters().First().grad!.clone().MoveToOuterDisposeScope();
        }
        using var reference = GradOfMixer(EnsembleExecutors.PerMember);
        using var fast = GradOfMixer(new BatchedExecutor(convolution) { FirstLayerBlockFloats = 5_000 }); // several image blocks
        double scale = reference.abs().max().item<float>();
        Assert.True(scale > 0);
        Assert.True((fast - reference).abs().max().item<float>() <= 1e-5 * Math.Max(1, scale));
    }

    [Theory]
    [InlineData(Activation.LeakyRelu)]
    [InlineData(Activation.Relu)]
    [InlineData(Activation.Elu)]
    [InlineData(Activation.Tanh)]
    [InlineData(Activation.None)]
    public void Pooling_before_the_activation_gives_the_values_of_activation_then_pooling(Activation activation)
    {
        var layer = new Conv2dLayer(3, 3, 3) { MaxPool = 2, Activation = activation };
        using var scope = NewDisposeScope();
        random.manual_seed(5);
        var x = randn(4, 3, 10, 10) * 3;
        var textbook = nn.functional.max_pool2d(TargetOps.Activate(x, activation), 2, 2);
        Assert.Equal(0f, (TargetOps.ConvTail(x, layer) - textbook).abs().max().item<float>());
    }

    [Fact]
    public void Wrong_input_shape_names_the_expected_shape()
    {
        var target = TargetNetworks.MnistCnn();
        random.manual_seed(1);
        using var model = new HyperGanModel(target, new HyperGanArchitecture { NoiseDim = 8, CodeDim = 8, HiddenUnits = 16 });
        using var scope = NewDisposeScope();
        var layers = model.Generate(model.Codes(model.SampleNoise(2)));
        var e = Assert.Throws<ArgumentException>(() => EnsembleExecutors.Default.Forward(target, layers, rand(4, 784)));
        Assert.Contains("[B, 1, 28, 28]", e.Message);
    }
}
