using HyperGan.ML.Engine.Model;
using HyperGan.ML.Engine.Targets;
using HyperGan.ML.Engine.Training;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using static Microsoft.ML.SchemaShape.Column;

namespace HyperGan.ML;

/// <summary>
/// Trains a HyperGAN on a feature column and produces a <see cref="HyperGanEnsembleTransformer"/> that scores each row
/// with an ensemble of sampled networks. Create it with <c>mlContext.Transforms.HyperGanEnsemble(...)</c>.
/// A key or Int32 label trains a classifier; a Single label trains a regressor (see <see cref="HyperGanEnsembleOptions.Task"/>).
/// </summary>
public sealed class HyperGanEnsembleEstimator : IEstimator<HyperGanEnsembleTransformer>
{
    readonly IHostEnvironment? _env;
    readonly HyperGanEnsembleOptions _options;

    internal HyperGanEnsembleEstimator(IHostEnvironment? env, HyperGanEnsembleOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _env = env;
        _options = options.Clone(); // later edits of the caller's object do not change this estimator
        ValidateOptions(_options);
    }

    internal static void ValidateOptions(HyperGanEnsembleOptions o)
    {
        if (o.EnsembleSize <= 0) throw new ArgumentOutOfRangeException(nameof(o.EnsembleSize), o.EnsembleSize,
            "EnsembleSize must be positive (paper: 1, 5, 10 or 100 networks).");
        if (o.ScoringBatchSize <= 0) throw new ArgumentOutOfRangeException(nameof(o.ScoringBatchSize), o.ScoringBatchSize,
            "ScoringBatchSize must be positive.");
        if (o.ImageShape is { } shape && (shape.Length == 0 || shape.Any(d => d <= 0)))
            throw new ArgumentOutOfRangeException(nameof(o.ImageShape), "ImageShape must list positive sizes, e.g. [1, 28, 28] (channels, " +
                "height, width) or [features]; or be null to use the column's dimensions.");
        foreach (var (name, value) in new[] { (nameof(o.FeatureColumnName), o.FeatureColumnName), (nameof(o.LabelColumnName), o.LabelColumnName),
                     (nameof(o.ScoreColumnName), o.ScoreColumnName), (nameof(o.PredictedLabelColumnName), o.PredictedLabelColumnName),
                     (nameof(o.PredictiveEntropyColumnName), o.PredictiveEntropyColumnName),
                         (nameof(o.DisagreementColumnName), o.DisagreementColumnName),
                     (nameof(o.StdDevColumnName), o.StdDevColumnName), (nameof(o.IsOutOfDistributionColumnName), o.IsOutOfDistributionColumnName),
                     (nameof(o.PredictionSetColumnName), o.PredictionSetColumnName), (nameof(o.LowerColumnName), o.LowerColumnName),
                         (nameof(o.UpperColumnName), o.UpperColumnName) })
            if (string.IsNullOrWhiteSpace(value)) throw new ArgumentException($"{name} must name a column.", name);
        if (o.Target is not null && o.TargetFactory is not null)
            throw new ArgumentException("Set either Target (a fixed network) or TargetFactory (a network built from the number of classes), not " +
                "both.", nameof(o.TargetFactory));
        if (o.Task is { } task && !Enum.IsDefined(task))
            throw new ArgumentOutOfRangeException(nameof(o.Task), task,
                "Task must be TaskKind.Classification, TaskKind.Regression, or null to follow the label's type.");
        if (!Enum.IsDefined(o.UnscorableRows))
            throw new ArgumentOutOfRangeException(nameof(o.UnscorableRows), o.UnscorableRows,
                "UnscorableRows must be UnscorableRowHandling.Missing or Throw.");
        if (o.EarlyStoppingPatience < 0)
            throw new ArgumentOutOfRangeException(nameof(o.EarlyStoppingPatience), o.EarlyStoppingPatience,
                "EarlyStoppingPatience must be ≥ 0: the epochs without held-out improvement before training ends, or 0 to train every epoch.");
        if (!(o.ValidationFraction >= 0 && o.ValidationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(o.ValidationFraction), o.ValidationFraction,
                "ValidationFraction must be in [0, 1): the fraction of training rows held out (e.g. 0.1), or 0 for none.");
        if (o.OutOfDistributionFalseAlarmRate is { } rate && !(rate > 0 && rate < 1))
            throw new ArgumentOutOfRangeException(nameof(o.OutOfDistributionFalseAlarmRate), rate, "OutOfDistributionFalseAlarmRate must be in " +
                "(0, 1), e.g. 0.05 to flag at most 5 % of rows like the training data; or null for no flag.");
        if (o.Coverage is { } coverage && !(coverage > 0 && coverage < 1))
            throw new ArgumentOutOfRangeException(nameof(o.Coverage), coverage,
                "Coverage must be in (0, 1), e.g. 0.9 for sets that hold the true label for 90 % of rows; or null for none.");
        if (!Enum.IsDefined(o.CalibrationMethod))
            throw new ArgumentOutOfRangeException(nameof(o.CalibrationMethod), o.CalibrationMethod,
                "CalibrationMethod must be Temperature or TemperatureAndTopLabel.");
        if (o.CalibrationShrinkage is { } shrinkage && !(shrinkage >= 0 && double.IsFinite(shrinkage)))
            throw new ArgumentOutOfRangeException(nameof(o.CalibrationShrinkage), shrinkage, "CalibrationShrinkage must be finite and " +
                "≥ 0 (0 fits the calibration maps by maximum likelihood, larger values pull them towards changing nothing), or null for " +
                "the CalibrationMethod's default.");
        if (!Enum.IsDefined(o.OutOfDistributionScore))
            throw new ArgumentOutOfRangeException(nameof(o.OutOfDistributionScore), o.OutOfDistributionScore,
                "OutOfDistributionScore must be PredictiveEntropy, Disagreement or MaxProbability.");
        try { o.Target?.CheckOutputLayer(); }
        catch (ArgumentException e) { throw new ArgumentException(e.Message, nameof(o.Target), e); }
        TrainingOptions(o, TaskKind.Classification, seed: 0).Validate();
    }

    internal static HyperGanTrainingOptions TrainingOptions(HyperGanEnsembleOptions o, TaskKind task, int seed) => new()
    {
        Architecture = new HyperGanArchitecture
        {
            NoiseDim = o.NoiseDim, CodeDim = o.CodeDim, HiddenUnits = o.HiddenUnits, Head = o.Head, ChunkSize = o.ChunkSize,
            GeneratorBatchNorm = o.GeneratorBatchNorm, BaseNetworks = o.BaseNetworks,
            ChunkHiddenUnits = o.ChunkHiddenUnits, ChunkEmbeddingDim = o.ChunkEmbeddingDim,
            InitialSharedStd = o.InitialSharedStd, InitialCodeStd = o.InitialCodeStd,
        },
        Task = task,
        Epochs = o.Epochs,
        BatchSize = o.BatchSize,
        NetworksPerStep = o.NetworksPerStep,
        Beta = o.Beta,
        Diversity = o.Diversity,
        DiversityWeight = o.DiversityWeight,
        DiversityAccuracyPower = o.DiversityAccuracyPower,
        DiversityInputFraction = o.DiversityInputFraction,
        GeneratedWeightDecay = o.GeneratedWeightDecay,
        LearningRate = o.LearningRate,
        BaseLearningRate = o.BaseLearningRate,
        MixerLearningRate = o.MixerLearningRate,
        LearningRateSchedule = o.LearningRateSchedule,
        DiscriminatorLearningRate = o.DiscriminatorLearningRate,
        AdamBeta1 = o.AdamBeta1,
        AdamBeta2 = o.AdamBeta2,
        WeightDecay = o.WeightDecay,
        PriorStd = o.PriorStd,
        PretrainMixer = o.PretrainMixer,
        PretrainSamples = o.PretrainSamples,
        PretrainMaxSteps = o.PretrainMaxSteps,
        PretrainTargetLoss = o.PretrainTargetLoss,
        Seed = seed,
    };

    /// <summary>
    /// Checks the input schema and returns the output schema: the input columns plus, for classification, Score
    /// (vector of float), PredictedLabel (the label's key type), PredictiveEntropy and Disagreement (float); for
    /// regression Score and StdDev (float).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or has the wrong type; the message says which and the fix.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        if (!TryFind(inputSchema, _options.FeatureColumnName, out var features))
            throw new ArgumentOutOfRangeException(nameof(inputSchema),
                $"Features column '{_options.FeatureColumnName}' not found. Set FeatureColumnName or produce the column (e.g. ExtractPixels).");
        if (features.Kind != VectorKind.Vector || features.ItemType != NumberDataViewType.Single)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Features column '{_options.FeatureColumnName}' must be a known-size " +
                $"vector of Single, but is {features.Kind} of {features.ItemType}. Use ExtractPixels or Concatenate to build it.");
        if (!TryFind(inputSchema, _options.LabelColumnName, out var label))
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Label column '{_options.LabelColumnName}' not found. Set LabelColumnName.");
        var task = TaskOf(label);

