using System.Text.Json.Serialization;

namespace HyperGan.ML.Engine.Targets;

/// <summary>Non-linearity applied after a layer of the target network.</summary>
public enum Activation
{
    /// <summary>Identity (used on the output layer).</summary>
    None,
    /// <summary>Leaky ReLU with slope 0.01 (PyTorch's default), as in the paper's CNNs.</summary>
    LeakyRelu,
    /// <summary>ReLU.</summary>
    Relu,
    /// <summary>ELU (alpha 1).</summary>
    Elu,
    /// <summary>Hyperbolic tangent.</summary>
    Tanh,
}

/// <summary>
/// One layer of a target network. The generator emits all of its weights (and bias, when <see cref="HasBias"/>);
/// the layer itself holds no parameters.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(Conv2dLayer), "conv2d")]
[JsonDerivedType(typeof(LinearLayer), "linear")]
public abstract record LayerSpec
{
    /// <summary>Whether the layer has a generated bias vector.</summary>
    public bool HasBias { get; init; } = true;
    /// <summary>Activation after the layer (before pooling).</summary>
    public Activation Activation { get; init; } = Activation.LeakyRelu;

    /// <summary>Shape of the weight tensor of one network, e.g. [out, in, kh, kw] or [out, in].</summary>
    [JsonIgnore] public abstract long[] WeightShape { get; }
    /// <summary>Number of output channels or units (the bias length).</summary>
    [JsonIgnore] public abstract int OutputUnits { get; }
    /// <summary>Inputs feeding one output unit (used to scale generated weights like a standard initialiser).</summary>
    [JsonIgnore] public abstract int FanIn { get; }
    /// <summary>Weight elements of one network.</summary>
    [JsonIgnore] public long WeightCount => WeightShape.Aggregate(1L, (a, b) => a * b);
    /// <summary>All generated parameters of this layer for one network (weights plus bias).</summary>
    [JsonIgnore] public long ParameterCount => WeightCount + (HasBias ? OutputUnits : 0);

    /// <summary>Output shape (without the batch dimension) for an input of shape <paramref name="input"/>.</summary>
    /// <exception cref="ArgumentException">The input shape does not fit this layer.</exception>
    public abstract int[] OutputShape(int[] input);

    /// <summary>Multiply-adds per example for an input of shape <paramref name="input"/> (for throughput figures).</summary>
    public abstract long MultiplyAdds(int[] input);
}

/// <summary>2-D convolution (square kernel), optional activation and max-pooling.</summary>
/// <param name="InChannels">Input channels.</param>
/// <param name="OutChannels">Output channels (filters).</param>
/// <param name="Kernel">Kernel size (square).</param>
public sealed record Conv2dLayer(int InChannels, int OutChannels, int Kernel) : LayerSpec
{
    /// <summary>Stride of the convolution.</summary>
    public int Stride { get; init; } = 1;
    /// <summary>Zero padding on each side.</summary>
    public int Padding { get; init; }
    /// <summary>Max-pooling window and stride after the activation; 1 means no pooling.</summary>
    public int MaxPool { get; init; } = 1;

    /// <inheritdoc/>
    public override long[] WeightShape => [OutChannels, InChannels, Kernel, Kernel];
    /// <inheritdoc/>
    public override int OutputUnits => OutChannels;
    /// <inheritdoc/>
    public override int FanIn => InChannels * Kernel * Kernel;

    /// <inheritdoc/>
    public override int[] OutputShape(int[] input)
    {
        if (input.Length != 3 || input[0] != InChannels)
            throw new ArgumentException(
                $"conv2d({InChannels}→{OutChannels}, {Kernel}×{Kernel}) needs input [{InChannels}, H, W] but gets [{string.Join(", ", input)}].");
        var (h, w) = ConvolvedSize(input);
        if (h <= 0 || w <= 0)
            throw new ArgumentException($"conv2d {Kernel}×{Kernel} does not fit an input of {input[1]}×{input[2]}.");
        return [OutChannels, h / MaxPool, w / MaxPool];
    }

    /// <inheritdoc/>
    public override long MultiplyAdds(int[] input)
    {
        var (h, w) = ConvolvedSize(input);
        return (long)h * w * OutChannels * FanIn;
    }

    /// <summary>Height and width of the convolution's output before pooling, for an input of shape [C, H, W].</summary>
    public (int Height, int Width) ConvolvedSize(int[] input) =>
        ((input[1] + 2 * Padding - Kernel) / Stride + 1, (input[2] + 2 * Padding - Kernel) / Stride + 1);
}

/// <summary>Fully connected layer; its input is flattened first.</summary>
/// <param name="InFeatures">Input features (after flattening).</param>
/// <param name="OutFeatures">Output features.</param>
public sealed record LinearLayer(int InFeatures, int OutFeatures) : LayerSpec
{
    /// <inheritdoc/>
    public override long[] WeightShape => [OutFeatures, InFeatures];
    /// <inheritdoc/>
    public override int OutputUnits => OutFeatures;
    /// <inheritdoc/>
    public override int FanIn => InFeatures;

    /// <inheritdoc/>
    public override int[] OutputShape(int[] input)
    {
        int flat = input.Aggregate(1, (a, b) => a * b);
        if (flat != InFeatures)
            throw new ArgumentException(
                $"linear({InFeatures}→{OutFeatures}) needs {InFeatures} input features but gets [{string.Join(", ", input)}] = {flat}.");
        return [OutFeatures];
    }

    /// <inheritdoc/>
    public override long MultiplyAdds(int[] input) => (long)InFeatures * OutFeatures;
}
