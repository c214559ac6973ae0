using HyperGan.ML.Engine.Training;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace HyperGan.ML;

/// <summary>The training rows of an <see cref="IDataView"/>, read once into arrays for the engine.</summary>
internal sealed record TrainingExamples(float[] Features, int[]? ClassLabels, float[]? Targets, int Classes)
{
    /// <summary>Rows.</summary>
    public int Count => ClassLabels?.Length ?? Targets!.Length;

    /// <summary>Values per row.</summary>
    public int FeatureSize => Features.Length / Count;

    /// <summary>The rows <paramref name="rows"/>, in that order.</summary>
    public TrainingExamples Subset(IReadOnlyList<int> rows)
    {
        int size = FeatureSize;
        var features = new float[rows.Count * size];
        for (int i = 0; i < rows.Count; i++) Features.AsSpan(rows[i] * size, size).CopyTo(features.AsSpan(i * size, size));
        return new TrainingExamples(features, ClassLabels is null ? null : rows.Select(r => ClassLabels[r]).ToArray(),
            Targets is null ? null : rows.Select(r => Targets[r]).ToArray(), Classes);
    }

    /// <summary>Seeded split into (first, rest) with <paramref name="firstCount"/> rows first, stratified by class for classification.</summary>
    public (TrainingExamples First, TrainingExamples Others) Split(int firstCount, int seed)
    {
        var (first, rest) = HyperGan.ML.Engine.Data.StratifiedSplit.Split(ClassLabels ?? new int[Count], firstCount, seed);
        return (Subset(first), Subset(rest));
    }

    /// <summary>
    /// Held-out rows (never trained on) with the training columns: the features a vector of <paramref name="featureSize"/>
    /// Single, the label of <paramref name="labelType"/> (when known) or of a type that fits the task and class count.
    /// </summary>
    /// <exception cref="ArgumentException">A column is missing or of another type; the message names it and the fix.</exception>
    public static TrainingExamples ReadHeldOut(IDataView data, string parameter, HyperGanEnsembleOptions o, int featureSize, TaskKind task,
        int classes, DataViewType? labelType)
    {
        var features = data.Schema.GetColumnOrNull(o.FeatureColumnName);
        var label = data.Schema.GetColumnOrNull(o.LabelColumnName);
        if (features is null || label is null)
            throw new ArgumentException($"The held-out data view lacks column '{(features is null ? o.FeatureColumnName : o.LabelColumnName)}'; " +
                $"give it the training data's columns (apply the same fitted preparation steps).", parameter);
        if (features.Value.Type is not VectorDataViewType { ItemType: NumberDataViewType f, Size: var size } || f != NumberDataViewType.Single
            || size != featureSize)
            throw new ArgumentException(
                $"Held-out column '{o.FeatureColumnName}' is {features.Value.Type} but training's is a vector of {featureSize} Single.", parameter);
        var type = label.Value.Type;
        bool fits = labelType is not null ? type.Equals(labelType)
            : task == TaskKind.Regression ? type == NumberDataViewType.Single
            : type is KeyDataViewType k ? (int)k.Count == classes : type == NumberDataViewType.Int32;
        if (!fits)
            throw new ArgumentException($"Held-out label column '{o.LabelColumnName}' is {type} but training's is " +
                $"{labelType?.ToString() ?? (task == TaskKind.Regression ? "Single" : $"a key of {classes} classes or Int32")}; " +
                "map it with the same fitted steps (e.g. the MapValueToKey fitted on the training data).", parameter);
        var examples = Read(data, features.Value, featureSize, label.Value, task, requireTwoClasses: false);
        if (task == TaskKind.Classification && examples.ClassLabels!.Max() >= classes)
            throw new ArgumentException($"Held-out label column '{o.LabelColumnName}' holds class {examples.ClassLabels!.Max()} but training " +
                $"has {classes} classes.", parameter);
        return examples with { Classes = classes };
    }

    /// <summary>Reads every row; rejects missing labels, rows of another length than <paramref name="featureSize"/> and non-finite features with
    /// the row number and column.</summary>
    public static TrainingExamples Read(IDataView input, DataViewSchema.Column featureColumn, int featureSize, DataViewSchema.Column labelColumn,
        TaskKind task, bool requireTwoClasses = true)
    {
        var features = new List<float>();
        var classLabels = new List<int>();
        var targets = new List<float>();
        int? keyCount = labelColumn.Type is KeyDataViewType key ? checked((int)key.Count) : null;
        using var cursor = input.GetRowCursor([featureColumn, labelColumn]);
        var reader = FeatureVectorReader.Of(cursor, featureColumn, featureSize);
        long row = 0;
        Action readLabel = task == TaskKind.Regression ? RegressionTarget() : keyCount is not null ? KeyLabel() : IntLabel();
        var values = new float[featureSize];
        while (cursor.MoveNext())
        {
            int bad = reader.Read(values, row);
            if (bad >= 0)
                throw new ArgumentException($"Row {row}: features column '{featureColumn.Name}' contains {values[bad]} (value {bad}). Features " +
                    $"must be finite; replace or filter missing values first (e.g. ReplaceMissingValues).");
            features.AddRange(values);
            readLabel();
            row++;
        }
        if (row == 0) throw new ArgumentException($"The training data is empty: no rows reached HyperGanEnsemble (column '{featureColumn.Name}').",
            nameof(input));
        if (requireTwoClasses && task == TaskKind.Classification && classLabels.Distinct().Take(2).Count() < 2)
            throw new ArgumentException($"Label column '{labelColumn.Name}' holds one class in all {row} rows; a classifier needs at least two " +
                $"classes in its training data.", nameof(input));
        return task == TaskKind.Regression
            ? new TrainingExamples(features.ToArray(), null, targets.ToArray(), 1)
            : new TrainingExamples(features.ToArray(), classLabels.ToArray(), null, keyCount ?? classLabels.Max() + 1);

        Action KeyLabel()
        {
            var g = cursor.GetGetter<uint>(labelColumn);
            return () =>
            {
                uint v = 0;
                g(ref v);
                if (v == 0) throw new ArgumentException($"Row {row}: label column '{labelColumn.Name}' is missing (key 0, a value MapValueToKey " +
                    $"did not see). Filter such rows out first.");
                classLabels.Add((int)v - 1);
            };
        }

        Action IntLabel()
        {
            var g = cursor.GetGetter<int>(labelColumn);
            return () =>
            {
                int v = 0;
                g(ref v);
                if (v < 0) throw new ArgumentException($"Row {row}: label column '{labelColumn.Name}' is {v}; Int32 class labels must be " +
                    $"0..classes-1. Use MapValueToKey for arbitrary labels.");
                classLabels.Add(v);
            };
        }

        Action RegressionTarget()
        {
            var g = cursor.GetGetter<float>(labelColumn);
            return () =>
            {
                float v = 0;
                g(ref v);
                if (!float.IsFinite(v)) throw new ArgumentException(
                    $"Row {row}: label column '{labelColumn.Name}' is {v}; regression targets must be finite. Filter such rows out first.");
                targets.Add(v);
            };
        }
    }
}
