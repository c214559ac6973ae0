using System.Text.Json.Serialization;
using HyperGan.ML.Engine.Model;
using HyperGan.ML.Engine.Targets;
using HyperGan.ML.Engine.Training;

namespace HyperGan.ML;

/// <summary>
/// Options of <see cref="HyperGanEnsembleEstimator"/>. Training knobs default to the paper (see
/// <see cref="Engine.Training.HyperGanTrainingOptions"/>); column names default to ML.NET's conventions.
/// The task follows the label's type unless <see cref="Task"/> says otherwise: a key or Int32 label trains a classifier,
/// a Single label a regressor.
/// </summary>
public sealed class HyperGanEnsembleOptions
{
    // The engine's records hold every training default; these options only expose them.
    static readonly HyperGanTrainingOptions EngineDefaults = new();
    static readonly HyperGanArchitecture ArchitectureDefaults = EngineDefaults.Architecture;

    /// <summary>Input column: a known-size vector of float holding one image in planar CHW order.</summary>
    public string FeatureColumnName { get; set; } = "Features";
    /// <summary>Input column: the label — a key type (e.g. from MapValueToKey) or Int32 class index for classification, Single for
    /// regression.</summary>
    public string LabelColumnName { get; set; } = "Label";
    /// <summary>Output column: mean ensemble softmax, vector of float [classes]; for regression the ensemble's mean prediction (float).</summary>
    public string ScoreColumnName { get; set; } = "Score";
    /// <summary>Output column: the most probable class, same key type as the training label.</summary>
    public string PredictedLabelColumnName { get; set; } = "PredictedLabel";
    /// <summary>Output column: predictive entropy H(mean softmax), natural log.</summary>
    public string PredictiveEntropyColumnName { get; set; } = "PredictiveEntropy";
    /// <summary>Output column: mutual information H(mean) − mean H(members), clamped at 0.</summary>
    public string DisagreementColumnName { get; set; } = "Disagreement";
    /// <summary>Output column (regression only): standard deviation of the members' predictions.</summary>
    public string StdDevColumnName { get; set; } = "StdDev";
    /// <summary>Output column (with <see cref="OutOfDistributionFalseAlarmRate"/>): Boolean, true when the row looks unlike the training
    /// data.</summary>
    public string IsOutOfDistributionColumnName { get; set; } = "IsOutOfDistribution";
    /// <summary>Output column (classification with <see cref="Coverage"/>): vector of Boolean [classes], true for the classes in the row's
    /// prediction set.</summary>
    public string PredictionSetColumnName { get; set; } = "PredictionSet";
    /// <summary>Output column (regression with <see cref="Coverage"/>): lower end of the conformal interval.</summary>
    public string LowerColumnName { get; set; } = "Lower";
    /// <summary>Output column (regression with <see cref="Coverage"/>): upper end of the conformal interval.</summary>
    public string UpperColumnName { get; set; } = "Upper";

