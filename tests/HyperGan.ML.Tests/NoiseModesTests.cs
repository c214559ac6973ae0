using HyperGan.ML.Engine.Model;
using HyperGan.ML.Engine.Targets;
using HyperGan.ML.Engine.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace HyperGan.ML.Tests;

/// <summary>The experiments' mixture noise (HyperGanArchitecture.NoiseModes): its draws, and that a saved model draws the same.</summary>
public class NoiseModesTests
{
    static HyperGanModel Model(int modes, double spread)
    {
        random.manual_seed(1);
        return new HyperGanModel(TargetNetworks.MnistCnn(), Fixtures.SmallArchitecture with { NoiseModes = modes, ModeSpread = spread });
    }

    [Fact]
    public void Sampling_takes_the_modes_in_turn_and_training_draws_only_the_atoms_when_the_spread_is_zero()
    {
        using var model = Model(3, 0);
        using var other = Model(3, 0);
        using var scope = NewDisposeScope();
        var cycled = model.SampleNoise(6, new Generator(1), null, cycleModes: true);
        Assert.True(cycled[0].equal(cycled[3]).all().item<bool>() && cycled[2].equal(cycled[5]).all().item<bool>());
        Assert.False(cycled[0].equal(cycled[1]).all().item<bool>());
        Assert.True(cycled.equal(other.SampleNoise(6, new Generator(2), null, cycleModes: true)).all().item<bool>(), "one set of atoms");
        var drawn = model.SampleNoise(200, new Generator(3));
        var distance = cdist(drawn, cycled.narrow(0, 0, 3)).min(1).values;        // to the nearest atom
        Assert.True(distance.max().item<float>() < 0.01, "every draw is an atom (cdist rounds to ~1e-3; atoms lie ~8 apart)");
        var spread = Model(3, 0.25);
        var around = spread.SampleNoise(300, new Generator(4));
        double meanDistance = cdist(around, cycled.narrow(0, 0, 3)).min(1).values.mean().item<float>();
        double expected = 0.25 * Math.Sqrt(Fixtures.SmallArchitecture.NoiseDim);  // ‖0.25·z‖ for z ~ N(0, I_m)
        Assert.InRange(meanDistance, 0.9 * expected, 1.1 * expected);
        spread.Dispose();
    }

    [Fact]
    public void A_saved_model_with_modes_loads_with_them_and_samples_the_same_networks()
    {
        var options = new HyperGanTrainingOptions { Architecture = Fixtures.SmallArchitecture with { NoiseModes = 4 }, Seed = 1 };
        using var model = new TrainedHyperGan(Model(4, 0.25), options);
        using var loaded = Fixtures.SaveLoadSamplingTheSame(model);
        Assert.Equal(4, loaded.Model.Architecture.NoiseModes);
    }

    [Fact]
    public void Negative_modes_or_spread_are_refused_naming_the_option()
    {
        Assert.Equal("NoiseModes", Assert.Throws<ArgumentOutOfRangeException>(
            () => (new HyperGanArchitecture { NoiseModes = -1 }).Validate()).ParamName);
        Assert.Equal("ModeSpread", Assert.Throws<ArgumentOutOfRangeException>(
            () => (new HyperGanArchitecture { ModeSpread = double.NaN }).Validate()).ParamName);
    }
}
