using HyperGan.ML.Engine.Model;
using HyperGan.ML.Engine.Training;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace HyperGan.ML;

/// <summary>
/// Scores rows with an ensemble of networks sampled from a trained HyperGAN. Classification adds Score (mean softmax),
/// PredictedLabel (the training label's key type), PredictiveEntropy and Disagreement (mutual information);
/// regression adds Score (mean prediction) and StdDev. <see cref="Transform"/> is lazy and feeds rows to libtorch in
/// batches; <c>PredictionEngine</c> scores single rows. Scoring calls on one transformer are serialised (thread-safe).
/// Save a fitted pipeline containing it with <c>mlContext.Model.SaveWithHyperGan(...)</c>.
/// </summary>
public sealed class HyperGanEnsembleTransformer : ITransformer
{
    readonly HyperGanEnsembleOptions _options;
    readonly int[] _inputShape;
    readonly LabelKeyValues? _keyValues; // the training label's key values; null when it had none (or regression)
    internal EnsembleScorer Scorer { get; }

    /// <summary>The trained generator.</summary>
    public TrainedHyperGan Model { get; }
    /// <summary>Classification or regression (from the training label's type).</summary>
    public TaskKind Task => Model.Task;
    /// <summary>Number of classes (the Score vector's length); 1 for regression.</summary>
    public int Classes => Model.Target.OutputSize;
    /// <summary>What Fit learned from held-out rows (temperature, thresholds, held-out metrics), or null when it had none.</summary>
    public HeldOutCalibration? Calibration => Scorer.Calibration;
    /// <summary>Held-out metrics after every training epoch (empty when Fit had no held-out rows); saved with the model.</summary>
    public IReadOnlyList<EpochMetrics> TrainingHistory { get; }
    /// <summary>Shape of one example as the networks read it, e.g. [1, 28, 28].</summary>
    public IReadOnlyList<int> InputShape => _inputShape;
    internal bool IsRegression => Task == TaskKind.Regression;
    internal HyperGanEnsembleOptions Options => _options;
    internal LabelKeyValues? KeyValues => _keyValues;
    internal int FeatureSize => _inputShape.Aggregate(1, (a, b) => a * b);
    /// <summary>The output columns, in the order they follow the input columns.</summary>
    internal IReadOnlyList<OutputColumn> Outputs { get; }

    internal HyperGanEnsembleTransformer(TrainedHyperGan model, HyperGanEnsembleOptions options, int[] inputShape, LabelKeyValues? keyValues,
        EnsembleScorer scorer,
        EpochMetrics[] history)
    {
        TrainingHistory = history;
        Model = model;
        _options = options;
        _inputShape = inputShape;
        _keyValues = keyValues;
        Scorer = scorer;
        Outputs = OutputColumns.Of(options, IsRegression);
    }

    /// <summary>
    /// A transformer with the same networks whose temperature and thresholds are fitted on <paramref name="heldOut"/>
    /// (rows it was never trained on, with the training columns), following this transformer's
    /// <see cref="HyperGanEnsembleOptions.Calibrate"/>, <see cref="HyperGanEnsembleOptions.OutOfDistributionFalseAlarmRate"/>
    /// and <see cref="HyperGanEnsembleOptions.Coverage"/>. Use it to re-set the guarantees on fresh data from where the
    /// model is used (the guarantees hold for rows exchangeable with <paramref name="heldOut"/>).
    /// </summary>
    /// <exception cref="ArgumentException">A column is missing or of another type, or there are too few rows for what the options ask (the
    /// message names the minimum).</exception>
    public HyperGanEnsembleTransformer CalibrateOn(IDataView heldOut)
    {
        ArgumentNullException.ThrowIfNull(heldOut);
        var rows = TrainingExamples.ReadHeldOut(heldOut, nameof(heldOut), _options, FeatureSize, Task, Classes, labelType: null);
        HeldOutCalibrator.CheckCount(_options, rows.Count, $"the held-out data view ({rows.Count} rows)");
        var scorer = Scorer.WithSameNetworks();
        scorer.Calibration = HeldOutCalibrator.Fit(scorer, rows, _options, IsRegression, Scorer.Seed ^ 0xCA1);
        return new HyperGanEnsembleTransformer(Model, _options, _inputShape, _keyValues, scorer, [.. TrainingHistory]);
    }

    /// <summary>
    /// The same networks without the temperature and thresholds: raw scores, and no IsOutOfDistribution, PredictionSet,
    /// Lower or Upper columns. Use it to compare calibrated with raw probabilities (e.g. reliability diagrams).
    /// </summary>
    public HyperGanEnsembleTransformer WithoutCalibration()
    {
        var options = _options.Clone();
        options.Calibrate = false;
        options.OutOfDistributionFalseAlarmRate = null;
        options.Coverage = null;
        return new HyperGanEnsembleTransformer(Model, options, _inputShape, _keyValues, Scorer.WithSameNetworks(), [.. TrainingHistory]);
    }

