using HyperGan.ML.Engine.Model;
using HyperGan.ML.Engine.Targets;
using HyperGan.ML.Engine.Training;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace HyperGan.ML.Tests;

/// <summary>Learned base networks (HyperGanArchitecture.BaseNetworks, HyperGanEnsembleOptions.BaseNetworks): which base each
/// network is built on, their start, that training moves them and that a saved model keeps them.</summary>
public class BaseNetworksTests
{
    static HyperGanModel Model(int bases)
    {
        random.manual_seed(1);
        return new HyperGanModel(TargetNetworks.MnistCnn(), Fixtures.SmallArchitecture with { BaseNetworks = bases, InitialSharedStd = 0 });
    }

    [Fact]
    public void Networks_of_one_code_take_the_bases_in_turn_and_each_base_starts_as_its_own_He_network()
    {
        using var model = Model(3);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var codes = randn([1, model.Target.Layers.Count, model.Architecture.CodeDim], generator: new Generator(2)).expand(7, -1, -1);
        var first = model.Generate(codes)[0].Weight;          // [7, out, in, kh, kw]: one code, bases 0 1 2 0 1 2 0
        // Equal up to rounding: a matrix product need not round identical rows identically.
        Assert.True(first[0].allclose(first[3], 1e-5, 1e-6) && first[1].allclose(first[4], 1e-5, 1e-6), "bases repeat after K");
        Assert.False(first[0].allclose(first[1], 1e-2, 1e-3), "two bases give two networks");
        var shifted = model.Generate(codes, firstBase: 1)[0].Weight;
        Assert.True(shifted[0].allclose(first[1], 1e-5, 1e-6), "firstBase 1 starts at base 1");
        // Base 0 − base 1 is the difference of two independent He draws: std √2 × √(2 / fan-in).
        var spec = model.Target.Layers[0];
        double std = (first[0] - first[1]).std().item<float>(), he = Math.Sqrt(2.0 / spec.FanIn);
        Assert.InRange(std / (Math.Sqrt(2) * he), 0.8, 1.2);
    }

    [Fact]
    public void Training_moves_every_base_and_a_saved_model_samples_the_same_networks()
    {
        var (train, _) = Fixtures.MnistSlice(256, 10);
        var options = new HyperGanTrainingOptions
        {
            Architecture = Fixtures.SmallArchitecture with { BaseNetworks = 4, InitialSharedStd = 0 },
            Epochs = 1, BatchSize = 32, NetworksPerStep = 2, Seed = 3, PretrainMaxSteps = 20,
        };
        using var untrained = Model(0);
        using var data = TrainingSet.ForClassification(train.Pixels, train.Labels, train.Shape, 10);
        using var model = HyperGanTrainer.Fit(TargetNetworks.MnistCnn(), data, options);
        var bases = BasesOf(model.Model);
        Assert.Equal(model.Model.Target.Layers.Count, bases.Count);
        Assert.Equal(untrained.LayerGeneratorParameters().Count() + bases.Count, model.Model.LayerGeneratorParameters().Count());

        using (var loaded = Fixtures.SaveLoadSamplingTheSame(model))
            Assert.Equal(4, loaded.Model.Architecture.BaseNetworks);

        // 8 steps × 2 networks = every base trained 4 times: each moved from its start (same seed, same draws).
        random.manual_seed(options.Seed);
        using var start = new HyperGanModel(TargetNetworks.MnistCnn(), options.Architecture);
        var startBases = BasesOf(start);
        for (int layer = 0; layer < bases.Count; layer++)
            for (int k = 0; k < 4; k++)
                Assert.False(bases[layer][k].allclose(startBases[layer][k]), $"base {k} of layer {layer} did not move");
    }

    [Fact]
    public void The_bases_train_at_their_own_learning_rate_and_the_generators_at_theirs()
    {
        // One step: Adam's first update moves every parameter with a non-zero gradient by exactly its learning rate
        // (m̂ / √v̂ = sign of the gradient), so the largest move of each part names the rate it trained at.
        var (train, _) = Fixtures.MnistSlice(32, 10);
        var options = new HyperGanTrainingOptions
        {
            Architecture = Fixtures.SmallArchitecture with { BaseNetworks = 2, InitialSharedStd = 0 },
            Epochs = 1, BatchSize = 32, NetworksPerStep = 2, Seed = 5, PretrainMixer = false,
            LearningRate = 1e-5, BaseLearningRate = 1e-3,
        };
        using var data = TrainingSet.ForClassification(train.Pixels, train.Labels, train.Shape, 10);
        using var model = HyperGanTrainer.Fit(TargetNetworks.MnistCnn(), data, options);
        random.manual_seed(options.Seed);
        using var start = new HyperGanModel(TargetNetworks.MnistCnn(), options.Architecture);
        static double LargestMove(IEnumerable<Parameter> after, IEnumerable<Parameter> before) =>
            after.Zip(before).Max(p => (p.First - p.Second).abs().max().item<float>());
        double baseMove = LargestMove(BasesOf(model.Model), BasesOf(start));
        double generatorMove = LargestMove(model.Model.GeneratorOnlyParameters(), start.GeneratorOnlyParameters());
        Assert.InRange(baseMove, 0.99e-3, 1.01e-3);
        Assert.InRange(generatorMove, 0.99e-5, 1.01e-5);
    }

    [Fact]
    public void A_base_learning_rate_that_is_not_positive_is_refused_naming_the_option() =>
        Assert.Equal("BaseLearningRate", Assert.Throws<ArgumentOutOfRangeException>(
            () => new HyperGanTrainingOptions { BaseLearningRate = double.NaN }.Validate()).ParamName);

    // The base networks' parameters (one [K, P_k] per target layer), in layer order.
    static List<Parameter> BasesOf(HyperGanModel model) =>
        model.named_parameters().Where(p => p.name.StartsWith("bases.", StringComparison.Ordinal)).Select(p => p.parameter).ToList();

    [Fact]
    public void A_negative_count_is_refused_naming_the_option() =>
        Assert.Equal("BaseNetworks", Assert.Throws<ArgumentOutOfRangeException>(
            () => (new HyperGanArchitecture { BaseNetworks = -1 }).Validate()).ParamName);
}
