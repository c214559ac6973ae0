using HyperGan.ML.Engine.Ensembles;
using static TorchSharp.torch;

namespace HyperGan.ML.Experiments.Baselines;

/// <summary>Networks sampled from a HyperGAN.</summary>
public sealed class HyperGanMembers(SampledEnsemble ensemble, string? name = null) : IMemberLogits
{
    /// <inheritdoc/>
    public string Name { get; } = name ?? $"HyperGAN ({ensemble.Count})";
    /// <inheritdoc/>
    public int Members => ensemble.Count;
    /// <inheritdoc/>
    public Tensor Logits(Tensor x) => x.requires_grad
        ? EnsembleExecutors.Default.Forward(ensemble.Target, ensemble.Layers, x) // keeps the graph to x
        : ensemble.Forward(x);
}

/// <summary>Independently trained networks, softmax averaged (a deep ensemble; one member = a single network).</summary>
public sealed class DeepEnsemble(IReadOnlyList<PlainNetwork> networks, string? name = null) : IMemberLogits
{
    /// <inheritdoc/>
    public string Name { get; } = name ?? (networks.Count == 1 ? "single network" : $"deep ensemble ({networks.Count})");
    /// <inheritdoc/>
    public int Members => networks.Count;
    /// <summary>The networks.</summary>
    public IReadOnlyList<PlainNetwork> Networks => networks;
    /// <inheritdoc/>
    public Tensor Logits(Tensor x)
    {
        using var grad = x.requires_grad ? null : no_grad();
        using var scope = NewDisposeScope();
        return stack(networks.Select(n => n.forward(x)).ToArray()).MoveToOuterDisposeScope();
    }
}

/// <summary>MC dropout: one network with dropout kept on at test time, <paramref name="samples"/> forward passes.</summary>
public sealed class McDropout(PlainNetwork network, int samples, long seed) : IMemberLogits
{
    /// <inheritdoc/>
    public string Name => $"MC dropout ({samples})";
    /// <inheritdoc/>
    public int Members => samples;
    /// <inheritdoc/>
    public Tensor Logits(Tensor x)
    {
        using var grad = x.requires_grad ? null : no_grad();
        using var scope = NewDisposeScope();
        network.SampleDropout = true;
        TorchSharp.torch.random.manual_seed(seed); // the same dropout masks every call: reproducible scores
        try { return stack(Enumerable.Range(0, samples).Select(_ => network.forward(x)).ToArray()).MoveToOuterDisposeScope(); }
        finally { network.SampleDropout = false; }
    }
}
