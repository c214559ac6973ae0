using HyperGan.ML.Engine.Ensembles;
using TorchSharp;
using static TorchSharp.torch;

namespace HyperGan.ML.Engine.Model;

/// <summary>
/// How a regression model's outputs map to the label's units. Training standardises the targets,
/// (y − <see cref="Shift"/>) / <see cref="Scale"/>, because the likelihood, the repulsion between networks and the prior
/// on generated weights all assume labels of order 1: with the raw labels of the 1-D problem (±64) the band missed the
/// truth everywhere off the data (docs/diversity.md). Sampled networks emit Shift + Scale × output: the scaling is folded
/// into their last layer, so every consumer of a <see cref="SampledEnsemble"/> (executors, frozen ensembles, ONNX export)
/// sees networks in label units. Classification uses <see cref="Identity"/>.
/// </summary>
/// <param name="Shift">Added to the standardised output: the targets' mean, or 0 when the last layer has no bias.</param>
/// <param name="Scale">Multiplies the standardised output: the targets' root mean square about <paramref name="Shift"/>.</param>
public sealed record LabelScaling(double Shift, double Scale)
{
    /// <summary>Outputs are in label units already (classification, and regression models saved before the scaling).</summary>
    public static LabelScaling Identity { get; } = new(0, 1);

    /// <summary>
    /// The scaling that standardises <paramref name="targets"/>: mean 0 (when <paramref name="canShift"/>, i.e. the
    /// target's last layer has a bias to carry the mean) and root mean square 1. Constant targets keep scale 1.
    /// </summary>
    public static LabelScaling Of(IReadOnlyCollection<float> targets, bool canShift)
    {
        ArgumentNullException.ThrowIfNull(targets);
        if (targets.Count == 0) return Identity;
        double shift = canShift ? targets.Average(t => (double)t) : 0;
        double scale = Math.Sqrt(targets.Average(t => (t - shift) * (t - shift)));
        return new LabelScaling(shift, scale > 1e-12 * Math.Max(1, Math.Abs(shift)) ? scale : 1);
    }

    /// <summary>(y − Shift) / Scale: targets in the units the networks are trained in.</summary>
    public Tensor Standardise(Tensor targets)
    {
        ArgumentNullException.ThrowIfNull(targets);
        using var scale = Scale.ToScalar();
        using var shift = Shift.ToScalar();
        return targets.sub(shift).div(scale);
    }

    /// <summary>
    /// <paramref name="layers"/> with the last layer's weight multiplied by Scale and its bias by Scale plus Shift, so the
    /// networks emit label units. Returns the same list for <see cref="Identity"/>.
    /// </summary>
    public IReadOnlyList<GeneratedLayer> Apply(IReadOnlyList<GeneratedLayer> layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        if (this == Identity) return layers;
        var last = layers[^1];
        // Scalars held for the call: TorchSharp 0.107 frees an implicit Scalar in its finalizer, possibly while libtorch reads it.
        using var scale = Scale.ToScalar();
        using var shift = Shift.ToScalar();
        var scaled = new GeneratedLayer(last.Weight.mul(scale), last.Bias?.mul(scale).add(shift, KeptScalars.One));
        return [.. layers.Take(layers.Count - 1), scaled];
    }
}
