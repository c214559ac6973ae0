namespace HyperGan.ML;

/// <summary>
/// Scores of a block of consecutive rows (one engine call); <see cref="OutputColumns"/> reads them into columns.
/// A row that could not be scored holds NaN everywhere and gets the missing key 0.
/// </summary>
internal sealed class ScoredBlock
{
    readonly string?[] _problems;   // why a row could not be scored; null for scored rows

    ScoredBlock(float[] scores, int width, string?[] problems, float[]? entropy = null, float[]? disagreement = null, float[]? stdDev = null)
    {
        Scores = scores;
        Width = width;
        _problems = problems;
        Entropy = entropy ?? [];
        Disagreement = disagreement ?? [];
        StdDev = stdDev ?? [];
        Count = width == 0 ? 0 : scores.Length / width;
    }

    public static ScoredBlock Empty { get; } = new([], 0, []);
    public static ScoredBlock Classification(float[] probabilities, float[] entropy, float[] disagreement, int classes, string?[] problems) =>
        new(probabilities, classes, problems, entropy, disagreement);
    public static ScoredBlock Regression(float[] mean, float[] stdDev, string?[] problems) => new(mean, 1, problems, stdDev: stdDev);

    /// <summary>Rows in the block.</summary>
    public int Count { get; }
    /// <summary>Values per row in <see cref="Scores"/>: the classes, or 1 for regression.</summary>
    public int Width { get; }
    /// <summary>Rows × <see cref="Width"/>: mean softmax (classification) or mean prediction (regression).</summary>
    public float[] Scores { get; }
    /// <summary>Per row: predictive entropy (classification).</summary>
    public float[] Entropy { get; }
    /// <summary>Per row: mutual information (classification).</summary>
    public float[] Disagreement { get; }
    /// <summary>Per row: the members' standard deviation (regression).</summary>
    public float[] StdDev { get; }

    /// <summary>Per row (with an out-of-distribution threshold): flagged as unlike the training data.</summary>
    public bool[] OutOfDistribution { get; private set; } = [];
    /// <summary>Rows × <see cref="Width"/> (classification with a coverage): the classes in each row's prediction set.</summary>
    public bool[] PredictionSet { get; private set; } = [];
    /// <summary>Per row (regression with a coverage): the conformal interval's ends.</summary>
    public float[] Lower { get; private set; } = [];
    /// <inheritdoc cref="Lower"/>
    public float[] Upper { get; private set; } = [];

    /// <summary>Stores the decisions made from this block's scores (see <see cref="HeldOutCalibration"/>).</summary>
    public void SetDecisions(bool[]? outOfDistribution, bool[]? predictionSet, float[]? lower, float[]? upper)
    {
        OutOfDistribution = outOfDistribution ?? [];
        PredictionSet = predictionSet ?? [];
        Lower = lower ?? [];
        Upper = upper ?? [];
    }

    /// <summary>Why row <paramref name="row"/> could not be scored (its outputs are missing), or null when it was scored.</summary>
    public string? Problem(int row) => _problems[row];

    /// <summary>The 1-based key of row <paramref name="row"/>'s most probable class; 0 (missing) when the row was not scored.</summary>
    public uint PredictedKey(int row)
    {
        if (_problems[row] is not null) return 0; // never a class for a row that was not scored
        var p = Scores.AsSpan(row * Width, Width);
        int best = 0;
        for (int c = 1; c < p.Length; c++) if (p[c] > p[best]) best = c;
        return (uint)best + 1;
    }
}
