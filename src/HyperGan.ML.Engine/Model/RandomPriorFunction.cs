using HyperGan.ML.Engine.Ensembles;
using HyperGan.ML.Engine.Targets;
using HyperGan.ML.Engine.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace HyperGan.ML.Engine.Model;

/// <summary>
/// A fixed random function per sampled network added to its outputs, after randomized prior functions (Osband et al.
/// 2018) as hypermodels carry them (Dwaracherla et al. 2020): the network drawn from noise s outputs
/// f(x; G(Q(s))) + scale · f(x; P(s)), where P is a frozen, randomly initialised generator that gives every code its own
/// He-initialised network, fed a fixed random projection of s. The trained part must fit the labels beside its own
/// prior, so networks differ wherever the data do not pin them down, as independently initialised networks do.
/// Internal (<see cref="HyperGanTrainingOptions.PriorFunctionScale"/>): a model with one cannot be saved or exported.
/// </summary>
internal sealed class RandomPriorFunction : IDisposable
{
    readonly HyperGanModel prior;   // frozen; only its generators are used
    readonly Tensor projection;     // [noise dim, K·d], N(0, 1/noise dim): codes of unit variance, as the generators' init assumes
    readonly Scalar scale;          // c, the weight of the prior's outputs

    RandomPriorFunction(HyperGanModel prior, Tensor projection, double scale)
    {
        this.prior = prior;
        this.projection = projection;
        this.scale = scale.ToScalar();
    }

    /// <summary>The prior function of a training with <paramref name="options"/>: its own seeds, so that the trained
    /// model's initialisation and every draw of training stay as they are without it. Draws from torch's global RNG.</summary>
    public static RandomPriorFunction Create(TargetNetwork target, HyperGanTrainingOptions options, Device device)
    {
        random.manual_seed(options.Seed + 4);
        var architecture = options.Architecture with
        {
            InitialSharedStd = 0,
            InitialCodeStd = 1,
            GeneratorBatchNorm = false,
            BaseNetworks = 0,
        };
        var prior = new HyperGanModel(target, architecture);
        prior.to(device);
        prior.eval();
        foreach (var p in prior.parameters()) p.requires_grad = false;
        using var rng = new Generator((ulong)options.Seed + 5, device);
        int codes = target.Layers.Count * architecture.CodeDim;
        using var raw = randn([architecture.NoiseDim, codes], generator: rng, device: device);
        using Scalar norm = Math.Sqrt(architecture.NoiseDim).ToScalar();
        return new RandomPriorFunction(prior, raw.div(norm), options.PriorFunctionScale);
    }

    /// <summary>The prior networks of the networks drawn from <paramref name="noise"/> [M, noise dim] (constants). Its
    /// temporaries belong to the caller's dispose scope (a training step's, or the one <see cref="HyperGanModel.Sample(int,
    /// Generator)"/> moves the networks out of).</summary>
    public IReadOnlyList<GeneratedLayer> Generate(Tensor noise)
    {
        using var _ = no_grad();
        var codes = noise.detach().mm(projection).view(noise.shape[0], prior.Target.Layers.Count, prior.Architecture.CodeDim);
        return prior.Generate(codes);
    }

    /// <summary><paramref name="outputs"/> + scale × <paramref name="priorOutputs"/> (both [M, B, outputs]).</summary>
    public Tensor Add(Tensor outputs, Tensor priorOutputs) => outputs.add(priorOutputs, scale);

    /// <inheritdoc/>
    public void Dispose()
    {
        prior.Dispose();
        projection.Dispose();
        scale.Dispose();
    }
}
