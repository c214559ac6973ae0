namespace HyperGan.ML.Engine.Ensembles;

/// <summary>Which calibration maps <see cref="EnsembleCalibration"/> applies, simplest first.</summary>
public enum CalibrationMaps
{
    /// <summary>No map: the ensemble's mean probabilities as they are.</summary>
    None,
    /// <summary><see cref="TemperatureScaling"/> alone.</summary>
    Temperature,
    /// <summary><see cref="TemperatureScaling"/>, then <see cref="TopLabelScaling"/> fitted after it on the same rows.</summary>
    TemperatureAndTopLabel,
}