    /// <summary>
    /// Writes the frozen ensemble as one ONNX model (opset 13) that computes the score columns without TorchSharp or
    /// libtorch; score it with <c>mlContext.Transforms.ApplyOnnxModel</c> (package Microsoft.ML.OnnxTransformer), whose
    /// pipeline <c>mlContext.Model.Save</c> can store. Input: the features column, float [batch, features]. Outputs:
    /// classification Score [batch, classes] (calibrated when <see cref="Calibration"/> has a temperature),
    /// PredictiveEntropy and Disagreement [batch, 1]; regression Score and StdDev [batch, 1]. The decision columns
    /// (IsOutOfDistribution, PredictionSet, Lower, Upper) are not exported: apply <see cref="Calibration"/>'s thresholds
    /// to these outputs. See docs/persistence.md.
    /// </summary>
    /// <exception cref="InvalidOperationException">The ensemble is not frozen (FreezeEnsemble = false): there are no fixed networks to
    /// write.</exception>
    /// <exception cref="NotSupportedException">The target network has a layer order ONNX export does not support (a convolution after a linear
    /// layer).</exception>
    public void ExportToOnnx(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        OnnxExport.Write(this, path);
    }

    /// <inheritdoc/>
    public bool IsRowToRowMapper => true;

    /// <summary>The input schema plus the output columns.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The features column is missing or not a vector of <see cref="float"/> of the trained
    /// size.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        FeatureColumn(inputSchema);
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(inputSchema);
        foreach (var output in Outputs) builder.AddColumn(output.Name, output.Type(Classes), output.Annotations(_keyValues));
        return builder.ToSchema();
    }

    /// <summary>A lazy view: rows are scored in batches of <see cref="HyperGanEnsembleOptions.ScoringBatchSize"/> as a cursor reaches them.</summary>
    public IDataView Transform(IDataView input) => new ScoredDataView(this, input, GetOutputSchema(input.Schema));

    /// <inheritdoc/>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => new RowMapper(this, inputSchema, GetOutputSchema(inputSchema));

    /// <summary>Not supported: ML.NET keeps its model-saving API internal, so this transformer's weights cannot go into an ML.NET model
    /// file.</summary>
    /// <exception cref="NotSupportedException">Always; the message names <c>mlContext.Model.SaveWithHyperGan</c>.</exception>
    void ICanSaveModel.Save(ModelSaveContext ctx) => throw new NotSupportedException(
        "mlContext.Model.Save cannot persist a HyperGanEnsembleTransformer: ML.NET keeps its model-saving API internal to its own components. " +
        "Save the whole fitted pipeline with mlContext.Model.SaveWithHyperGan(model, inputSchema, path) and load it with " +
            "mlContext.Model.LoadWithHyperGan(path, out var schema) " +
        "(namespace Microsoft.ML, package HyperGan.ML).");

    internal DataViewSchema.Column FeatureColumn(DataViewSchema schema)
    {
        var column = schema.GetColumnOrNull(_options.FeatureColumnName)
            ?? throw new ArgumentOutOfRangeException(nameof(schema), $"Features column '{_options.FeatureColumnName}' not found in the data to " +
                $"score (it has {string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => $"'{c.Name}'"))}). " +
                $"The networks were trained on column '{_options.FeatureColumnName}', a vector of {FeatureSize} Single: give the data to score " +
                    $"a column of that name (e.g. mlContext.Transforms.CopyColumns) and the same preparation steps as in training.");
        if (column.Type is not VectorDataViewType { ItemType: NumberDataViewType t, Size: var size } || t != NumberDataViewType.Single
            || size != FeatureSize)
            throw new ArgumentOutOfRangeException(nameof(schema), $"Features column '{_options.FeatureColumnName}' must be a vector of Single " +
                $"of size {FeatureSize} (as in training) but is {column.Type}" +
                (column.Type is VectorDataViewType { Size: 0 } ? " of unknown size: declare the size ([VectorType(" + FeatureSize
                    + ")] on the property, or a SchemaDefinition)." : "."));
        return column;
    }

    /// <summary>Under <see cref="UnscorableRowHandling.Throw"/>, throws when row <paramref name="row"/> of <paramref name="block"/> could not be
    /// scored.</summary>
    internal void CheckScored(ScoredBlock block, int row, long position)
    {
        if (_options.UnscorableRows == UnscorableRowHandling.Throw && block.Problem(row) is { } problem)
            throw new ArgumentException($"Row {position}: features column '{_options.FeatureColumnName}' cannot be scored: {problem}. " +
                "Replace or filter missing values first (e.g. mlContext.Transforms.ReplaceMissingValues), or set UnscorableRows = " +
                    "UnscorableRowHandling.Missing to get missing outputs (PredictedLabel 0, scores NaN) for such rows.");
    }

    // Deliberately not IDisposable: ML.NET's PredictionEngine disposes the transformer it was created from, which
    // would break the fitted pipeline for every later Transform. Native memory is released by TorchSharp's finalizers.
}
