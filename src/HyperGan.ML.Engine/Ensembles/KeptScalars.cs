using TorchSharp;

namespace HyperGan.ML.Engine.Ensembles;

/// <summary>
/// Scalars the hot paths pass to libtorch explicitly. TorchSharp 0.107's <see cref="Scalar"/> holds a raw native
/// pointer and frees it in its finalizer; an implicit one (<c>a + b</c> passes alpha = 1, <c>clamp_min(0)</c> its bound,
/// <c>F.leaky_relu(x, 0.01)</c> its slope) becomes unreachable as soon as its pointer is read, so the GC may free it
/// while the native call still reads it — seen here as "Expected false to be true … toFloat" from add_Tensor and from
/// leaky_relu in the test that scores thousands of batches, and from InPlaceAdam's add_(ε) (alpha 1) in clean-clone CI.
/// Static instances are never collected; a value known only at run time is held with <c>using var s = v.ToScalar()</c>.
/// The build bans every implicit conversion and every TorchSharp method that makes one inside
/// (src/BannedSymbols.TorchSharp.txt, CONTRIBUTING.md).
/// </summary>
internal static class KeptScalars
{
    /// <summary>1, the alpha of an addition or subtraction.</summary>
    public static readonly Scalar One = 1.0f.ToScalar();
    /// <summary>0.</summary>
    public static readonly Scalar Zero = 0.0f.ToScalar();
    /// <summary>−1.</summary>
    public static readonly Scalar MinusOne = (-1.0f).ToScalar();
    /// <summary>2, the exponent of a square (<c>Tensor.square()</c> passes it implicitly) or a doubling.</summary>
    public static readonly Scalar Two = 2.0f.ToScalar();
    /// <summary>0.01, the leaky-ReLU slope of <see cref="Targets.Activation.LeakyRelu"/> (PyTorch's default).</summary>
    public static readonly Scalar LeakySlope = 0.01.ToScalar();
    /// <summary>1e-30, the floor under probabilities before a logarithm.</summary>
    public static readonly Scalar Tiny = 1e-30f.ToScalar();
}
