using HyperGan.ML.Engine.Ensembles;
using HyperGan.ML.Engine.Persistence;
using HyperGan.ML.Engine.Targets;
using HyperGan.ML.Engine.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace HyperGan.ML.Engine.Model;

/// <summary>
/// A trained HyperGAN: a distribution over the weights of <see cref="Target"/> networks. Draw concrete networks with
/// <see cref="Sample(int, long)"/>, score with <see cref="SampledEnsemble.Forward"/>, persist with
/// <see cref="Save"/> / <see cref="Load"/>.
/// </summary>
public sealed class TrainedHyperGan : IDisposable
{
    /// <summary>The generator (and discriminator) modules.</summary>
    public HyperGanModel Model { get; }
    /// <summary>The options training used (stored with the model).</summary>
    public HyperGanTrainingOptions Options { get; }
    /// <summary>Architecture of the generated networks.</summary>
    public TargetNetwork Target => Model.Target;
    /// <summary>Classification or regression.</summary>
    public TaskKind Task => Options.Task;

    /// <summary>Wraps a model; normally created by <see cref="HyperGanTrainer.Fit"/> or <see cref="Load"/>.</summary>
    public TrainedHyperGan(HyperGanModel model, HyperGanTrainingOptions options)
    {
        Model = model;
        Options = options;
        Model.eval();
    }

    /// <summary>Draws <paramref name="count"/> networks with noise from a generator seeded by <paramref name="seed"/>: same seed, same
    /// networks.</summary>
    public SampledEnsemble Sample(int count, long seed) => Model.Sample(count, seed);

    /// <summary>Draws <paramref name="count"/> networks using <paramref name="rng"/> (advances it).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is not positive.</exception>
    public SampledEnsemble Sample(int count, Generator rng) => Model.Sample(count, rng);

    /// <summary>Writes the model to <paramref name="path"/> atomically (temp file + rename). See <see cref="ModelFile"/>.</summary>
    public void Save(string path) => ModelFile.Save(this, path);

    /// <summary>Reads a model written by <see cref="Save"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a HyperGan.ML model, is damaged, or has an unsupported version.</exception>
    public static TrainedHyperGan Load(string path, Device? device = null) => ModelFile.Load(path, device);

    /// <inheritdoc/>
    public void Dispose() => Model.Dispose();
}
