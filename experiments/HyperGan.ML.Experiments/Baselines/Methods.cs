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
        ? ensemble.Outputs(x, EnsembleExecutors.Default) // keeps the graph to x
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

    /// <summary>
    /// Stacks <paramref name="count"/> member outputs into [M, B, C], releasing each member's intermediate activations as
    /// soon as its output exists (without a graph to keep; with one, autograd holds what backward needs).
    /// </summary>
    internal static Tensor StackMembers(int count, Func<int, Tensor> member)
    {
        var outputs = new Tensor[count];
        try
        {
            for (int i = 0; i < count; i++)
            {
                using var scope = NewDisposeScope();
                outputs[i] = member(i).MoveToOuterDisposeScope();
            }
            return stack(outputs);
        }
        finally
        {
            foreach (var o in outputs) o?.Dispose();
        }
    }
    /// <inheritdoc/>
    public Tensor Logits(Tensor x)
    {
        using var grad = x.requires_grad ? null : no_grad();
        return StackMembers(networks.Count, i => networks[i].forward(x));
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
        network.SampleDropout = true;
        TorchSharp.torch.random.manual_seed(seed); // the same dropout masks every call: reproducible scores
        try { return DeepEnsemble.StackMembers(samples, _ => network.forward(x)); }
        finally { network.SampleDropout = false; }
    }
}
