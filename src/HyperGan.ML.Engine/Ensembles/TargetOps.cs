using HyperGan.ML.Engine.Targets;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace HyperGan.ML.Engine.Ensembles;

/// <summary>
/// The parameter-free pieces of a target layer (activation, pooling), shared by every executor and by baselines that
/// train the same architectures normally, so all of them compute exactly the same function.
/// </summary>
public static class TargetOps
{
    /// <summary>Applies <paramref name="activation"/> (leaky-ReLU slope 0.01).</summary>
    public static Tensor Activate(Tensor x, Activation activation) => activation switch
    {
        Activation.None => x,
        Activation.LeakyRelu => x.leaky_relu(KeptScalars.LeakySlope),   // F.leaky_relu / F.elu would pass implicit Scalars (see KeptScalars)
        Activation.Relu => F.relu(x),
        Activation.Elu => x.elu(KeptScalars.One, KeptScalars.One, KeptScalars.One), // alpha, scale, input scale
        Activation.Tanh => x.tanh(),
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation."),
    };

    /// <summary>
    /// Activation and pooling of a conv output of shape [N, C, H, W]: the function "activate, then max-pool".
    /// Computed as pool-then-activate, which gives identical values because every supported activation is
    /// non-decreasing (max commutes with it) and touches a quarter of the elements for a 2×2 pool.
    /// </summary>
    public static Tensor ConvTail(Tensor x, Conv2dLayer layer) => Activate(Pool(x, layer), layer.Activation);

    /// <summary>The layer's max-pooling alone (identity when <see cref="Conv2dLayer.MaxPool"/> is 1).</summary>
    public static Tensor Pool(Tensor x, Conv2dLayer layer) =>
        layer.MaxPool > 1 ? F.max_pool2d(x, layer.MaxPool, layer.MaxPool) : x;
}
