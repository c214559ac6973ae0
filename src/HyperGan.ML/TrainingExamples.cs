using HyperGan.ML.Engine.Training;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace HyperGan.ML;

/// <summary>The training rows of an <see cref="IDataView"/>, read once into arrays for the engine.</summary>
internal sealed record TrainingExamples(float[] Features, int[]? ClassLabels, float[]? Targets, int Classes)
{
    /// <summary>Reads every row; rejects missing labels, rows of another length than <paramref name="featureSize"/> and non-finite features with the row number and column.</summary>
    public static TrainingExamples Read(IDataView input, DataViewSchema.Column featureColumn, int featureSize, DataViewSchema.Column labelColumn, TaskKind task)
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
                throw new ArgumentException($"Row {row}: features column '{featureColumn.Name}' contains {values[bad]} (value {bad}). Features must be finite; replace or filter missing values first (e.g. ReplaceMissingValues).");
            features.AddRange(values);
            readLabel();
            row++;
        }
        if (row == 0) throw new ArgumentException($"The training data is empty: no rows reached HyperGanEnsemble (column '{featureColumn.Name}').", nameof(input));
        if (task == TaskKind.Classification && classLabels.Distinct().Take(2).Count() < 2)
            throw new ArgumentException($"Label column '{labelColumn.Name}' holds one class in all {row} rows; a classifier needs at least two classes in its training data.", nameof(input));
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
                if (v == 0) throw new ArgumentException($"Row {row}: label column '{labelColumn.Name}' is missing (key 0, a value MapValueToKey did not see). Filter such rows out first.");
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
                if (v < 0) throw new ArgumentException($"Row {row}: label column '{labelColumn.Name}' is {v}; Int32 class labels must be 0..classes-1. Use MapValueToKey for arbitrary labels.");
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
                if (!float.IsFinite(v)) throw new ArgumentException($"Row {row}: label column '{labelColumn.Name}' is {v}; regression targets must be finite. Filter such rows out first.");
                targets.Add(v);
            };
        }
    }
}
