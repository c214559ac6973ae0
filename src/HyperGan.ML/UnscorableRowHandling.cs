namespace HyperGan.ML;

/// <summary>
/// What scoring does with a row it cannot score: a feature that is NaN or ±∞, or networks whose outputs are not finite
/// (features far outside the training range). Rows of the wrong length always throw.
/// </summary>
public enum UnscorableRowHandling
{
    /// <summary>
    /// The row gets missing outputs, like ML.NET's own trainers: PredictedLabel is the missing key (0), Score holds NaN
    /// for every class, PredictiveEntropy and Disagreement are NaN; for regression Score and StdDev are NaN. No NaN or
    /// ∞ value reaches the networks, so the other rows of the batch are unaffected.
    /// </summary>
    Missing,
    /// <summary>Scoring throws <see cref="ArgumentException"/> at the row, naming the features column, the row and the offending value.</summary>
    Throw,
}
