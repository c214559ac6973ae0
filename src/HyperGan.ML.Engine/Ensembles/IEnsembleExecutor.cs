using HyperGan.ML.Engine.Targets;
using TorchSharp;
using static TorchSharp.torch;

namespace HyperGan.ML.Engine.Ensembles;

/// <summary>
/// Runs M generated networks on one batch: the single seam through which training, scoring and the ML.NET adapter
/// execute target networks, so the fast path can change without touching them. Implementations must be
/// differentiable (training back-propagates through them into the generator).
/// </summary>
public interface IEnsembleExecutor
{
    /// <summary>Short name for logs and benchmarks.</summary>
    string Name { get; }

    /// <summary>
    /// Evaluates every member on the same inputs <paramref name="x"/> of shape [B, ...target input shape].
    /// Returns the outputs of the last layer, shape [M, B, target output size].
    /// </summary>
    Tensor Forward(TargetNetwork target, IReadOnlyList<GeneratedLayer> layers, Tensor x);
}

/// <summary>The executors this package ships.</summary>
public static class EnsembleExecutors
{
    /// <summary>Plain loop over members, one functional forward each: the reference the fast path is tested against.</summary>
    public static IEnsembleExecutor PerMember { get; } = new PerMemberExecutor();

    /// <summary>The fastest path measured on CPU (see <see cref="BatchedExecutor"/>); the default everywhere.</summary>
    public static IEnsembleExecutor Batched { get; } = new BatchedExecutor();

    /// <summary>The executor used when none is specified.</summary>
    public static IEnsembleExecutor Default => Batched;

    internal static void CheckInputs(TargetNetwork target, IReadOnlyList<GeneratedLayer> layers, Tensor x)
    {
        if (layers.Count != target.Layers.Count)
            throw new ArgumentException($"Target '{target.Name}' has {target.Layers.Count} layers but {layers.Count} generated layers were given.",
                nameof(layers));
        var expected = target.InputShape.Select(d => (long)d).ToArray();
        if (x.dim() != expected.Length + 1 || !x.shape.Skip(1).SequenceEqual(expected))
            throw new ArgumentException($"Inputs must have shape [B, {string.Join(", ", expected)}] for target '{target.Name}' but have " +
                $"[{string.Join(", ", x.shape)}].", nameof(x));
    }
}
