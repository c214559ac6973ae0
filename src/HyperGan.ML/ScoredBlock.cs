using Microsoft.ML;
using Microsoft.ML.Data;

namespace HyperGan.ML;

/// <summary>
/// Scores of a block of consecutive rows (one engine call), and getters that read one row of it. Output columns, in
/// schema order: classification — Score (vector), PredictedLabel (key), PredictiveEntropy, Disagreement;
/// regression — Score, StdDev. A row that could not be scored holds NaN everywhere and the missing key 0.
/// </summary>
internal sealed class ScoredBlock
{
    readonly float[] _scores;       // rows × width: mean softmax (classification) or mean prediction (regression)
    readonly float[] _entropy, _disagreement, _stdDev;
    readonly string?[] _problems;   // why a row could not be scored; null for scored rows
    readonly int _width;

    ScoredBlock(float[] scores, int width, string?[] problems, float[]? entropy = null, float[]? disagreement = null, float[]? stdDev = null)
    {
        _scores = scores;
        _width = width;
        _problems = problems;
        _entropy = entropy ?? [];
        _disagreement = disagreement ?? [];
        _stdDev = stdDev ?? [];
        Count = width == 0 ? 0 : scores.Length / width;
    }

    public static ScoredBlock Empty { get; } = new([], 0, []);
    public static ScoredBlock Classification(float[] probabilities, float[] entropy, float[] disagreement, int classes, string?[] problems) =>
        new(probabilities, classes, problems, entropy, disagreement);
    public static ScoredBlock Regression(float[] mean, float[] stdDev, string?[] problems) => new(mean, 1, problems, stdDev: stdDev);

    /// <summary>Rows in the block.</summary>
    public int Count { get; }

    /// <summary>Why row <paramref name="row"/> could not be scored (its outputs are missing), or null when it was scored.</summary>
    public string? Problem(int row) => _problems[row];

    /// <summary>Getter for output column number <paramref name="output"/> of the row <paramref name="current"/> points at.</summary>
    public static Delegate Getter(bool regression, int output, Func<(ScoredBlock Block, int Row)> current) => (regression, output) switch
    {
        (false, 0) => (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
        {
            var (b, r) = current();
            var editor = VBufferEditor.Create(ref value, b._width);
            b._scores.AsSpan(r * b._width, b._width).CopyTo(editor.Values);
            value = editor.Commit();
        }),
        (false, 1) => (ValueGetter<uint>)((ref uint value) =>
        {
            var (b, r) = current();
            if (b._problems[r] is not null) { value = 0; return; } // the missing key: never a class for a row that was not scored
            var p = b._scores.AsSpan(r * b._width, b._width);
            int best = 0;
            for (int c = 1; c < p.Length; c++) if (p[c] > p[best]) best = c;
            value = (uint)best + 1; // keys are 1-based; 0 means missing
        }),
        (false, 2) => (ValueGetter<float>)((ref float value) => { var (b, r) = current(); value = b._entropy[r]; }),
        (false, 3) => (ValueGetter<float>)((ref float value) => { var (b, r) = current(); value = b._disagreement[r]; }),
        (true, 0) => (ValueGetter<float>)((ref float value) => { var (b, r) = current(); value = b._scores[r]; }),
        (true, 1) => (ValueGetter<float>)((ref float value) => { var (b, r) = current(); value = b._stdDev[r]; }),
        _ => throw new ArgumentOutOfRangeException(nameof(output)),
    };

    public static ValueGetter<T> Cast<T>(Delegate getter, DataViewSchema.Column column) =>
        getter as ValueGetter<T> ?? throw new InvalidOperationException(
            $"Column '{column.Name}' has type {column.Type}; it cannot be read as {typeof(T).Name}.");
}
