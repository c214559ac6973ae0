using HyperGan.ML.Engine.Ensembles;
using HyperGan.ML.Engine.Targets;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace HyperGan.ML.Engine.Model;

/// <summary>
/// G_k with a chunked head. The code q goes through the same two ELU layers as the paper's generator to a feature u;
/// the layer's P parameters are <c>base + gain ⊙ delta(q)</c>, where <c>base</c> is a learned vector shared by every
/// network, <c>gain</c> a learned per-parameter scale of the code-dependent part (the paper's head has one implicitly:
/// each output's own row of weights), and <c>delta</c> comes in n = ⌈P / C⌉ chunks of C values:
/// <c>chunk_j = W_out · ELU(A·u + B·e_j)</c>, with e_j a learned embedding of chunk j. The head's size no longer
/// grows with hidden units × P (the paper's head), only with 2P (base and gain) plus small matrices.
/// The base is held in the units of the generated weights (HyperGanModel.Generate multiplies raw outputs by He's
/// factor; the base is divided by it first), so Adam moves the shared network as it would move a normally trained
/// one: in raw units its steps would be 1/He's factor times smaller, 3.5× (fan-in 25) to 20× (fan-in 800) on the MNIST
/// target's layers, and training lagged.
/// </summary>
public sealed class ChunkedLayerGenerator : Module<Tensor, Tensor>, ILayerGenerator
{
    readonly Linear fc1, fc2, codeToChunk, positionToChunk;
    readonly Parameter chunkEmbeddings, output, baseParameters, gain;
    readonly Tensor rawPerWeightUnit; // 1 / (the output scale Generate applies), per parameter
    readonly long layerParameterCount;

    /// <summary>Creates G_k for a layer of <paramref name="layerParameters"/> parameters.</summary>
    /// <param name="name">Module name.</param>
    /// <param name="codeDim">Code size d.</param>
    /// <param name="hidden">Width of the two ELU layers (the paper's 512).</param>
    /// <param name="layerParameters">P_k, all weights and biases of target layer k.</param>
    /// <param name="chunkSize">C, values per chunk.</param>
    /// <param name="chunkHidden">Width of the per-chunk layer.</param>
    /// <param name="embeddingDim">Size of each chunk's position embedding.</param>
    /// <param name="outputScale">The factor Generate multiplies each raw output by ([P]: He's factor of weights, then biases).</param>
    public ChunkedLayerGenerator(string name, int codeDim, int hidden, long layerParameters, int chunkSize, int chunkHidden, int embeddingDim,
        Tensor outputScale) : base(name)
    {
        layerParameterCount = layerParameters;
        long chunks = (layerParameters + chunkSize - 1) / chunkSize;
        fc1 = Linear(codeDim, hidden);
        fc2 = Linear(hidden, hidden);
        codeToChunk = Linear(hidden, chunkHidden);
        positionToChunk = Linear(embeddingDim, chunkHidden, hasBias: false);
        chunkEmbeddings = Parameter(randn(chunks, embeddingDim));
        using (var rootHidden = Math.Sqrt(chunkHidden).ToScalar())
            output = Parameter(randn(chunkHidden, chunkSize).div_(rootHidden));
        baseParameters = Parameter(zeros(layerParameters));
        gain = Parameter(ones(layerParameters));
        rawPerWeightUnit = outputScale.reciprocal();
        register_buffer("raw_per_weight_unit", rawPerWeightUnit, persistent: false);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor codes)
    {
        using var scope = NewDisposeScope();
        var chunks = ChunkFeatures(codes).matmul(output);                     // [M, n, C]
        var delta = chunks.flatten(1).narrow(1, 0, layerParameterCount) * gain;      // [M, P]
        return delta.add(baseParameters * rawPerWeightUnit, KeptScalars.One).MoveToOuterDisposeScope();
    }

    // ELU(A·u + B·e_j) for every code and chunk: [M, n, chunkHidden].
    Tensor ChunkFeatures(Tensor codes)
    {
        var u = TargetOps.Activate(fc2.forward(TargetOps.Activate(fc1.forward(codes), Activation.Elu)), Activation.Elu);
        var perCode = codeToChunk.forward(u).unsqueeze(1);                   // [M, 1, h]
        var perChunk = positionToChunk.forward(chunkEmbeddings).unsqueeze(0); // [1, n, h]
        return TargetOps.Activate(perCode.add(perChunk, KeptScalars.One), Activation.Elu);
    }

    /// <summary>
    /// The shared part is the base vector, ~ N(0, <paramref name="sharedStd"/>²); the output matrix is scaled so that,
    /// for codes like <paramref name="sampleCodes"/>, the chunked part has standard deviation <paramref name="codeStd"/>.
    /// </summary>
    public void InitialiseOutput(double sharedStd, double codeStd, Tensor sampleCodes)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        // Chunk features centred over codes: their spread is what the code changes; the rest is shared across networks.
        var features = ChunkFeatures(sampleCodes);
        var varying = features - features.mean([0], keepdim: true);
        double meanSquare = varying.pow(KeptScalars.Two).mean().item<float>();
        output.normal_(0, codeStd / Math.Sqrt(output.shape[0] * meanSquare));
        // The chunks' code-independent part belongs to the shared network: subtract it from the base, so that base plus
        // that part is exactly the N(0, sharedStd²) draw (raw units; the base holds it in weight units).
        using var std = sharedStd.ToScalar();
        var shared = randn(layerParameterCount).mul_(std).sub_(features.mean([0]).matmul(output).flatten().narrow(0, 0, layerParameterCount));
        baseParameters.copy_(shared.div_(rawPerWeightUnit));
    }
}
