using System.Text.Json.Serialization;

namespace HyperGan.ML.Engine.Model;

/// <summary>
/// Sizes and form of the HyperGAN's own networks (mixer, generators, discriminator). The sizes default to the paper's;
/// the generators' form (<see cref="Head"/>, <see cref="BaseNetworks"/>, <see cref="InitialSharedStd"/>,
/// <see cref="InitialCodeStd"/>) to the setting chosen on validation data in docs/diversity.md; <see cref="Paper"/> is the
/// paper's dense head with every network around one start.
/// </summary>
public sealed record HyperGanArchitecture
{
    /// <summary>Dimension m of the noise s ~ N(0, I_m) fed to the mixer. Paper: 256.</summary>
    public int NoiseDim { get; init; } = 256;
    /// <summary>Dimension d of each layer code q_k. Paper: 128 for MNIST, 256 for CIFAR.</summary>
    public int CodeDim { get; init; } = 128;
    /// <summary>Hidden units of the mixer, generators and discriminator (each a 2-hidden-layer ELU MLP). Paper: 512.</summary>
    public int HiddenUnits { get; init; } = 512;
    /// <summary>
    /// Initial standard deviation (in units of He's std) of the weights every generated network shares: the
    /// generators' output bias. 1 = the networks start around one He-initialised network (<see cref="Paper"/>); 0
    /// (default) = no shared start, each network starts from its base (<see cref="BaseNetworks"/>). Not in the paper
    /// (the authors' code relies on batch norm inside G for scale).
    /// </summary>
    public double InitialSharedStd { get; init; }
    /// <summary>Initial standard deviation (in units of He's std) of the per-network, code-dependent part of the weights.
    /// Default 0.01: on top of a He-scale base a larger start trades the fit of natural images for disagreement on digits
    /// (0.25: CIFAR-5 56 %, 0.01: 65 % at the quick budget, docs/diversity.md); <see cref="Paper"/>: 0.25.</summary>
    public double InitialCodeStd { get; init; } = 0.01;
    /// <summary>
    /// Batch normalisation before each hidden ELU of every generator G_k (the full head), over the networks of a step, as
    /// in the authors' code; sampling uses the running statistics, so a network depends on its own code only. Off by
    /// default (the paper does not describe it; measured in docs/diversity.md).
    /// </summary>
    public bool GeneratorBatchNorm { get; init; }
    /// <summary>How each G_k emits its layer's parameters: a chunked head (default; 1.4 M instead of 17 M generator
    /// parameters on the MNIST target at width 512) or the paper's dense head (<see cref="Paper"/>).</summary>
    public GeneratorHead Head { get; init; } = GeneratorHead.Chunked;
    /// <summary>
    /// Internal (experiments; docs/diversity.md): K &gt; 0 makes the noise a mixture of K modes, s = a_c + <see cref="ModeSpread"/>·z
    /// with c uniform over K fixed random atoms a_c ~ N(0, I) (drawn from a fixed seed, so a loaded model draws the same ones)
    /// and z ~ N(0, I), so that the generator has to fit K networks and their neighbourhoods rather than a continuum of
    /// networks, which stays in one basin of the loss. Sampling n networks takes the modes in turn. 0 (default) = N(0, I).
    /// </summary>
    [JsonInclude] internal int NoiseModes { get; init; }
    /// <summary>Internal: the spread of the noise around each mode's atom (<see cref="NoiseModes"/>).</summary>
    [JsonInclude] internal double ModeSpread { get; init; } = 0.25;
    /// <summary>
    /// K &gt; 0 gives the generators K learned base networks, each starting as its own He-initialised network (as the members
    /// of a deep ensemble start) and trained in the units of the target's weights; a generated network is a base plus the
    /// generators' output for its code, the bases taken in turn (sampling n networks: base i mod K for network i). Costs K
    /// target networks more to store, nothing per training step. Default 10, chosen on validation data with the chunked
    /// head and <see cref="InitialCodeStd"/> 0.01 (docs/diversity.md): without bases every network shares the generators'
    /// output bias (<see cref="InitialSharedStd"/>), so all start around one network and stay near one function (CIFAR-5
    /// at the paper's scale, validation: 73.2 % without, 74.8 % with, and a real gain from 1 to 10 networks). 0 = none
    /// (<see cref="Paper"/>).
    /// </summary>
    public int BaseNetworks { get; init; } = 10;
    /// <summary>Chunked head: values per chunk C.</summary>
    public int ChunkSize { get; init; } = 256;
    /// <summary>Chunked head: width of the per-chunk layer.</summary>
    public int ChunkHiddenUnits { get; init; } = 128;
    /// <summary>Chunked head: size of each chunk's learned position embedding.</summary>
    public int ChunkEmbeddingDim { get; init; } = 32;

