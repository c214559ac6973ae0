using System.Text.Json.Serialization;
using HyperGan.ML.Engine.Ensembles;
using HyperGan.ML.Engine.Model;

namespace HyperGan.ML.Engine.Training;

/// <summary>What the target networks are trained to do.</summary>
public enum TaskKind
{
    /// <summary>Cross-entropy on the logits; labels are class indices 0..C-1.</summary>
    Classification,
    /// <summary>Mean squared error on a single output.</summary>
    Regression,
}

/// <summary>
/// Every knob of HyperGAN training. Defaults follow the paper and the authors' 2018 MNIST script
/// (see docs/hypergan-method.md): m = 256, d = 128, 512 hidden units, 32 networks × 32 examples per step,
/// Adam(β1 0.5, β2 0.9), mixer lr 5e-4, generator and discriminator lr 1e-4, mixer pretraining on.
/// </summary>
public sealed record HyperGanTrainingOptions
{
    /// <summary>Sizes of the mixer, generators and discriminator.</summary>
    public HyperGanArchitecture Architecture { get; init; } = new();
    /// <summary>Classification (cross-entropy) or regression (MSE).</summary>
    public TaskKind Task { get; init; } = TaskKind.Classification;
    /// <summary>Passes over the training data.</summary>
    public int Epochs { get; init; } = 10;
    /// <summary>Examples per step; every sampled network sees the same examples.</summary>
    public int BatchSize { get; init; } = 32;
    /// <summary>Networks sampled per step; the task loss is their mean.</summary>
    public int NetworksPerStep { get; init; } = 32;
    /// <summary>β: weight of the adversarial term that keeps the codes close to the prior. 0 disables D.</summary>
    public double Beta { get; init; } = 1.0;
    /// <summary>Adam learning rate of the generators G_k.</summary>
    public double LearningRate { get; init; } = 1e-4;
    /// <summary>Adam learning rate of the mixer Q.</summary>
    public double MixerLearningRate { get; init; } = 5e-4;
    /// <summary>Adam learning rate of the discriminator D.</summary>
    public double DiscriminatorLearningRate { get; init; } = 1e-4;
    /// <summary>Adam β1.</summary>
    public double AdamBeta1 { get; init; } = 0.5;
    /// <summary>Adam β2.</summary>
    public double AdamBeta2 { get; init; } = 0.9;
    /// <summary>L2 weight decay on Q and G (the 2019 code used 5e-4).</summary>
    public double WeightDecay { get; init; }
    /// <summary>Standard deviation σ of the isotropic Gaussian prior on codes.</summary>
    public double PriorStd { get; init; } = 1.0;
    /// <summary>Pretrain Q so its codes' mean and covariance match the prior before training.</summary>
    public bool PretrainMixer { get; init; } = true;
    /// <summary>Noise samples per pretraining step (covariance estimates need several times the code size).</summary>
    public int PretrainSamples { get; init; } = 1000;
    /// <summary>Upper bound on pretraining steps.</summary>
    public int PretrainMaxSteps { get; init; } = 1000;
    /// <summary>Pretraining stops once the moment loss (<see cref="CodeMoments.Loss"/>, summed over layers) falls
    /// below this. The authors stop at 0.1 on a differently scaled loss; see <see cref="CodeMoments"/>.</summary>
    public double PretrainTargetLoss { get; init; } = 0.05;
    /// <summary>Seed of all randomness (initialisation, shuffling, noise).</summary>
    public int Seed { get; init; }
    /// <summary>How networks are executed during training; null = <see cref="EnsembleExecutors.Default"/>.</summary>
    [JsonIgnore] public IEnsembleExecutor? Executor { get; init; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option and its valid range.</summary>
    public void Validate()
    {
        Architecture.Validate();
        Positive(Epochs, nameof(Epochs));
        Positive(BatchSize, nameof(BatchSize));
        Positive(NetworksPerStep, nameof(NetworksPerStep));
        if (!(Beta >= 0) || double.IsInfinity(Beta)) throw new ArgumentOutOfRangeException(nameof(Beta), Beta, "Beta must be a finite number ≥ 0 (0 disables the discriminator).");
        PositiveFinite(LearningRate, nameof(LearningRate));
        PositiveFinite(MixerLearningRate, nameof(MixerLearningRate));
        PositiveFinite(DiscriminatorLearningRate, nameof(DiscriminatorLearningRate));
        PositiveFinite(PriorStd, nameof(PriorStd));
        if (!(AdamBeta1 >= 0 && AdamBeta1 < 1)) throw new ArgumentOutOfRangeException(nameof(AdamBeta1), AdamBeta1, "AdamBeta1 must be in [0, 1).");
        if (!(AdamBeta2 >= 0 && AdamBeta2 < 1)) throw new ArgumentOutOfRangeException(nameof(AdamBeta2), AdamBeta2, "AdamBeta2 must be in [0, 1).");
        if (!(WeightDecay >= 0)) throw new ArgumentOutOfRangeException(nameof(WeightDecay), WeightDecay, "WeightDecay must be ≥ 0.");
        if (PretrainMixer)
        {
            if (PretrainSamples < 2) throw new ArgumentOutOfRangeException(nameof(PretrainSamples), PretrainSamples, "PretrainSamples must be ≥ 2 to estimate a covariance.");
            Positive(PretrainMaxSteps, nameof(PretrainMaxSteps));
        }
    }

    static void Positive(int value, string name)
    {
        if (value <= 0) throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive.");
    }

    static void PositiveFinite(double value, string name)
    {
        if (!(value > 0) || double.IsInfinity(value)) throw new ArgumentOutOfRangeException(name, value, $"{name} must be a positive finite number.");
    }
}