        SchemaShape.Column? keyValues = label.IsKey && TryFind(label.Annotations, "KeyValues", out var kv) ? kv : null;
        var columns = inputSchema.ToDictionary(c => c.Name);
        foreach (var output in OutputColumns.Of(_options, task == TaskKind.Regression)) columns[output.Name] = output.Shape(keyValues);
        return new SchemaShape(columns.Values);
    }

    /// <summary>The task: <see cref="HyperGanEnsembleOptions.Task"/> when set (the label must suit it), else the label's type.</summary>
    TaskKind TaskOf(SchemaShape.Column label)
    {
        bool classes = label.Kind == VectorKind.Scalar && (label.IsKey || label.ItemType == NumberDataViewType.Int32);
        bool values = label.Kind == VectorKind.Scalar && !label.IsKey && label.ItemType == NumberDataViewType.Single;
        string name = _options.LabelColumnName;
        return (_options.Task, classes, values) switch
        {
            (null or TaskKind.Classification, true, _) => TaskKind.Classification,
            (null or TaskKind.Regression, _, true) => TaskKind.Regression,
            (TaskKind.Classification, _, true) => throw new ArgumentOutOfRangeException("inputSchema",
                $"Task is Classification but label column '{name}' is Single, a regression target. Map its values to classes first: " +
                    $"mlContext.Transforms.Conversion.MapValueToKey(\"{name}\"); or leave Task null to train a regressor."),
            (TaskKind.Regression, true, _) => throw new ArgumentOutOfRangeException("inputSchema",
                $"Task is Regression but label column '{name}' is a {(label.IsKey ? "key" : "Int32")} of classes. Give a Single label: " +
                    $"mlContext.Transforms.Conversion.ConvertType(\"{name}\", outputKind: " +
                    $"DataKind.Single){(label.IsKey ? " after MapKeyToValue" : "")}; or leave Task null to train a classifier."),
            _ => throw new ArgumentOutOfRangeException("inputSchema",
                $"Label column '{name}' must be a key (MapValueToKey) or Int32 scalar for classification, or a Single scalar for regression, " +
                    $"but is {label.Kind} of {label.ItemType}{(label.IsKey ? " key" : "")}. Apply mlContext.Transforms.Conversion.MapValueToKey " +
                    $"(classes) or ConvertType to Single (regression) first."),
        };
    }

    string TaskChoice(TaskKind task, DataViewType labelType, int classes) => task == TaskKind.Classification
        ? $"task Classification of {classes} classes ({(_options.Task is null ? "automatic: " : "Task = Classification, ")}label " +
            $"'{_options.LabelColumnName}' is {labelType}); " +
          "for regression give a Single label (ConvertType) instead"
        : $"task Regression ({(_options.Task is null ? "automatic: " : "Task = Regression, ")}label '{_options.LabelColumnName}' is Single); " +
          $"to classify, map the label to classes first: mlContext.Transforms.Conversion.MapValueToKey(\"{_options.LabelColumnName}\")";

    static bool TryFind(SchemaShape shape, string name, out SchemaShape.Column column)
    {
        foreach (var c in shape)
            if (c.Name == name) { column = c; return true; }
        column = default;
        return false;
    }

    /// <summary>Reads the features and labels, trains the HyperGAN (logging through the MLContext) and returns the transformer.
    /// With <see cref="HyperGanEnsembleOptions.ValidationFraction"/> &gt; 0 that fraction of the rows is held out for calibration and
    /// thresholds.</summary>
    /// <exception cref="ArgumentException">The data or options cannot be trained on (the message names the column or option and the fix).</exception>
    /// <exception cref="InvalidOperationException">MLContext.GpuDeviceId asks for a GPU that is not available and FallbackToCpu is false.</exception>
    /// <exception cref="OperationCanceledException"><see cref="HyperGanEnsembleOptions.CancellationToken"/> was cancelled.</exception>
    public HyperGanEnsembleTransformer Fit(IDataView input) => Fit(input, null);

    /// <summary>
    /// Trains on <paramref name="input"/> and uses <paramref name="validation"/> (rows never trained on, with the same
    /// columns) for <see cref="HyperGanEnsembleOptions.Calibrate"/>, the out-of-distribution threshold and the
    /// prediction sets, and for the held-out metrics in <see cref="HyperGanEnsembleTransformer.Calibration"/>.
    /// </summary>
    /// <param name="input">Training rows.</param>
    /// <param name="validation">Held-out rows; null = <see cref="HyperGanEnsembleOptions.ValidationFraction"/> of <paramref name="input"/> (or
    /// none).</param>
    /// <exception cref="ArgumentException">The data or options cannot be trained on, or too few held-out rows for what the options ask (the
    /// message names the option and the minimum).</exception>
    public HyperGanEnsembleTransformer Fit(IDataView input, IDataView? validation)
    {
        ArgumentNullException.ThrowIfNull(input);
        var shape = SchemaShapeColumns.FromSchema(input.Schema);
        GetOutputSchema(shape);
        TryFind(shape, _options.LabelColumnName, out var labelShape);
        var task = TaskOf(labelShape);
        if (_options.Calibrate && task == TaskKind.Regression)
            throw new ArgumentException("Calibrate (temperature scaling) applies to classification; for a regression label use Coverage for " +
                "calibrated intervals (Lower, Upper).", nameof(HyperGanEnsembleOptions.Calibrate));

        var featureColumn = input.Schema[_options.FeatureColumnName];
        var inputShape = InputShape((VectorDataViewType)featureColumn.Type);
        int featureSize = inputShape.Aggregate(1, (a, b) => a * b);
        var labelColumn = input.Schema[_options.LabelColumnName];
        var keyValues = task == TaskKind.Classification ? LabelKeyValues.Of(labelColumn) : null;
        var host = _env?.Register(nameof(HyperGanEnsembleEstimator));
        int seed = _options.Seed ?? host?.Rand.Next() ?? 0;

        var examples = TrainingExamples.Read(input, featureColumn, featureSize, labelColumn, task);
        TrainingExamples? heldOut = null;
        string heldOutSource = "";
        if (validation is not null)
        {
            heldOut = TrainingExamples.ReadHeldOut(validation, "validation", _options, featureSize, task, examples.Classes, labelColumn.Type);
            heldOutSource = $"the validation data view ({heldOut.Count} rows)";
        }
        else if (_options.ValidationFraction > 0)
        {
            int held = (int)Math.Round(_options.ValidationFraction * examples.Count);
            heldOutSource = $"ValidationFraction {_options.ValidationFraction} of {examples.Count} rows";
            if (held == 0 || held == examples.Count)
                throw new ArgumentException($"{heldOutSource} holds out {held} rows; choose a fraction that leaves rows on both sides.",
                    nameof(HyperGanEnsembleOptions.ValidationFraction));
            (heldOut, examples) = examples.Split(held, seed ^ 0x5EED);
        }
        bool needsHeldOut = _options.KeepBestEpoch || _options.EarlyStoppingPatience > 0 || _options.Calibrate
            || _options.OutOfDistributionFalseAlarmRate is not null || _options.Coverage is not null;
        if (needsHeldOut && heldOut is null)
            throw new ArgumentException(
                "KeepBestEpoch, EarlyStoppingPatience, Calibrate, OutOfDistributionFalseAlarmRate and Coverage use held-out rows: set " +
                "ValidationFraction (e.g. 0.1) or call Fit(train, validation).", nameof(HyperGanEnsembleOptions.ValidationFraction));
        if (heldOut is not null) HeldOutCalibrator.CheckCount(_options, heldOut.Count, heldOutSource);

        using var data = task == TaskKind.Classification
            ? TrainingSet.ForClassification(examples.Features, examples.ClassLabels!, inputShape, examples.Classes)
            : TrainingSet.ForRegression(examples.Features, examples.Targets!, inputShape);
        int outputs = task == TaskKind.Classification ? data.Classes : 1;
        var target = _options.Target ?? (_options.TargetFactory is { } factory ? Built(factory, outputs) : DefaultTarget(inputShape, task, outputs));
        if (target.OutputSize != outputs)
            throw new ArgumentException($"Target '{target.Name}' outputs {target.OutputSize} values but the {task} needs " +
                $"{outputs}{(task == TaskKind.Classification ? $" (label '{_options.LabelColumnName}' has {outputs} classes)" : "")}. " +
                "Size its last layer accordingly, or set TargetFactory = outputs => ... to build the network from the number Fit finds.",
                    nameof(HyperGanEnsembleOptions.Target));
        if (!target.InputShape.SequenceEqual(inputShape))
            throw new ArgumentException($"Target '{target.Name}' reads inputs of shape [{string.Join(", ", target.InputShape)}] but column " +
                $"'{_options.FeatureColumnName}' holds [{string.Join(", ", inputShape)}] per row. " +
                "Build the target for that shape, or set ImageShape to the shape the target reads (with the same number of values).",
                    nameof(HyperGanEnsembleOptions.Target));

        using var ch = host?.Start("Fit");
        var device = DeviceSelection.Resolve(_env, ch);
        ch?.Info(MessageSensitivity.Unknown, $"HyperGAN: {TaskChoice(task, labelColumn.Type, data.Classes)}");
        ch?.Info(MessageSensitivity.Unknown, $"HyperGAN: {data.Count:N0} rows{(heldOut is null ? "" : $" ({heldOut.Count:N0} more held out)")}, " +
            $"target {target}, seed {seed}, device {device}");
        var progress = new ChannelProgress(ch);
        var monitor = heldOut is null ? null
            : new EpochValidation(heldOut, _options.EnsembleSize, seed ^ 0xE90C, _options.ScoringBatchSize, _options.KeepBestEpoch,
                _options.EarlyStoppingPatience, line => ch?.Info(MessageSensitivity.Unknown, line));
        var model = HyperGanTrainer.Fit(target, data, TrainingOptions(_options, task, seed), progress, device,
            epochCompleted: monitor is null ? null : monitor.OnEpoch, cancellationToken: _options.CancellationToken);
        monitor?.RestoreBest(model);
        ch?.Info(MessageSensitivity.Unknown, $"HyperGAN: trained in {progress.Elapsed.TotalSeconds:F1} s");
        var scorer = EnsembleScorer.Create(model, _options.EnsembleSize, _options.FreezeEnsemble, inputShape, seed);
        if (heldOut is not null)
        {
            scorer.Calibration = HeldOutCalibrator.Fit(scorer, heldOut, _options, task == TaskKind.Regression, seed ^ 0xCA1);
            ch?.Info(MessageSensitivity.Unknown, $"HyperGAN: {scorer.Calibration.Describe()}");
        }
        return new HyperGanEnsembleTransformer(model, _options, inputShape, keyValues, scorer, monitor?.History.ToArray() ?? []);
    }

    int[] InputShape(VectorDataViewType features)
    {
        if (_options.ImageShape is { } declared)
        {
            int expected = declared.Aggregate(1, (a, b) => a * b);
            if (expected != features.Size)
                throw new ArgumentException(
                    $"ImageShape [{string.Join(", ", declared)}] holds {expected} values but column '{_options.FeatureColumnName}' has " +
                    $"{features.Size}. Set ImageShape to the resized image's [channels, height, width], or to null to use the column's dimensions.",
                    nameof(HyperGanEnsembleOptions.ImageShape));
            return declared;
        }
        return features.Dimensions.Select(d => d).ToArray();
    }

    static TargetNetwork Built(Func<int, TargetNetwork> factory, int outputs)
    {
        var target = factory(outputs)
            ?? throw new ArgumentException($"TargetFactory returned null for {outputs} outputs.", nameof(HyperGanEnsembleOptions.TargetFactory));
        if (target.OutputSize != outputs)
            throw new ArgumentException($"TargetFactory was asked for a network with {outputs} outputs but built '{target.Name}' with " +
                $"{target.OutputSize}; size the last layer from the factory's argument.", nameof(HyperGanEnsembleOptions.TargetFactory));
        return target;
    }

    static TargetNetwork DefaultTarget(int[] shape, TaskKind task, int outputs)
    {
        if (shape.Length == 1) return TargetNetworks.Mlp(shape[0], outputs);
        if (task == TaskKind.Classification && shape.SequenceEqual([1, 28, 28])) return TargetNetworks.MnistCnn(outputs);
        if (task == TaskKind.Classification && shape.SequenceEqual([3, 32, 32])) return TargetNetworks.CifarCnn(outputs);
        throw new ArgumentException(
            $"No default target network for input shape [{string.Join(", ", shape)}] ({task}); set Target or TargetFactory (built-ins: " +
            $"TargetNetworks.MnistCnn for [1, 28, 28], CifarCnn for [3, 32, 32], Mlp for [features]) or resize the images to one of those shapes.",
            nameof(HyperGanEnsembleOptions.Target));
    }

    sealed class ChannelProgress(IChannel? channel) : IProgress<TrainingProgress>
    {
        public TimeSpan Elapsed { get; private set; }
        public void Report(TrainingProgress p)
        {
            Elapsed = p.Elapsed;
            if (channel is null) return;
            if (p.Phase == TrainingPhase.Train && p.Step == p.Steps)
                channel.Info(MessageSensitivity.Unknown, $"HyperGAN: epoch {p.Epoch}/{p.Epochs}, task loss {p.TaskLoss:F4}, adversarial " +
                    $"{p.AdversarialLoss:F3}, discriminator {p.DiscriminatorLoss:F3}, {p.Elapsed.TotalSeconds:F1} s");
        }
    }
}
