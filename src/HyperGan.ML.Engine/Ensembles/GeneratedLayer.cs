using TorchSharp;
using static TorchSharp.torch;

namespace HyperGan.ML.Engine.Ensembles;

/// <summary>
/// The generated parameters of one target layer for M sampled networks: <see cref="Weight"/> has shape
/// [M, ...layer weight shape] and <see cref="Bias"/> [M, outputs] (null for a layer without bias).
/// </summary>
public sealed record GeneratedLayer(Tensor Weight, Tensor? Bias)
{
    /// <summary>Number of sampled networks (the leading dimension).</summary>
    public long Members => Weight.shape[0];
}
