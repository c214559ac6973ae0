using HyperGan.ML.Engine.Targets;
using TorchSharp;
using static TorchSharp.torch;

namespace HyperGan.ML.Engine.Ensembles;

/// <summary>
/// M concrete target networks drawn from a trained HyperGAN: their generated weights, detached from the generator.
/// Reuse one instance to score many batches with the same networks (reproducible scoring); dispose it when done.
/// </summary>
public sealed class SampledEnsemble : IDisposable
{
    /// <summary>Architecture of every member.</summary>
    public TargetNetwork Target { get; }
    /// <summary>Generated parameters per target layer, leading dimension = members.</summary>
    public IReadOnlyList<GeneratedLayer> Layers { get; }
    /// <summary>Number of networks.</summary>
    public int Count => (int)Layers[0].Members;

    /// <summary>Wraps generated layers; the ensemble takes ownership of the tensors.</summary>
    public SampledEnsemble(TargetNetwork target, IReadOnlyList<GeneratedLayer> layers)
    {
        Target = target;
        Layers = layers;
    }

    /// <summary>Networks whose outputs include a fixed random prior function (the prior's layers are owned here, the
    /// function by its model). Such an ensemble is not a set of plain networks: it cannot be saved or exported.</summary>
    internal SampledEnsemble(TargetNetwork target, IReadOnlyList<GeneratedLayer> layers, IReadOnlyList<GeneratedLayer> priorLayers,
        Model.RandomPriorFunction priorFunction) : this(target, layers)
    {
        PriorLayers = priorLayers;
        this.priorFunction = priorFunction;
    }

    readonly Model.RandomPriorFunction? priorFunction;

    /// <summary>The prior networks' layers added to the outputs (scaled), or null: plain networks.</summary>
    internal IReadOnlyList<GeneratedLayer>? PriorLayers { get; }

    /// <summary>Throws when this ensemble's outputs are not those of <see cref="Layers"/> alone (a prior function).</summary>
    internal void ThrowIfNotPlainNetworks(string what)
    {
        if (PriorLayers is not null)
            throw new NotSupportedException($"{what} needs plain networks, but these add a random prior function to their outputs " +
                "(the internal PriorFunctionScale of the experiments).");
    }

    /// <summary>Outputs [M, B, outputs] of every member on <paramref name="x"/>, keeping any autograd graph (to x).</summary>
    internal Tensor Outputs(Tensor x, IEnsembleExecutor executor)
    {
        if (PriorLayers is null) return executor.Forward(Target, Layers, x);
        using var scope = NewDisposeScope();
        return priorFunction!.Add(executor.Forward(Target, Layers, x), executor.Forward(Target, PriorLayers, x)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Raw outputs (logits or regression values) of every member: [M, B, outputs]. No gradient is tracked.
    /// Inputs are fed in slices of <paramref name="batchSize"/> so the working set stays small whatever B is.
    /// </summary>
    public Tensor Forward(Tensor x, IEnsembleExecutor? executor = null, int batchSize = 256)
    {
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batchSize must be positive.");
        executor ??= EnsembleExecutors.Default;
        using var _ = no_grad();
        long n = x.shape[0];
        if (n <= batchSize) return Outputs(x, executor);
        using var scope = NewDisposeScope();
        var parts = new List<Tensor>();
        for (long start = 0; start < n; start += batchSize)
            parts.Add(Outputs(x.narrow(0, start, Math.Min(batchSize, n - start)), executor));
        return cat(parts, 1).MoveToOuterDisposeScope();
    }

    /// <summary>The first <paramref name="count"/> members as a new ensemble (copies; dispose it separately).</summary>
    public SampledEnsemble Take(int count)
    {
        if (count <= 0 || count > Count) throw new ArgumentOutOfRangeException(nameof(count), count, $"Take needs 1..{Count} members.");
        List<GeneratedLayer> First(IReadOnlyList<GeneratedLayer> layers) => layers.Select(l => new GeneratedLayer(
            l.Weight.narrow(0, 0, count).clone(), l.Bias?.narrow(0, 0, count).clone())).ToList();
        return PriorLayers is null ? new SampledEnsemble(Target, First(Layers))
            : new SampledEnsemble(Target, First(Layers), First(PriorLayers), priorFunction!);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var layer in PriorLayers is null ? Layers : Layers.Concat(PriorLayers))
        {
            layer.Weight.Dispose();
            layer.Bias?.Dispose();
        }
    }
}
