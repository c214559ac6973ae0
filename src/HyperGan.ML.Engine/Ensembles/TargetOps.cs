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

    /// <summary>
    /// The layer's convolution alone (stride, padding, bias; no pooling or activation) of <paramref name="x"/> [N, C, H, W]
    /// with one network's <paramref name="weight"/> [O, C, k, k] and <paramref name="bias"/> [O]. Every executor and baseline
    /// convolves through here.
    /// </summary>
    /// <remarks>
    /// libtorch 2.10's CPU convolution (oneDNN) returns a wrong gradient with respect to its input — sometimes NaN — in about
    /// 4 calls of 10 when the number of output channels is not a multiple of 16, on the AMD EPYC (AVX-512) machine of
    /// 2026-12-01 with AVX2 kernels too; outputs and weight gradients stay right (docs/performance.md, "A wrong
    /// convolution gradient"). When that gradient will be computed here (training a later layer, input gradients for
    /// attacks), the same convolution runs as im2col + matrix multiply, whose gradients are exact.
    /// </remarks>
    public static Tensor Conv2d(Tensor x, Tensor weight, Tensor? bias, Conv2dLayer layer)
    {
        if (!InputGradientNeedsIm2col(x, layer))
            return F.conv2d(x, weight, bias, strides: [layer.Stride, layer.Stride], padding: [layer.Padding, layer.Padding]);
        return Im2colConv(x.unsqueeze(0), weight.unsqueeze(0), bias?.unsqueeze(0), layer).squeeze(0);
    }

    /// <summary>Each member's convolution of its own input [M, N, C, H, W] with its own weights [M, O, C, k, k] and bias [M, O],
    /// as im2col + one batched matrix multiply (exact gradients; see <see cref="Conv2d"/>): [M, N, O, H', W'].</summary>
    internal static Tensor Im2colConv(Tensor x, Tensor weight, Tensor? bias, Conv2dLayer layer)
    {
        long members = x.shape[0], n = x.shape[1];
        var (height, width) = layer.ConvolvedSize([(int)x.shape[2], (int)x.shape[3], (int)x.shape[4]]);
        var columns = F.unfold(x.flatten(0, 1), layer.Kernel, padding: layer.Padding, stride: layer.Stride)
            .view(members, n, layer.FanIn, height * width);                                                  // [M, N, C·k·k, H'·W']
        var y = matmul(weight.reshape(members, 1, layer.OutChannels, layer.FanIn), columns);                // [M, N, O, H'·W']
        if (bias is not null) y = y.add(bias.view(members, 1, layer.OutChannels, 1), KeptScalars.One);
        return y.view(members, n, layer.OutChannels, height, width);
    }

    /// <summary>True when a CPU convolution's input gradient will be computed and oneDNN may get it wrong (see
    /// <see cref="Conv2d"/>): then the convolution must run as im2col + matrix multiply.</summary>
    internal static bool InputGradientNeedsIm2col(Tensor x, Conv2dLayer layer) =>
        layer.OutChannels % 16 != 0 && x.requires_grad && is_grad_enabled() && x.device_type == DeviceType.CPU;

    /// <summary>The layer's max-pooling alone (identity when <see cref="Conv2dLayer.MaxPool"/> is 1).</summary>
    public static Tensor Pool(Tensor x, Conv2dLayer layer) =>
        layer.MaxPool > 1 ? F.max_pool2d(x, layer.MaxPool, layer.MaxPool) : x;
}
