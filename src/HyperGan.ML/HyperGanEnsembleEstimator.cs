using HyperGan.ML.Engine.Model;
using HyperGan.ML.Engine.Targets;
using HyperGan.ML.Engine.Training;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using static Microsoft.ML.SchemaShape.Column;

namespace HyperGan.ML;

/// <summary>
/// Trains a HyperGAN on an image column and produces a <see cref="HyperGanEnsembleTransformer"/> that scores each row
/// with an ensemble of sampled networks. Create it with <c>mlContext.Transforms.HyperGanEnsemble(...)</c>.
/// </summary>
public sealed class HyperGanEnsembleEstimator : IEstimator<HyperGanEnsembleTransformer>
{
    readonly IHostEnvironment? _env;
    readonly HyperGanEnsembleOptions _options;

    internal HyperGanEnsembleEstimator(IHostEnvironment? env, HyperGanEnsembleOptions options)
    {
        _env = env;
        _options = options ?? throw new ArgumentNullException(nameof(options));
        ValidateOptions(options);
    }

    static void ValidateOptions(HyperGanEnsembleOptions o)
    {
        if (o.EnsembleSize <= 0) throw new ArgumentOutOfRangeException(nameof(o.EnsembleSize), o.EnsembleSize, "EnsembleSize must be positive (paper: 1, 5, 10 or 100 networks).");
        if (o.ScoringBatchSize <= 0) throw new ArgumentOutOfRangeException(nameof(o.ScoringBatchSize), o.ScoringBatchSize, "ScoringBatchSize must be positive.");
        if (o.ImageShape is null || o.ImageShape.Length == 0 || o.ImageShape.Any(d => d <= 0))
            throw new ArgumentOutOfRangeException(nameof(o.ImageShape), "ImageShape must list positive sizes, e.g. [1, 28, 28] (channels, height, width).");
        foreach (var (name, value) in new[] { (nameof(o.FeatureColumnName), o.FeatureColumnName), (nameof(o.LabelColumnName), o.LabelColumnName),
                     (nameof(o.ScoreColumnName), o.ScoreColumnName), (nameof(o.PredictedLabelColumnName), o.PredictedLabelColumnName),
                     (nameof(o.PredictiveEntropyColumnName), o.PredictiveEntropyColumnName), (nameof(o.DisagreementColumnName), o.DisagreementColumnName) })
            if (string.IsNullOrWhiteSpace(value)) throw new ArgumentException($"{name} must name a column.", name);
        TrainingOptions(o, seed: 0).Validate();
    }

    internal static HyperGanTrainingOptions TrainingOptions(HyperGanEnsembleOptions o, int seed) => new()
    {
        Architecture = new HyperGanArchitecture { NoiseDim = o.NoiseDim, CodeDim = o.CodeDim, HiddenUnits = o.HiddenUnits },
        Epochs = o.Epochs,
        BatchSize = o.BatchSize,
        NetworksPerStep = o.NetworksPerStep,
        Beta = o.Beta,
        LearningRate = o.LearningRate,
        MixerLearningRate = o.MixerLearningRate,
        DiscriminatorLearningRate = o.DiscriminatorLearningRate,
        PretrainMixer = o.PretrainMixer,
        Seed = seed,
    };

    /// <summary>
    /// Checks the input schema and returns the output schema: the input columns plus Score (vector of float),
    /// PredictedLabel (the label's key type), PredictiveEntropy and Disagreement (float).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or has the wrong type; the message says which and the fix.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        if (!TryFind(inputSchema, _options.FeatureColumnName, out var features))
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Features column '{_options.FeatureColumnName}' not found. Set FeatureColumnName or produce the column (e.g. ExtractPixels).");
        if (features.Kind != VectorKind.Vector || features.ItemType != NumberDataViewType.Single)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Features column '{_options.FeatureColumnName}' must be a known-size vector of Single, but is {features.Kind} of {features.ItemType}. Use ExtractPixels or Concatenate to build it.");
        if (!TryFind(inputSchema, _options.LabelColumnName, out var label))
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Label column '{_options.LabelColumnName}' not found. Set LabelColumnName.");
        if (label.Kind != VectorKind.Scalar || !(label.IsKey || label.ItemType == NumberDataViewType.Int32))
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Label column '{_options.LabelColumnName}' must be a key (MapValueToKey) or Int32 scalar, but is {label.Kind} of {label.ItemType}{(label.IsKey ? " key" : "")}. Apply mlContext.Transforms.Conversion.MapValueToKey first.");

