using HyperGan.ML.Engine.Ensembles;
using HyperGan.ML.Engine.Targets;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace HyperGan.ML.Engine.Model;

/// <summary>
/// The HyperGAN (Ratzlaff &amp; Fuxin): noise s → mixer Q → one code q_k per target layer → generator G_k → all
/// weights and biases of layer k. The latent discriminator D is trained to tell codes from prior samples.
/// </summary>
/// <remarks>
/// Each generator's raw output is scaled by √(2 / fan-in) for weights (He initialisation's scale) and √(1 / fan-in)
/// for biases, and its output layer is initialised so that a fresh generator emits one He-initialised network
/// (the output bias, std <see cref="HyperGanArchitecture.InitialSharedStd"/>) plus a per-network variation from the
/// code (std <see cref="HyperGanArchitecture.InitialCodeStd"/>). Activations then neither vanish nor explode with
/// depth — with PyTorch's default output-layer init the generated weights were ~0.04 × He, and the 5-layer CIFAR
/// target passed no signal from its input and never left chance — and every layer learns at a comparable rate.
/// </remarks>
public sealed class HyperGanModel : Module
{
    readonly Mlp mixer;
    readonly ModuleList<Module<Tensor, Tensor>> generators; // each an ILayerGenerator
    readonly Mlp discriminator;
    readonly BaseNetworks? bases; // null unless Architecture.BaseNetworks > 0

    /// <summary>The target architecture whose weights this model generates.</summary>
    public TargetNetwork Target { get; }
    /// <summary>Sizes of the mixer, generators and discriminator.</summary>
    public HyperGanArchitecture Architecture { get; }

    /// <summary>Creates an untrained HyperGAN for <paramref name="target"/>. Initialisation uses torch's global RNG.</summary>
    public HyperGanModel(TargetNetwork target, HyperGanArchitecture architecture) : base("hypergan")
    {
        architecture.Validate();
        Target = target;
        Architecture = architecture;
        int k = target.Layers.Count, d = architecture.CodeDim, h = architecture.HiddenUnits;
        mixer = new Mlp("mixer", architecture.NoiseDim, h, k * d);
        generators = new ModuleList<Module<Tensor, Tensor>>(target.Layers.Select((l, i) => LayerGenerator($"generator{i}", architecture,
            l)).ToArray());
        discriminator = new Mlp("discriminator", d, h, 1);
        if (architecture.BaseNetworks > 0) bases = new BaseNetworks(target, architecture.BaseNetworks, OutputScale);
        RegisterComponents();
        modeAtoms = ModeAtoms(architecture); // after registering: not a buffer, so model files stay as they are
        using var codes = randn(1024, d);
        foreach (var g in generators) ((ILayerGenerator)g).InitialiseOutput(architecture.InitialSharedStd, architecture.InitialCodeStd, codes);
    }

    static Module<Tensor, Tensor> LayerGenerator(string name, HyperGanArchitecture a, LayerSpec layer) => a.Head switch
    {
        GeneratorHead.Chunked => new ChunkedLayerGenerator(name, a.CodeDim, a.HiddenUnits, layer.ParameterCount, a.ChunkSize, a.ChunkHiddenUnits,
            a.ChunkEmbeddingDim, OutputScale(layer)),
        _ => new Mlp(name, a.CodeDim, a.HiddenUnits, checked((int)layer.ParameterCount), a.GeneratorBatchNorm),
    };

    // He's factor: √(2 / fan-in) for weights, √(1 / fan-in) for biases, so generated networks start (and stay) at a scale
    // where activations neither vanish nor explode with depth.
    static double WeightScale(LayerSpec layer) => Math.Sqrt(2.0 / layer.FanIn);
    static double BiasScale(LayerSpec layer) => Math.Sqrt(1.0 / layer.FanIn);

    static Tensor OutputScale(LayerSpec layer)
    {
        using Scalar weightScale = WeightScale(layer).ToScalar(), biasScale = BiasScale(layer).ToScalar();
        var scale = full(layer.ParameterCount, weightScale, dtype: float32);
        if (layer.HasBias) scale.narrow(0, layer.WeightCount, layer.OutputUnits).fill_(biasScale);
        return scale;
    }

    /// <summary>The mixer Q.</summary>
    public Module<Tensor, Tensor> Mixer => mixer;
    /// <summary>The latent discriminator D (one logit per code: prior = real).</summary>
    public Module<Tensor, Tensor> Discriminator => discriminator;
    /// <summary>Parameters of all layer generators G_k (and of their base networks, when the architecture has them).</summary>
    public IEnumerable<Parameter> LayerGeneratorParameters() => GeneratorOnlyParameters().Concat(BaseNetworkParameters());

    /// <summary>Parameters of the layer generators G_k alone (trained at the generators' learning rate).</summary>
    internal IEnumerable<Parameter> GeneratorOnlyParameters() => generators.parameters();
    /// <summary>Parameters of the base networks (none without them; trained at their own learning rate).</summary>
    internal IEnumerable<Parameter> BaseNetworkParameters() => bases?.parameters() ?? [];

    /// <summary>Draws noise s ~ N(0, I_m) for <paramref name="count"/> networks.</summary>
    public Tensor SampleNoise(long count, Generator? rng = null, Device? device = null) => SampleNoise(count, rng, device, cycleModes: false);

