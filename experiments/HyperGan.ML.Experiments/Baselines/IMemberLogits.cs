using static TorchSharp.torch;

namespace HyperGan.ML.Experiments.Baselines;

/// <summary>
/// A method that scores with several members: HyperGAN's sampled networks, a deep ensemble, MC-dropout samples.
/// <see cref="Logits"/> returns [members, B, classes] and is differentiable in x (for attacks) when x requires grad.
/// </summary>
public interface IMemberLogits
{
    /// <summary>Name in tables and plots, e.g. "HyperGAN (10)", "deep ensemble (5)".</summary>
    string Name { get; }
    /// <summary>Members per prediction.</summary>
    int Members { get; }
    /// <summary>Member outputs [members, B, classes].</summary>
    Tensor Logits(Tensor x);
}
