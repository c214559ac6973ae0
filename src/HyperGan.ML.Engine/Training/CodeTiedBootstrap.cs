using HyperGan.ML.Engine.Ensembles;
using TorchSharp;
using static TorchSharp.torch;

namespace HyperGan.ML.Engine.Training;

/// <summary>
/// Per-example loss weights that give every sampled network its own reasons to differ, as deep-ensemble members get
/// theirs from their own initialisation and batch order: a Bayesian bootstrap (Rubin 1981) tied to the network's noise,
/// after the index-dependent data perturbations of hypermodels (Dwaracherla et al. 2020) and epistemic neural networks
/// (Osband et al. 2021). Training example i holds a fixed random unit direction aᵢ in noise space; the network drawn
/// from noise s weighs it by w = (1 − ρ) + ρ·(−ln Φ(⟨aᵢ, s⟩)). As s ~ N(0, I), ⟨aᵢ, s⟩ ~ N(0, 1), Φ of it is uniform
/// and −ln Φ ~ Exp(1): mean 1, the Bayesian bootstrap's weights. Nearby noises weigh the examples alike (the map from
/// noise to network stays smooth); independent noises weigh them independently.
/// </summary>
internal sealed class CodeTiedBootstrap : IDisposable
{
    readonly Tensor directions; // [examples, noise dim], unit rows
    readonly Scalar strength, keep, probabilityFloor;

    /// <summary>The bootstrap a training with <paramref name="options"/> uses on <paramref name="examples"/> rows: its own seed,
    /// so that without it every other draw of training is as before.</summary>
    public static CodeTiedBootstrap For(HyperGanTrainingOptions options, int examples, Device device) =>
        new(examples, options.Architecture.NoiseDim, options.BootstrapStrength, options.Seed + 3, device);

    /// <summary>Draws the directions of <paramref name="examples"/> training examples from <paramref name="seed"/>.</summary>
    /// <param name="examples">Training examples (rows of the training set).</param>
    /// <param name="noiseDim">Size of the noise s.</param>
    /// <param name="strength">ρ in (0, 1]: 1 = the Bayesian bootstrap's weights, smaller = closer to uniform weights.</param>
    /// <param name="seed">Seed of the directions (their own stream: the other draws of training stay as they are).</param>
    /// <param name="device">Where the noise lives.</param>
    public CodeTiedBootstrap(int examples, int noiseDim, double strength, int seed, Device device)
    {
        using var rng = new Generator((ulong)seed, device);
        using var raw = randn([examples, noiseDim], generator: rng, device: device);
        using var norms = raw.norm(1, keepdim: true);
        directions = raw.div(norms);
        this.strength = strength.ToScalar();
        keep = (1 - strength).ToScalar();
        probabilityFloor = 1e-12.ToScalar(); // caps a weight at ln 10¹² ≈ 28 (z below −7, never drawn in practice)
    }

    /// <summary>Weights [M, B] of the training examples <paramref name="rows"/> [B] (int64 indices) for the networks
    /// drawn from <paramref name="noise"/> [M, noise dim]; constants (no gradient).</summary>
    public Tensor Weights(Tensor noise, Tensor rows)
    {
        using var scope = NewDisposeScope();
        var z = noise.detach().mm(directions.index_select(0, rows.to(directions.device)).t()); // [M, B], each ~ N(0, 1)
        var exponential = special.ndtr(z).clamp_min(probabilityFloor).log().neg();
        return exponential.mul(strength).add(keep, KeptScalars.One).MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        directions.Dispose();
        strength.Dispose();
        keep.Dispose();
        probabilityFloor.Dispose();
    }
}
