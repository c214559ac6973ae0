using HyperGan.ML.Engine.Ensembles;
using HyperGan.ML.Engine.Model;
using HyperGan.ML.Engine.Persistence;
using HyperGan.ML.Engine.Targets;
using HyperGan.ML.Engine.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace HyperGan.ML.Tests;

/// <summary>The experiments' random prior function: what sampled networks output with it, and that nothing saves or exports
/// such networks as if they were plain ones.</summary>
public class RandomPriorFunctionTests
{
    static readonly HyperGanTrainingOptions Options = new() { Architecture = Fixtures.SmallArchitecture, Seed = 2, PriorFunctionScale = 3 };

    static TrainedHyperGan Untrained()
    {
        random.manual_seed(1);
        var model = new HyperGanModel(TargetNetworks.MnistCnn(), Options.Architecture);
        model.PriorFunction = RandomPriorFunction.Create(model.Target, Options, CPU);
        return new TrainedHyperGan(model, Options);
    }

    [Fact]
    public void Sampled_networks_output_their_own_network_plus_the_scaled_prior_network_and_the_prior_differs_per_network()
    {
        using var model = Untrained();
        using var scope = NewDisposeScope();
        using var ensemble = model.Sample(4, 7);
        var x = randn([6, 1, 28, 28], generator: new Generator(3));
        var own = EnsembleExecutors.Default.Forward(ensemble.Target, ensemble.Layers, x);
        var prior = EnsembleExecutors.Default.Forward(ensemble.Target, ensemble.PriorLayers!, x);
        Assert.True(ensemble.Forward(x).allclose(own + prior * 3, rtol: 1e-5, atol: 1e-5));
        Assert.True(ensemble.Forward(x, batchSize: 4).allclose(own + prior * 3, rtol: 1e-5, atol: 1e-5));
        double spread = prior.std([0]).mean().item<float>(), scale = prior.abs().mean().item<float>();
        Assert.True(spread > 0.3 * scale, $"prior outputs spread {spread:F3} over networks at a scale of {scale:F3}: one prior for all");
        using var again = model.Sample(4, 7);
        Assert.True(again.Forward(x).equal(ensemble.Forward(x)).all().item<bool>(), "same seed, same networks and priors");
        using var first = ensemble.Take(2);
        Assert.True(first.Forward(x).allclose(ensemble.Forward(x).narrow(0, 0, 2), rtol: 1e-6, atol: 1e-6));
    }

    [Fact]
    public void Models_and_ensembles_with_a_prior_function_refuse_to_be_saved()
    {
        using var model = Untrained();
        Assert.Throws<NotSupportedException>(() => ModelFile.ToBytes(model));
        using var ensemble = model.Sample(2, 1);
        using var stream = new MemoryStream();
        Assert.Throws<NotSupportedException>(() => EnsembleFile.Write(ensemble, stream));
        Assert.Equal(0, stream.Length);
    }

    [Fact]
    public void Prior_function_scale_must_be_finite_non_negative_and_for_classification()
    {
        foreach (var bad in new[] { -1, double.NaN, double.PositiveInfinity })
            Assert.Equal("PriorFunctionScale", Assert.Throws<ArgumentOutOfRangeException>(
                () => (new HyperGanTrainingOptions { PriorFunctionScale = bad }).Validate()).ParamName);
        Assert.Equal("PriorFunctionScale", Assert.Throws<ArgumentOutOfRangeException>(
            () => (new HyperGanTrainingOptions { PriorFunctionScale = 1, Task = TaskKind.Regression }).Validate()).ParamName);
    }
}
