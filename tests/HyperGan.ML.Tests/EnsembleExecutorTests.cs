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

    // libtorch 2.10's CPU convolution returned a wrong input gradient (sometimes NaN) in about 4 calls of 10 when the output
    // channels were not a multiple of 16 (AMD EPYC, 2026-12-01): every layer after the first trained on garbage. Float64
    // convolutions do not run through oneDNN, so they are the reference; 5 draws × 6 executors would all but surely catch it.
    [Fact]
    public void Gradients_through_convolutions_of_any_channel_count_equal_the_float64_reference()
    {
        var target = new TargetNetwork("odd-channels", [1, 14, 14],
        [
            new Conv2dLayer(1, 4, 3) { Stride = 2, Padding = 1, Activation = Activation.Relu },                  // 14 → 7
            new Conv2dLayer(4, 6, 3) { Padding = 1, MaxPool = 2, Activation = Activation.Tanh, HasBias = false }, // 7 → 3
            new Conv2dLayer(6, 20, 2) { Activation = Activation.Elu },                                           // 3 → 2
            new LinearLayer(80, 3) { Activation = Activation.None },
        ]);
        foreach (var executor in FastPaths().Prepend(EnsembleExecutors.PerMember))
            for (int draw = 0; draw < 5; draw++)
            {
                using var scope = NewDisposeScope();
                random.manual_seed(draw);
                var weights = target.Layers.Select(l => randn([3L, .. l.WeightShape]) * 0.5).ToList();
                var biases = target.Layers.Select(l => l.HasBias ? randn(3, l.OutputUnits) : null).ToList();
                var (x, direction) = (randn(32, 1, 14, 14), randn(3, 32, 3));
                Tensor[] Gradients(ScalarType type) // of the input and of every generated weight and bias
                {
                    var leaves = weights.Concat(biases.OfType<Tensor>()).Prepend(x).Select(t => t.detach().to(type).requires_grad_()).ToList();
                    int w = 1, b = 1 + weights.Count;
                    var layers = target.Layers.Select(l => new GeneratedLayer(leaves[w++], l.HasBias ? leaves[b++] : null)).ToList();
                    executor.Forward(target, layers, leaves[0]).mul(direction.to(type)).sum().backward();
                    return leaves.Select(t => t.grad!.to(float32)).ToArray();
                }
                var (single, reference) = (Gradients(float32), Gradients(float64));
                for (int i = 0; i < single.Length; i++)
                {
                    double error = (single[i] - reference[i]).abs().nan_to_num(1e30).max().item<float>();
                    double scale = reference[i].abs().max().item<float>();
                    Assert.True(error <= 1e-4 * scale, $"{executor.Name}, draw {draw}, gradient {i}: max error {error:G3} (scale {scale:G3})");
                }
            }
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
