using HyperGan.ML.Engine.Model;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace HyperGan.ML;

/// <summary>
/// Scores rows with an ensemble of networks sampled from a trained HyperGAN. Adds Score (mean softmax),
/// PredictedLabel (the training label's key type), PredictiveEntropy and Disagreement (mutual information).
/// <see cref="Transform"/> is lazy and feeds rows to libtorch in batches; <c>PredictionEngine</c> scores single rows.
/// Scoring calls on one transformer are serialised (thread-safe).
/// </summary>
public sealed class HyperGanEnsembleTransformer : ITransformer
{
    readonly HyperGanEnsembleOptions _options;
    readonly int _featureSize;
    readonly DataViewSchema.Annotations _labelAnnotations;
    readonly string[]? _classNames; // the training label's key values as text; null when the label had none
    internal EnsembleScorer Scorer { get; }

    /// <summary>The trained generator.</summary>
    public TrainedHyperGan Model { get; }
    /// <summary>Number of classes (the Score vector's length).</summary>
    public int Classes => Model.Target.OutputSize;
    internal HyperGanEnsembleOptions Options => _options;

    internal HyperGanEnsembleTransformer(TrainedHyperGan model, HyperGanEnsembleOptions options, DataViewSchema.Column trainingLabel, int featureSize, int seed)
    {
        Model = model;
        _options = options;
        _featureSize = featureSize;
        _labelAnnotations = trainingLabel.Annotations;
        _classNames = trainingLabel.Type is KeyDataViewType && trainingLabel.Annotations.Schema.GetColumnOrNull("KeyValues") is not null
            ? KeyValueNames(trainingLabel.Annotations) : null;
        Scorer = new EnsembleScorer(model, options.EnsembleSize, options.FreezeEnsemble, options.ImageShape, seed);
    }

    /// <inheritdoc/>
    public bool IsRowToRowMapper => true;

    /// <summary>The input schema plus the four output columns.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The features column is missing or not a vector of <see cref="float"/> of the trained size.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        FeatureColumn(inputSchema);
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(inputSchema);
        var scoreAnnotations = new DataViewSchema.Annotations.Builder();
        var labelAnnotations = new DataViewSchema.Annotations.Builder();
        if (_classNames is { } names)
        {
            scoreAnnotations.Add("SlotNames", new VectorDataViewType(TextDataViewType.Instance, Classes), (ref VBuffer<ReadOnlyMemory<char>> value) =>
                value = new VBuffer<ReadOnlyMemory<char>>(names.Length, names.Select(n => n.AsMemory()).ToArray()));
            labelAnnotations.Add(_labelAnnotations, name => name == "KeyValues");
        }
        builder.AddColumn(_options.ScoreColumnName, new VectorDataViewType(NumberDataViewType.Single, Classes), scoreAnnotations.ToAnnotations());
        builder.AddColumn(_options.PredictedLabelColumnName, new KeyDataViewType(typeof(uint), Classes), labelAnnotations.ToAnnotations());
        builder.AddColumn(_options.PredictiveEntropyColumnName, NumberDataViewType.Single);
        builder.AddColumn(_options.DisagreementColumnName, NumberDataViewType.Single);
        return builder.ToSchema();
    }

    /// <summary>A lazy view: rows are scored in batches of <see cref="HyperGanEnsembleOptions.ScoringBatchSize"/> as a cursor reaches them.</summary>
    public IDataView Transform(IDataView input) => new ScoredDataView(this, input, GetOutputSchema(input.Schema));

    /// <inheritdoc/>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => new RowMapper(this, inputSchema, GetOutputSchema(inputSchema));

    /// <summary>Not supported: ML.NET keeps its model-saving API internal, so this transformer's weights cannot go into an ML.NET model file.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    void ICanSaveModel.Save(ModelSaveContext ctx) => throw new NotSupportedException(
        "mlContext.Model.Save cannot persist a HyperGanEnsembleTransformer: ML.NET keeps its model-saving API internal to its own components. " +
        "Save the generator with transformer.Model.Save(path) (HyperGan.ML.Engine.Model.TrainedHyperGan) for now; whole-pipeline persistence is tracked in the ML.NET integration issue.");

    internal DataViewSchema.Column FeatureColumn(DataViewSchema schema)
    {
        var column = schema.GetColumnOrNull(_options.FeatureColumnName)
            ?? throw new ArgumentOutOfRangeException(nameof(schema), $"Features column '{_options.FeatureColumnName}' not found in the data to score.");
        if (column.Type is not VectorDataViewType { ItemType: NumberDataViewType t, Size: var size } || t != NumberDataViewType.Single || size != _featureSize)
            throw new ArgumentOutOfRangeException(nameof(schema), $"Features column '{_options.FeatureColumnName}' must be a vector of Single of size {_featureSize} (as in training) but is {column.Type}.");
        return column;
    }

    static string[] KeyValueNames(DataViewSchema.Annotations labelAnnotations)
    {
        var type = (VectorDataViewType)labelAnnotations.Schema["KeyValues"].Type;
        var read = typeof(HyperGanEnsembleTransformer).GetMethod(nameof(ReadKeyValues), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(type.ItemType.RawType);
        return (string[])read.Invoke(null, [labelAnnotations])!;
    }

    static string[] ReadKeyValues<T>(DataViewSchema.Annotations annotations)
    {
        VBuffer<T> values = default;
        annotations.GetValue("KeyValues", ref values);
        return values.DenseValues().Select(v => v?.ToString() ?? "").ToArray();
    }

    // Deliberately not IDisposable: ML.NET's PredictionEngine disposes the transformer it was created from, which
    // would break the fitted pipeline for every later Transform. Native memory is released by TorchSharp's finalizers.
}
