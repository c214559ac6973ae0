namespace HyperGan.ML;

/// <summary>
/// Held-out metrics after one training epoch, measured on an ensemble of <see cref="HyperGanEnsembleOptions.EnsembleSize"/>
/// networks drawn from the generator as it was then (the same noise every epoch, so epochs are comparable). Uncalibrated.
/// Reach the list through <see cref="HyperGanEnsembleTransformer.TrainingHistory"/>.
/// </summary>
/// <param name="Epoch">Epoch number, from 1.</param>
/// <param name="Seconds">Training time up to the end of this epoch (the measurement excluded).</param>
/// <param name="Accuracy">Classification: held-out accuracy.</param>
/// <param name="NegativeLogLikelihood">Classification: held-out negative log-likelihood.</param>
/// <param name="ExpectedCalibrationError">Classification: held-out expected calibration error (15 bins).</param>
/// <param name="RootMeanSquaredError">Regression: held-out root-mean-square error of the mean prediction.</param>
public sealed record EpochMetrics(int Epoch, double Seconds, double? Accuracy, double? NegativeLogLikelihood, double? ExpectedCalibrationError,
    double? RootMeanSquaredError);
