using Microsoft.ML;
using Microsoft.ML.Data;
using static Microsoft.ML.SchemaShape.Column;

namespace HyperGan.ML;

/// <summary>Which annotation an output column carries from the training label.</summary>
internal enum OutputAnnotation
{
    /// <summary>None.</summary>
    None,
    /// <summary>SlotNames = the label's key values (one slot per class).</summary>
    SlotNames,
    /// <summary>KeyValues = the label's key values (a key over the classes).</summary>
    KeyValues,
}

/// <summary>
/// One output column of <see cref="HyperGanEnsembleTransformer"/>: its name, its type (a vector or key is sized by the
/// number of classes) and how a row's value is read from a <see cref="ScoredBlock"/>. The estimator's schema shape, the
/// transformer's schema and both cursors are all built from <see cref="OutputColumns.Of"/>: adding a column is one entry there.
/// </summary>
internal sealed record OutputColumn(string Name, VectorKind Kind, PrimitiveDataViewType ItemType, bool IsKey, OutputAnnotation Annotation,
    Func<Func<(ScoredBlock Block, int Row)>, Delegate> Getter)
{
    /// <summary>The column's type for a model of <paramref name="classes"/> classes.</summary>
    public DataViewType Type(int classes) => (Kind, IsKey) switch
    {
        (_, true) => new KeyDataViewType(typeof(uint), classes),
        (VectorKind.Vector, _) => new VectorDataViewType(ItemType, classes),
        _ => ItemType,
    };

    /// <summary>The column's shape for the estimator; <paramref name="keyValues"/> is the label's KeyValues annotation (null when it has
    /// none).</summary>
    public SchemaShape.Column Shape(SchemaShape.Column? keyValues) =>
        SchemaShapeColumns.Create(Name, Kind, IsKey ? NumberDataViewType.UInt32 : ItemType, IsKey,
        (Annotation, keyValues) switch
        {
            (OutputAnnotation.KeyValues, { } kv) => new SchemaShape([kv]),
            (OutputAnnotation.SlotNames, not null) =>
                new SchemaShape([SchemaShapeColumns.Create("SlotNames", VectorKind.Vector, TextDataViewType.Instance, false)]),
            _ => null,
        });

    /// <summary>The column's annotations from the training label's key values (none when it had none).</summary>
    public DataViewSchema.Annotations Annotations(LabelKeyValues? keyValues)
    {
        var builder = new DataViewSchema.Annotations.Builder();
        if (Annotation == OutputAnnotation.SlotNames) keyValues?.AddSlotNamesTo(builder);
        if (Annotation == OutputAnnotation.KeyValues) keyValues?.AddKeyValuesTo(builder);
        return builder.ToAnnotations();
    }
}

/// <summary>The output columns, in schema order, for a task and a set of options: the one list of them.</summary>
internal static class OutputColumns
{
    public static IReadOnlyList<OutputColumn> Of(HyperGanEnsembleOptions o, bool regression)
    {
        var columns = regression ? Regression(o) : Classification(o);
        if (o.OutOfDistributionFalseAlarmRate is not null)
            columns.Add(new(o.IsOutOfDistributionColumnName, VectorKind.Scalar, BooleanDataViewType.Instance, false, OutputAnnotation.None,
                current => (ValueGetter<bool>)((ref bool value) =>
                {
                    var (b, r) = current();
                    value = b.OutOfDistribution[r];
                })));
        if (o.Coverage is not null && regression)
        {
            columns.Add(Single(o.LowerColumnName, (b, r) => b.Lower[r]));
            columns.Add(Single(o.UpperColumnName, (b, r) => b.Upper[r]));
        }
        if (o.Coverage is not null && !regression)
            columns.Add(new(o.PredictionSetColumnName, VectorKind.Vector, BooleanDataViewType.Instance, false, OutputAnnotation.SlotNames,
                current => (ValueGetter<VBuffer<bool>>)((ref VBuffer<bool> value) =>
                {
                    var (b, r) = current();
                    var editor = VBufferEditor.Create(ref value, b.Width);
                    b.PredictionSet.AsSpan(r * b.Width, b.Width).CopyTo(editor.Values);
                    value = editor.Commit();
                })));
        return columns;
    }

    static List<OutputColumn> Regression(HyperGanEnsembleOptions o) =>
    [
        Single(o.ScoreColumnName, (b, r) => b.Scores[r]),
        Single(o.StdDevColumnName, (b, r) => b.StdDev[r]),
    ];

    static List<OutputColumn> Classification(HyperGanEnsembleOptions o) =>
        [
            new(o.ScoreColumnName, VectorKind.Vector, NumberDataViewType.Single, false, OutputAnnotation.SlotNames,
                current => (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
            {
                var (b, r) = current();
                var editor = VBufferEditor.Create(ref value, b.Width);
                b.Scores.AsSpan(r * b.Width, b.Width).CopyTo(editor.Values);
                value = editor.Commit();
            })),
            new(o.PredictedLabelColumnName, VectorKind.Scalar, NumberDataViewType.UInt32, true, OutputAnnotation.KeyValues,
                current => (ValueGetter<uint>)((ref uint value) =>
            {
                var (b, r) = current();
                value = b.PredictedKey(r);
            })),
            Single(o.PredictiveEntropyColumnName, (b, r) => b.Entropy[r]),
            Single(o.DisagreementColumnName, (b, r) => b.Disagreement[r]),
        ];

    static OutputColumn Single(string name, Func<ScoredBlock, int, float> read) =>
        new(name, VectorKind.Scalar, NumberDataViewType.Single, false, OutputAnnotation.None, current => (ValueGetter<float>)((ref float value) =>
        {
            var (b, r) = current();
            value = read(b, r);
        }));

    /// <summary>The getter of <paramref name="column"/> as <typeparamref name="T"/>, or an error naming the column's type.</summary>
    public static ValueGetter<T> Getter<T>(OutputColumn output, DataViewSchema.Column column, Func<(ScoredBlock Block, int Row)> current) =>
        output.Getter(current) as ValueGetter<T> ?? throw new InvalidOperationException(
            $"Column '{column.Name}' has type {column.Type}; it cannot be read as {typeof(T).Name}.");
}
