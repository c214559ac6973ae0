using HyperGan.ML.Engine.Ensembles;
using HyperGan.ML.Engine.Targets;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace HyperGan.ML.Engine.Model;

/// <summary>
/// K learned networks the generated ones are built on (<see cref="HyperGanArchitecture.BaseNetworks"/>): of the
/// networks of one <see cref="HyperGanModel.Generate(Tensor)"/> call, network i is base (first + i) mod K plus what the
/// generators make of its code. Each base starts as its own He-initialised network, as a deep-ensemble member does, and
/// is held in the target's weight units, so that Adam moves it as it moves a normally trained network (in the
/// generators' raw units its steps would be 1 / He's factor times smaller; see <see cref="ChunkedLayerGenerator"/>).
/// The sampled distribution is then a mixture of K copies of the continuous one, each around its own learned network
/// (after Multi-SWAG's mixture over several basins, Wilson &amp; Izmailov 2020).
/// </summary>
internal sealed class BaseNetworks : Module
{
    readonly ParameterList bases; // per target layer: [K, P_k], weights then biases, in weight units
    readonly TargetNetwork target;

    /// <summary>K He-initialised networks of <paramref name="target"/> (draws from torch's global RNG).</summary>
    public BaseNetworks(TargetNetwork target, int count, Func<LayerSpec, Tensor> heScale) : base("bases")
    {
        this.target = target;
        Count = count;
        bases = new ParameterList();
        foreach (var layer in target.Layers)
        {
            using var scale = heScale(layer);
            bases.Add(new Parameter(randn(count, layer.ParameterCount).mul_(scale)));
        }
        RegisterComponents();
    }

    /// <summary>K, the number of base networks.</summary>
    public int Count { get; }

    /// <summary>Which base each of <paramref name="members"/> networks is built on: (<paramref name="first"/> + i) mod K.</summary>
    public Tensor Turns(long members, long first, Device device) =>
        tensor(Enumerable.Range(0, (int)members).Select(i => (first + i) % Count).ToArray(), device: device);

    /// <summary>Adds the bases <paramref name="turns"/> (from <see cref="Turns"/>) to the generated <paramref name="weight"/> [M, ..]
    /// and <paramref name="bias"/> [M, out] of target layer <paramref name="layer"/>.</summary>
    public (Tensor Weight, Tensor? Bias) AddTo(int layer, Tensor weight, Tensor? bias, Tensor turns)
    {
        var spec = target.Layers[layer];
        var chosen = bases[layer].index_select(0, turns); // [M, P_k]
        var baseWeight = chosen.narrow(1, 0, spec.WeightCount).view(weight.shape);
        var withBias = bias is null ? null : bias.add(chosen.narrow(1, spec.WeightCount, spec.OutputUnits), KeptScalars.One);
        return (weight.add(baseWeight, KeptScalars.One), withBias);
    }
}
