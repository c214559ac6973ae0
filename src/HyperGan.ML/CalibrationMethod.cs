namespace HyperGan.ML;

/// <summary>How <see cref="HyperGanEnsembleOptions.Calibrate"/> maps the ensemble's probabilities (measured in docs/decisions.md).</summary>
public enum CalibrationMethod
{
    /// <summary>Temperature scaling of the ensemble's mean log-probability: one parameter, more or less confident
    /// everywhere (<see cref="Engine.Ensembles.TemperatureScaling"/>).</summary>
    Temperature,
    /// <summary>Temperature scaling, then top-label scaling of the most probable class's probability (two more parameters,
    /// fitted on the same held-out rows; <see cref="Engine.Ensembles.TopLabelScaling"/>): also corrects a model that is right
    /// less (or more) often than it says at every confidence level.</summary>
    TemperatureAndTopLabel,
}