    /// <summary>Noise for <paramref name="count"/> networks; with <see cref="HyperGanArchitecture.NoiseModes"/>, each network's
    /// mode is drawn from <paramref name="rng"/> or, when <paramref name="cycleModes"/>, taken in turn (sampling).</summary>
    internal Tensor SampleNoise(long count, Generator? rng, Device? device, bool cycleModes)
    {
        device ??= Device;
        var z = randn([count, Architecture.NoiseDim], generator: rng, device: device);
        int modes = Architecture.NoiseModes;
        if (modes == 0) return z;
        using var scope = NewDisposeScope();
        var mode = cycleModes ? tensor(Enumerable.Range(0, (int)count).Select(i => (long)(i % modes)).ToArray(), device: device)
            : randint(modes, [count], generator: rng, device: device);
        using Scalar spread = Architecture.ModeSpread.ToScalar();
        return modeAtoms!.to(device).index_select(0, mode).add(z, spread).MoveToOuterDisposeScope();
    }

    // The mixture's atoms (CPU): a fixed seed of their own, so every model of this architecture (and a loaded one) has the
    // same; held for the model's life, outside any caller's dispose scope.
    static Tensor? ModeAtoms(HyperGanArchitecture architecture)
    {
        if (architecture.NoiseModes == 0) return null;
        using var rng = new Generator(20261202);
        return randn([architecture.NoiseModes, architecture.NoiseDim], generator: rng).DetachFromDisposeScope();
    }

    readonly Tensor? modeAtoms;

    /// <summary>Codes for each network and layer: [count, K, d].</summary>
    public Tensor Codes(Tensor noise) => mixer.forward(noise).view(noise.shape[0], Target.Layers.Count, Architecture.CodeDim);

    /// <summary>Turns codes [M, K, d] into the weights and biases of M target networks (regression: in the standardised units
    /// training uses; <see cref="Sample(int, Generator)"/> gives label units).</summary>
    public IReadOnlyList<GeneratedLayer> Generate(Tensor codes) => Generate(codes, firstBase: 0);

    /// <summary>As <see cref="Generate(Tensor)"/>; with <see cref="HyperGanArchitecture.BaseNetworks"/>, network i is built on
    /// base network (<paramref name="firstBase"/> + i) mod K.</summary>
    internal IReadOnlyList<GeneratedLayer> Generate(Tensor codes, long firstBase)
    {
        long members = codes.shape[0];
        var layers = new GeneratedLayer[Target.Layers.Count];
        using var baseTurns = bases?.Turns(members, firstBase, codes.device); // one index for every layer
        for (int i = 0; i < layers.Length; i++)
        {
            var spec = Target.Layers[i];
            var flat = generators[i].forward(codes.select(1, i)); // [M, P_k]
            using Scalar weightScale = WeightScale(spec).ToScalar(), biasScale = BiasScale(spec).ToScalar();
            var weight = flat.narrow(1, 0, spec.WeightCount).mul(weightScale).view([members, .. spec.WeightShape]);
            var bias = spec.HasBias ? flat.narrow(1, spec.WeightCount, spec.OutputUnits).mul(biasScale) : null;
            if (bases is not null) (weight, bias) = bases.AddTo(i, weight, bias, baseTurns!);
            layers[i] = new GeneratedLayer(weight, bias);
        }
        return layers;
    }

    /// <summary>
    /// How regression outputs map to label units (set by training from the targets, stored with the model); networks from
    /// <see cref="Generate(Tensor)"/> emit standardised values, networks from <see cref="Sample(int, Generator)"/> label units.
    /// </summary>
    public LabelScaling LabelScaling { get; internal set; } = LabelScaling.Identity;

    /// <summary>Draws <paramref name="count"/> networks (as <see cref="Sample(int, Generator)"/>) with noise from a generator
    /// seeded by <paramref name="seed"/> on the model's device: same seed, same networks.</summary>
    public SampledEnsemble Sample(int count, long seed)
    {
        using var rng = new Generator((ulong)seed, Device);
        return Sample(count, rng);
    }

    /// <summary>
    /// Draws <paramref name="count"/> networks using <paramref name="rng"/> (advances it), in label units
    /// (<see cref="LabelScaling"/> folded into the last layer), without gradients.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is not positive.</exception>
    public SampledEnsemble Sample(int count, Generator rng)
    {
        if (count <= 0) throw new ArgumentOutOfRangeException(nameof(count), count, "The number of sampled networks must be positive.");
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        // Evaluation mode, so generators with batch norm use their running statistics: each network then depends on its
        // own code only, not on the others drawn with it. Training mode is restored for a model sampled while it trains.
        bool wasTraining = training;
        eval();
        try
        {
            var noise = SampleNoise(count, rng, Device, cycleModes: true);
            var layers = LabelScaling.Apply(Generate(Codes(noise)));
            var priorLayers = PriorFunction?.Generate(noise);
            foreach (var layer in priorLayers is null ? layers : layers.Concat(priorLayers))
            {
                layer.Weight.MoveToOuterDisposeScope();
                layer.Bias?.MoveToOuterDisposeScope();
            }
            return priorLayers is null ? new SampledEnsemble(Target, layers) : new SampledEnsemble(Target, layers, priorLayers, PriorFunction!);
        }
        finally
        {
            if (wasTraining) train();
        }
    }

    /// <summary>The fixed random function added to every network's outputs, when training used one
    /// (<see cref="Training.HyperGanTrainingOptions.PriorFunctionScale"/>; owned and disposed by this model).</summary>
    internal RandomPriorFunction? PriorFunction { get; set; }

    /// <summary>Device of the model's parameters.</summary>
    public Device Device => mixer.parameters().First().device;

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        // TorchSharp's Module.Dispose releases the modules but leaves the parameter tensors to the finalizer; release
        // them now. (TorchSharp's Linear also leaves one finalizer-owned handle per parameter from its construction,
        // which shares the parameter's storage until the next GC; we cannot reach it.)
        if (disposing)
        {
            foreach (var p in parameters().ToList())
            {
                p.grad?.Dispose();
                p.Dispose();
            }
            PriorFunction?.Dispose();
            modeAtoms?.Dispose();
        }
        base.Dispose(disposing);
    }
}