    /// <summary>
    /// Fraction of the training rows held out (stratified by class, seeded) and not trained on; Fit uses them for
    /// <see cref="Calibrate"/>, <see cref="OutOfDistributionFalseAlarmRate"/> and <see cref="Coverage"/> and reports
    /// held-out accuracy, NLL and ECE. 0 (default) = none. Ignored when Fit is given a validation data view.
    /// </summary>
    public double ValidationFraction { get; set; }
    /// <summary>
    /// Keep the generator of the epoch with the lowest held-out NLL (regression: RMSE) instead of the last one; the held-out
    /// metrics of every epoch are in <see cref="HyperGanEnsembleTransformer.TrainingHistory"/>. Needs held-out rows.
    /// </summary>
    public bool KeepBestEpoch { get; set; }
    /// <summary>
    /// Early stopping: end training once the held-out NLL (regression: RMSE) has not improved for this many epochs; 0
    /// (the default) trains all <see cref="Epochs"/>. With <see cref="KeepBestEpoch"/> the best epoch's generator is
    /// kept, else the last one trained. Needs held-out rows.
    /// </summary>
    public int EarlyStoppingPatience { get; set; }
    /// <summary>
    /// Classification: calibrate the ensemble's probabilities on held-out rows (<see cref="CalibrationMethod"/>) so that
    /// the Score probabilities mean what they say; PredictiveEntropy follows Score, Disagreement stays the networks' own,
    /// PredictedLabel never changes. Needs held-out rows (<see cref="ValidationFraction"/> or a validation data view).
    /// </summary>
    public bool Calibrate { get; set; }
    /// <summary>The map <see cref="Calibrate"/> fits: temperature only, or temperature then top-label scaling (the default:
    /// lower held-out ECE on MNIST, Fashion-MNIST and CIFAR-10 validation images, docs/decisions.md).</summary>
    public CalibrationMethod CalibrationMethod { get; set; } = CalibrationMethod.TemperatureAndTopLabel;
    /// <summary>
    /// How strongly <see cref="Calibrate"/>'s maps are pulled towards changing nothing (a Gaussian prior's precision on
    /// ln T and on the top-label map; 0 = maximum likelihood): keeps a model the held-out rows show to be calibrated
    /// nearly as it was instead of fitting their noise. Null (default) = the <see cref="CalibrationMethod"/>'s own
    /// default, chosen on validation images: 30 for TemperatureAndTopLabel, 0 for Temperature (docs/decisions.md).
    /// </summary>
    public double? CalibrationShrinkage { get; set; }
    /// <summary>
    /// Adds the <see cref="IsOutOfDistributionColumnName"/> column: true when <see cref="OutOfDistributionScore"/> (for
    /// regression: StdDev) exceeds a threshold set on held-out rows so that at most this fraction of rows like the training
    /// data is flagged (a conformal guarantee); rows that cannot be scored are flagged. Null (default) = no flag.
    /// </summary>
    public double? OutOfDistributionFalseAlarmRate { get; set; }
    /// <summary>The classification score the out-of-distribution flag thresholds.</summary>
    public OutOfDistributionScore OutOfDistributionScore { get; set; } = OutOfDistributionScore.PredictiveEntropy;
    /// <summary>
    /// Adds prediction sets with guaranteed marginal coverage (split conformal prediction on held-out rows): for
    /// classification the <see cref="PredictionSetColumnName"/> column (every class whose probability is high enough,
    /// chosen so the true class is in the set for this fraction of rows like the training data), for regression
    /// <see cref="LowerColumnName"/>/<see cref="UpperColumnName"/> = Score ∓ q·StdDev. Null (default) = none.
    /// </summary>
    public double? Coverage { get; set; }

    /// <summary>
    /// Shape of one example: [channels, height, width] for images, [features] for flat vectors; must multiply to the
    /// feature vector's size. Null = the column's own dimensions (ExtractPixels declares [channels, height, width]).
    /// </summary>
    public int[]? ImageShape { get; set; }
    /// <summary>
    /// Classification or regression; null (default) = from the label's type: a key (MapValueToKey) or Int32 label trains a
    /// classifier, a Single label a regressor. Fit logs the choice. Setting it makes the choice explicit: a label of the
    /// other type is then refused with the conversion that fixes it.
    /// </summary>
    public TaskKind? Task { get; set; }

    /// <summary>
    /// Target architecture; null = <see cref="TargetFactory"/> if set, else by input shape: the paper's MNIST CNN for
    /// [1, 28, 28], its CIFAR CNN for [3, 32, 32], a one-hidden-layer MLP (100 ReLU units) for [features]. Its last
    /// layer must output one value per label class (1 for regression) with <see cref="Activation.None"/>.
    /// </summary>
    public TargetNetwork? Target { get; set; }
    /// <summary>
    /// Builds the target architecture from the number of outputs Fit finds (the label's classes; 1 for regression), so a
    /// custom network need not hard-code the class count, e.g. <c>outputs =&gt; TargetNetworks.Mlp(64, outputs, hidden: 32)</c>.
    /// Use either this or <see cref="Target"/>. Not saved: the trained model stores the network it built.
    /// </summary>
    [JsonIgnore] public Func<int, TargetNetwork>? TargetFactory { get; set; }
    /// <summary>Networks sampled to score each row (paper: 1, 5, 10 or 100).</summary>
    public int EnsembleSize { get; set; } = 10;
    /// <summary>Sample one ensemble when fitting and reuse it (reproducible scores); false = fresh networks per scoring batch.</summary>
    public bool FreezeEnsemble { get; set; } = true;
    /// <summary>Rows scored per libtorch call by the lazy cursor.</summary>
    public int ScoringBatchSize { get; set; } = 256;
    /// <summary>
    /// Rows whose features hold NaN or ±∞ (or whose networks' outputs overflow): missing outputs (default; PredictedLabel
    /// is the missing key 0, scores NaN) or an exception. Rows whose length differs from training's always throw.
    /// </summary>
    public UnscorableRowHandling UnscorableRows { get; set; } = UnscorableRowHandling.Missing;