        var columns = inputSchema.ToDictionary(c => c.Name);
        SchemaShape? keyAnnotations = label.IsKey && TryFind(label.Annotations, "KeyValues", out var kv)
            ? new SchemaShape([kv]) : null;
        SchemaShape? slotAnnotations = keyAnnotations is null ? null
            : new SchemaShape([SchemaShapeColumns.Create("SlotNames", VectorKind.Vector, TextDataViewType.Instance, false)]);
        columns[_options.ScoreColumnName] = SchemaShapeColumns.Create(_options.ScoreColumnName, VectorKind.Vector, NumberDataViewType.Single, false, slotAnnotations);
        columns[_options.PredictedLabelColumnName] = SchemaShapeColumns.Create(_options.PredictedLabelColumnName, VectorKind.Scalar, NumberDataViewType.UInt32, true, keyAnnotations);
        columns[_options.PredictiveEntropyColumnName] = SchemaShapeColumns.Create(_options.PredictiveEntropyColumnName, VectorKind.Scalar, NumberDataViewType.Single, false);
        columns[_options.DisagreementColumnName] = SchemaShapeColumns.Create(_options.DisagreementColumnName, VectorKind.Scalar, NumberDataViewType.Single, false);
        return new SchemaShape(columns.Values);
    }

    static bool TryFind(SchemaShape shape, string name, out SchemaShape.Column column)
    {
        foreach (var c in shape)
            if (c.Name == name) { column = c; return true; }
        column = default;
        return false;
    }

    /// <summary>Reads the features and labels, trains the HyperGAN (logging through the MLContext) and returns the transformer.</summary>
    public HyperGanEnsembleTransformer Fit(IDataView input)
    {
        GetOutputSchema(SchemaShapeColumns.FromSchema(input.Schema));
        var featureColumn = input.Schema[_options.FeatureColumnName];
        int featureSize = ((VectorDataViewType)featureColumn.Type).Size;
        int expected = _options.ImageShape.Aggregate(1, (a, b) => a * b);
        if (featureSize != expected)
            throw new ArgumentException($"ImageShape [{string.Join(", ", _options.ImageShape)}] holds {expected} values but column '{_options.FeatureColumnName}' has {featureSize}. Set ImageShape to the resized image's [channels, height, width].", nameof(_options.ImageShape));

        var labelColumn = input.Schema[_options.LabelColumnName];
        var (features, labels, classes) = ReadExamples(input, featureColumn, labelColumn, featureSize);
        var target = _options.Target ?? DefaultTarget(classes);

        var host = _env?.Register(nameof(HyperGanEnsembleEstimator));
        int seed = _options.Seed ?? host?.Rand.Next() ?? 0;
        using var ch = host?.Start("Fit");
        ch?.Info(MessageSensitivity.Unknown, $"HyperGAN: {features.Length / featureSize:N0} rows, {classes} classes, target {target}, seed {seed}");
        var progress = new ChannelProgress(ch);
        using var data = TrainingSet.ForClassification(features, labels, _options.ImageShape, classes);
        var model = HyperGanTrainer.Fit(target, data, TrainingOptions(_options, seed), progress, _options.CancellationToken);
        ch?.Info(MessageSensitivity.Unknown, $"HyperGAN: trained in {progress.Elapsed.TotalSeconds:F1} s");
        return new HyperGanEnsembleTransformer(model, _options, labelColumn, featureSize, seed);
    }

    TargetNetwork DefaultTarget(int classes) => _options.ImageShape.SequenceEqual([1, 28, 28])
        ? TargetNetworks.MnistCnn(classes)
        : _options.ImageShape.SequenceEqual([3, 32, 32]) ? TargetNetworks.CifarCnn(classes)
        : throw new ArgumentException($"No default target network for ImageShape [{string.Join(", ", _options.ImageShape)}]; set Target (built-ins: TargetNetworks.MnistCnn for [1, 28, 28], CifarCnn for [3, 32, 32]).", nameof(_options.Target));

    (float[] Features, int[] Labels, int Classes) ReadExamples(IDataView input, DataViewSchema.Column featureColumn, DataViewSchema.Column labelColumn, int featureSize)
    {
        var features = new List<float>();
        var labels = new List<int>();
        int? keyCount = labelColumn.Type is KeyDataViewType key ? checked((int)key.Count) : null;
        using var cursor = input.GetRowCursor([featureColumn, labelColumn]);
        var getFeatures = cursor.GetGetter<VBuffer<float>>(featureColumn);
        Func<int> getLabel;
        if (keyCount is not null)
        {
            var g = cursor.GetGetter<uint>(labelColumn);
            getLabel = () => { uint v = 0; g(ref v); return (int)v - 1; }; // key 0 = missing
        }
        else
        {
            var g = cursor.GetGetter<int>(labelColumn);
            getLabel = () => { int v = 0; g(ref v); return v; };
        }
        VBuffer<float> buffer = default;
        long row = 0;
        while (cursor.MoveNext())
        {
            getFeatures(ref buffer);
            int label = getLabel();
            if (label < 0)
                throw new ArgumentException($"Row {row}: label column '{labelColumn.Name}' is missing or negative ({label + (keyCount is null ? 0 : 1)}). Filter such rows out first.");
            foreach (var v in buffer.DenseValues())
            {
                if (!float.IsFinite(v))
                    throw new ArgumentException($"Row {row}: features column '{featureColumn.Name}' contains {v}. Features must be finite; replace or filter missing values first.");
                features.Add(v);
            }
            labels.Add(label);
            row++;
        }
        if (labels.Count == 0) throw new ArgumentException("The training data is empty.", nameof(input));
        int classes = keyCount ?? labels.Max() + 1;
        return (features.ToArray(), labels.ToArray(), classes);
    }

    sealed class ChannelProgress(IChannel? channel) : IProgress<TrainingProgress>
    {
        public TimeSpan Elapsed { get; private set; }
        public void Report(TrainingProgress p)
        {
            Elapsed = p.Elapsed;
            if (channel is null) return;
            if (p.Phase == TrainingPhase.Train && p.Step == p.Steps)
                channel.Info(MessageSensitivity.Unknown, $"HyperGAN: epoch {p.Epoch}/{p.Epochs}, task loss {p.TaskLoss:F4}, adversarial {p.AdversarialLoss:F3}, discriminator {p.DiscriminatorLoss:F3}, {p.Elapsed.TotalSeconds:F1} s");
        }
    }
}
