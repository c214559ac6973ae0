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
    /// <summary>Input column: a known-size vector of float holding one image in planar CHW order.</summary>
    public string FeatureColumnName { get; set; } = "Features";
    /// <summary>Input column: the label — a key type (e.g. from MapValueToKey) or Int32 class index for classification, Single for regression.</summary>
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
    public int Epochs { get; set; } = 10;
    /// <summary>Examples per training step.</summary>
    public int BatchSize { get; set; } = 32;
    /// <summary>Networks sampled per training step.</summary>
    public int NetworksPerStep { get; set; } = 32;
    /// <summary>β, weight of the adversarial term (0 disables the discriminator).</summary>
    public double Beta { get; set; } = 1.0;
    /// <summary>Adam learning rate of the generators.</summary>
    public double LearningRate { get; set; } = 1e-4;
    /// <summary>Adam learning rate of the mixer.</summary>
    public double MixerLearningRate { get; set; } = 5e-4;
    /// <summary>Adam learning rate of the discriminator.</summary>
    public double DiscriminatorLearningRate { get; set; } = 1e-4;
    /// <summary>Noise dimension m.</summary>
    public int NoiseDim { get; set; } = 256;
    /// <summary>Code dimension d per target layer.</summary>
    public int CodeDim { get; set; } = 128;
    /// <summary>Hidden units of mixer, generators and discriminator.</summary>
    public int HiddenUnits { get; set; } = 512;
    /// <summary>How each layer generator emits its layer's parameters: the paper's dense head (<see cref="GeneratorHead.Full"/>)
    /// or a chunked one (<see cref="GeneratorHead.Chunked"/>: far fewer parameters, see docs/performance.md).</summary>
    public GeneratorHead Head { get; set; } = GeneratorHead.Full;
    /// <summary>Chunked head: values per chunk.</summary>
    public int ChunkSize { get; set; } = 256;
    /// <summary>Pretrain the mixer to match the prior's mean and covariance.</summary>
    public bool PretrainMixer { get; set; } = true;
    /// <summary>Seed; null = the MLContext's seed (or 0 when it has none).</summary>
    public int? Seed { get; set; }
    /// <summary>Cancels Fit between steps (throws <see cref="OperationCanceledException"/>). Not saved with a model.</summary>
    [JsonIgnore] public CancellationToken CancellationToken { get; set; }

    internal HyperGanEnsembleOptions Clone() => (HyperGanEnsembleOptions)MemberwiseClone();
}