    /// <summary>The paper's generators: the dense head, every network around one He-initialised start (shared 1, per network
    /// 0.25 × He), no base networks; the sizes as in a new instance. The behaviour before docs/diversity.md's study.</summary>
    public static HyperGanArchitecture Paper => new()
    {
        Head = GeneratorHead.Full, BaseNetworks = 0, InitialSharedStd = 1, InitialCodeStd = 0.25,
    };

    /// <summary>Throws when a size is not positive.</summary>
    public void Validate()
    {
        if (NoiseDim <= 0) throw new ArgumentOutOfRangeException(nameof(NoiseDim), NoiseDim, "NoiseDim must be positive (paper: 256).");
        if (CodeDim <= 0) throw new ArgumentOutOfRangeException(nameof(CodeDim), CodeDim,
            "CodeDim must be positive (paper: 128 for MNIST, 256 for CIFAR).");
        if (!(InitialSharedStd >= 0) || double.IsInfinity(InitialSharedStd)) throw new ArgumentOutOfRangeException(nameof(InitialSharedStd),
            InitialSharedStd, "InitialSharedStd must be a finite number ≥ 0 (default 0).");
        if (!(InitialCodeStd > 0) || double.IsInfinity(InitialCodeStd)) throw new ArgumentOutOfRangeException(nameof(InitialCodeStd), InitialCodeStd,
            "InitialCodeStd must be a positive number (default 0.01).");
        if (HiddenUnits <= 0) throw new ArgumentOutOfRangeException(nameof(HiddenUnits), HiddenUnits, "HiddenUnits must be positive (paper: 512).");
        if (!Enum.IsDefined(Head)) throw new ArgumentOutOfRangeException(nameof(Head), Head, "Head must be GeneratorHead.Full or " +
            "GeneratorHead.Chunked.");
        if (GeneratorBatchNorm && Head == GeneratorHead.Chunked)
            throw new ArgumentException(
                "GeneratorBatchNorm applies to the full head only; set Head = GeneratorHead.Full or GeneratorBatchNorm = false.",
                nameof(GeneratorBatchNorm));
        if (NoiseModes < 0) throw new ArgumentOutOfRangeException(nameof(NoiseModes), NoiseModes, "NoiseModes must be ≥ 0 (0 = N(0, I) noise).");
        if (BaseNetworks < 0) throw new ArgumentOutOfRangeException(nameof(BaseNetworks), BaseNetworks, "BaseNetworks must be ≥ 0 (0 = none).");
        if (!(ModeSpread >= 0) || double.IsInfinity(ModeSpread)) throw new ArgumentOutOfRangeException(nameof(ModeSpread), ModeSpread,
            "ModeSpread must be a finite number ≥ 0.");
        if (ChunkSize <= 0) throw new ArgumentOutOfRangeException(nameof(ChunkSize), ChunkSize, "ChunkSize must be positive (default 256).");
        if (ChunkHiddenUnits <= 0) throw new ArgumentOutOfRangeException(nameof(ChunkHiddenUnits), ChunkHiddenUnits,
            "ChunkHiddenUnits must be positive (default 128).");
        if (ChunkEmbeddingDim <= 0) throw new ArgumentOutOfRangeException(nameof(ChunkEmbeddingDim), ChunkEmbeddingDim,
            "ChunkEmbeddingDim must be positive (default 32).");
    }
}
