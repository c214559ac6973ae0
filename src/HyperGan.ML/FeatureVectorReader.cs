using Microsoft.ML;
using Microsoft.ML.Data;

namespace HyperGan.ML;

/// <summary>
/// Reads the features of the current row into a dense span of the trained size: the one place where training and
/// scoring check each row's length. A schema's declared vector size does not bind the values a row holds (e.g.
/// <c>LoadFromEnumerable</c> with <c>[VectorType(784)]</c> passes a shorter array through), so every row is checked.
/// Dense and sparse vectors are both accepted; implicit entries of a sparse vector are 0.
/// </summary>
internal sealed class FeatureVectorReader(ValueGetter<VBuffer<float>> getter, string columnName, int size)
{
    VBuffer<float> _buffer;

    /// <summary>A reader of <paramref name="column"/> from <paramref name="row"/>, expecting <paramref name="size"/> values per row.</summary>
    public static FeatureVectorReader Of(DataViewRow row, DataViewSchema.Column column, int size) =>
        new(row.GetGetter<VBuffer<float>>(column), column.Name, size);

    /// <summary>Values per row.</summary>
    public int Size => size;

    /// <summary>
    /// Copies the current row's features to <paramref name="destination"/> (length <see cref="Size"/>) and returns the
    /// position of its first NaN or ±∞ value, or −1 when all are finite.
    /// </summary>
    /// <param name="destination">Receives the dense values.</param>
    /// <param name="row">The row's number, for the message.</param>
    /// <exception cref="ArgumentException">The row holds a different number of values than <see cref="Size"/>.</exception>
    public int Read(Span<float> destination, long row)
    {
        getter(ref _buffer);
        if (_buffer.Length != size)
            throw new ArgumentException(
                $"Row {row}: features column '{columnName}' holds {_buffer.Length} values, but the networks were trained on {size}. " +
                "Every row must have the trained length: check the vectors given to LoadFromEnumerable or PredictionEngine.Predict (their " +
                    "[VectorType] size is not enforced by ML.NET), or resize the images as in training.");
        _buffer.CopyTo(destination[..size]);
        for (int i = 0; i < size; i++)
            if (!float.IsFinite(destination[i])) return i;
        return -1;
    }
}