    /// <summary>Training epochs.</summary>
    public int Epochs { get; set; } = EngineDefaults.Epochs;
    /// <summary>Examples per training step.</summary>
    public int BatchSize { get; set; } = EngineDefaults.BatchSize;
    /// <summary>Networks sampled per training step.</summary>
    public int NetworksPerStep { get; set; } = EngineDefaults.NetworksPerStep;
    /// <summary>β, weight of the adversarial term (0 disables the discriminator); null (default) = the task's: 0 for
    /// classification (with <see cref="Diversity"/> and Adam's usual betas the discriminator added nothing on MNIST
    /// validation digits and cost accuracy on CIFAR-5 validation images; docs/diversity.md), the paper's 1 for regression.</summary>
    public double? Beta { get; set; } = EngineDefaults.Beta;
    /// <summary>The function-space term that pays for disagreement between the sampled networks away from the training data
    /// (see docs/diversity.md); <see cref="DiversityTerm.None"/> = the paper's objective.</summary>
    public DiversityTerm Diversity { get; set; } = EngineDefaults.Diversity;
    /// <summary>Weight of <see cref="Diversity"/>: γ for mutual information, the repulsion α for SVGD; null (default) = the
    /// task's default (1 for classification, 3 for regression).</summary>
    public double? DiversityWeight { get; set; } = EngineDefaults.DiversityWeight;
    /// <summary>k: the mutual-information γ is multiplied by each training step's accuracy raised to k, so the networks
    /// are paid to disagree only as they fit the labels (digits keep γ ≈ 1, natural images ≈ 0.06). Default 8, chosen on
    /// validation digits and CIFAR images (docs/diversity.md); 0 = a constant γ. Classification only.</summary>
    public double DiversityAccuracyPower { get; set; } = EngineDefaults.DiversityAccuracyPower;
    /// <summary>Extra mixed inputs that <see cref="Diversity"/> measures disagreement on, per labelled row of a training step,
    /// in (0, 1]; default 1. Each costs every sampled network one more forward and backward pass: 0.25 trained in 0.72-0.79×
    /// the time and lost 0.3-0.7 pt of accuracy on validation images (docs/diversity.md).</summary>
    public double DiversityInputFraction { get; set; } = EngineDefaults.DiversityInputFraction;
    /// <summary>λ of a Gaussian prior (L2 decay) on the generated weights and biases; 0 = off; null (default) = the task's
    /// default (0 for classification, 2e-2 for regression).</summary>
    public double? GeneratedWeightDecay { get; set; } = EngineDefaults.GeneratedWeightDecay;
    /// <summary>Initial spread (in units of He's std) of the weights all generated networks share; 0 (default) = none, each
    /// network starts from its base (<see cref="BaseNetworks"/>); the paper's generators: 1.</summary>
    public double InitialSharedStd { get; set; } = ArchitectureDefaults.InitialSharedStd;
    /// <summary>Initial spread (in units of He's std) of each network's own, code-dependent weights (default 0.01, chosen on
    /// validation data; the paper's generators: 0.25).</summary>
    public double InitialCodeStd { get; set; } = ArchitectureDefaults.InitialCodeStd;
    /// <summary>Adam learning rate of the generators.</summary>
    public double LearningRate { get; set; } = EngineDefaults.LearningRate;
    /// <summary>Adam learning rate of the base networks (<see cref="BaseNetworks"/>): 1e-3 (default), a network's usual rate; the
    /// generators' <see cref="LearningRate"/> is for the generators alone.</summary>
    public double BaseLearningRate { get; set; } = EngineDefaults.BaseLearningRate;
    /// <summary>Adam learning rate of the mixer.</summary>
    public double MixerLearningRate { get; set; } = EngineDefaults.MixerLearningRate;
    /// <summary>How the learning rates change over training: Constant (default, the paper) or Cosine (annealed to 0 at
    /// the last step; more accurate at 5+ epochs on natural images, starves short fits of small data — docs/diversity.md).</summary>
    public LearningRateSchedule LearningRateSchedule { get; set; } = EngineDefaults.LearningRateSchedule;
    /// <summary>Adam learning rate of the discriminator.</summary>
    public double DiscriminatorLearningRate { get; set; } = EngineDefaults.DiscriminatorLearningRate;
    /// <summary>Noise dimension m.</summary>
    public int NoiseDim { get; set; } = ArchitectureDefaults.NoiseDim;
    /// <summary>Code dimension d per target layer.</summary>
    public int CodeDim { get; set; } = ArchitectureDefaults.CodeDim;
    /// <summary>Hidden units of mixer, generators and discriminator.</summary>
    public int HiddenUnits { get; set; } = ArchitectureDefaults.HiddenUnits;
    /// <summary>How each layer generator emits its layer's parameters: a chunked head (<see cref="GeneratorHead.Chunked"/>,
    /// default: 1.4 M instead of 17 M generator parameters on the MNIST target) or the paper's dense head
    /// (<see cref="GeneratorHead.Full"/>). Chosen with <see cref="BaseNetworks"/> = 10 and <see cref="InitialCodeStd"/> 0.01
    /// on validation images (docs/diversity.md); without base networks the chunked head trains slowly.</summary>
    public GeneratorHead Head { get; set; } = ArchitectureDefaults.Head;
    /// <summary>K learned base networks, each starting as its own He-initialised network; every sampled network is a base
    /// (taken in turn) plus its code's generated part, so the ensemble is a mixture around K networks instead of one.
    /// Default 10 (with <see cref="InitialSharedStd"/> 0); 0 = none, every network around one shared start. Stores K
    /// target networks more (docs/diversity.md).</summary>
    public int BaseNetworks { get; set; } = ArchitectureDefaults.BaseNetworks;
    /// <summary>Batch normalisation inside each generator over the networks of a training step (full head only); sampling
    /// uses running statistics. Off by default.</summary>
    public bool GeneratorBatchNorm { get; set; } = ArchitectureDefaults.GeneratorBatchNorm;
    /// <summary>Chunked head: values per chunk.</summary>
    public int ChunkSize { get; set; } = ArchitectureDefaults.ChunkSize;
    /// <summary>Chunked head: width of the per-chunk layer.</summary>
    public int ChunkHiddenUnits { get; set; } = ArchitectureDefaults.ChunkHiddenUnits;
    /// <summary>Chunked head: size of each chunk's learned position embedding.</summary>
    public int ChunkEmbeddingDim { get; set; } = ArchitectureDefaults.ChunkEmbeddingDim;
    /// <summary>Adam β1 of every optimiser; null (default) = the task's: Adam's usual 0.9 for classification (the paper's
    /// GAN betas 0.5 / 0.9 underfit natural images; docs/diversity.md), the paper's 0.5 for regression.</summary>
    public double? AdamBeta1 { get; set; } = EngineDefaults.AdamBeta1;
    /// <summary>Adam β2 of every optimiser; null (default) = the task's: 0.999 for classification, 0.9 for regression.</summary>
    public double? AdamBeta2 { get; set; } = EngineDefaults.AdamBeta2;
    /// <summary>L2 weight decay on the mixer's and generators' own parameters (not the generated weights: see <see
    /// cref="GeneratedWeightDecay"/>).</summary>
    public double WeightDecay { get; set; } = EngineDefaults.WeightDecay;
    /// <summary>Standard deviation σ of the Gaussian prior on codes the discriminator compares against.</summary>
    public double PriorStd { get; set; } = EngineDefaults.PriorStd;
    /// <summary>Pretrain the mixer to match the prior's mean and covariance.</summary>
    public bool PretrainMixer { get; set; } = EngineDefaults.PretrainMixer;
    /// <summary>Mixer pretraining: noise samples per step.</summary>
    public int PretrainSamples { get; set; } = EngineDefaults.PretrainSamples;
    /// <summary>Mixer pretraining: upper bound on steps.</summary>
    public int PretrainMaxSteps { get; set; } = EngineDefaults.PretrainMaxSteps;
    /// <summary>Mixer pretraining stops once the moment loss falls below this.</summary>
    public double PretrainTargetLoss { get; set; } = EngineDefaults.PretrainTargetLoss;
    /// <summary>Seed; null = the MLContext's seed (or 0 when it has none).</summary>
    public int? Seed { get; set; }
    /// <summary>Cancels Fit between steps (throws <see cref="OperationCanceledException"/>). Not saved with a model.</summary>
    [JsonIgnore] public CancellationToken CancellationToken { get; set; }

    internal HyperGanEnsembleOptions Clone() => (HyperGanEnsembleOptions)MemberwiseClone();
}
