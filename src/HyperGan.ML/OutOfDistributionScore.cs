namespace HyperGan.ML;

/// <summary>The per-row score <see cref="HyperGanEnsembleOptions.OutOfDistributionFalseAlarmRate"/> thresholds (higher = more unusual).</summary>
public enum OutOfDistributionScore
{
    /// <summary>Predictive entropy: total uncertainty (the PredictiveEntropy column).</summary>
    PredictiveEntropy,
    /// <summary>Mutual information: the networks' disagreement (the Disagreement column).</summary>
    Disagreement,
    /// <summary>1 − the largest mean probability.</summary>
    MaxProbability,
}
