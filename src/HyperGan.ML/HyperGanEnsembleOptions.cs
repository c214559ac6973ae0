using System.Text.Json.Serialization;
using HyperGan.ML.Engine.Targets;

namespace HyperGan.ML;

/// <summary>
/// Options of <see cref="HyperGanEnsembleEstimator"/>. Training knobs default to the paper (see
/// <see cref="Engine.Training.HyperGanTrainingOptions"/>); column names default to ML.NET's conventions.
/// The task follows the label's type: a key or Int32 label trains a classifier, a Single label a regressor.
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
    /// Target architecture; null = by input shape: the paper's MNIST CNN for [1, 28, 28], its CIFAR CNN for [3, 32, 32],
    /// a one-hidden-layer MLP (100 ReLU units) for [features]. Output size = number of label classes (1 for regression).
    /// </summary>
    public TargetNetwork? Target { get; set; }
    /// <summary>Networks sampled to score each row (paper: 1, 5, 10 or 100).</summary>
    public int EnsembleSize { get; set; } = 10;
    /// <summary>Sample one ensemble when fitting and reuse it (reproducible scores); false = fresh networks per scoring batch.</summary>
    public bool FreezeEnsemble { get; set; } = true;
    /// <summary>Rows scored per libtorch call by the lazy cursor.</summary>
    public int ScoringBatchSize { get; set; } = 256;

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
    /// <summary>Pretrain the mixer to match the prior's mean and covariance.</summary>
    public bool PretrainMixer { get; set; } = true;
    /// <summary>Seed; null = the MLContext's seed (or 0 when it has none).</summary>
    public int? Seed { get; set; }
    /// <summary>Cancels Fit between steps (throws <see cref="OperationCanceledException"/>). Not saved with a model.</summary>
    [JsonIgnore] public CancellationToken CancellationToken { get; set; }

    internal HyperGanEnsembleOptions Clone() => (HyperGanEnsembleOptions)MemberwiseClone();
}
