namespace HyperGan.ML.Engine.Model;

/// <summary>Sizes of the HyperGAN's own networks (mixer, generators, discriminator). Paper values by default.</summary>
public sealed record HyperGanArchitecture
{
    /// <summary>Dimension m of the noise s ~ N(0, I_m) fed to the mixer. Paper: 256.</summary>
    public int NoiseDim { get; init; } = 256;
    /// <summary>Dimension d of each layer code q_k. Paper: 128 for MNIST, 256 for CIFAR.</summary>
    public int CodeDim { get; init; } = 128;
    /// <summary>Hidden units of the mixer, generators and discriminator (each a 2-hidden-layer ELU MLP). Paper: 512.</summary>
    public int HiddenUnits { get; init; } = 512;

    /// <summary>Throws when a size is not positive.</summary>
    public void Validate()
    {
        if (NoiseDim <= 0) throw new ArgumentOutOfRangeException(nameof(NoiseDim), NoiseDim, "NoiseDim must be positive (paper: 256).");
        if (CodeDim <= 0) throw new ArgumentOutOfRangeException(nameof(CodeDim), CodeDim, "CodeDim must be positive (paper: 128 for MNIST, 256 for CIFAR).");
        if (HiddenUnits <= 0) throw new ArgumentOutOfRangeException(nameof(HiddenUnits), HiddenUnits, "HiddenUnits must be positive (paper: 512).");
    }
}
