using HyperGan.ML.Engine.Targets;
using TorchSharp;
using static TorchSharp.torch;

namespace HyperGan.ML.Engine.Training;

/// <summary>
/// Examples held as CPU tensors: <see cref="Features"/> [N, ...input shape] (float32) and <see cref="Targets"/>
/// ([N] int64 class indices, or [N] float32 regression targets). Validated on creation.
/// </summary>
public sealed class TrainingSet : IDisposable
{
    /// <summary>Inputs, [N, ...input shape].</summary>
    public Tensor Features { get; }
    /// <summary>Class indices (int64) or regression targets (float32), [N].</summary>
    public Tensor Targets { get; }
    /// <summary>Task the targets are for.</summary>
    public TaskKind Task { get; }
    /// <summary>Number of classes (classification) or 1 (regression).</summary>
    public int Classes { get; }
    /// <summary>Number of examples.</summary>
    public int Count => (int)Features.shape[0];

    TrainingSet(Tensor features, Tensor targets, TaskKind task, int classes)
    {
        Features = features;
        Targets = targets;
        Task = task;
        Classes = classes;
    }

    /// <summary>Classification examples: <paramref name="features"/> is N × prod(<paramref name="inputShape"/>) row-major values.</summary>
    /// <exception cref="ArgumentException">Sizes disagree, a value is NaN/∞, a label is outside [0, classes), or fewer than 2 classes
    /// occur.</exception>
    public static TrainingSet ForClassification(float[] features, int[] labels, int[] inputShape, int classes)
    {
        if (classes < 2) throw new ArgumentOutOfRangeException(nameof(classes), classes, "Classification needs at least 2 classes.");
        CheckFeatures(features, labels.Length, inputShape);
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] < 0 || labels[i] >= classes)
                throw new ArgumentException($"Label {labels[i]} of example {i} is outside [0, {classes}). Map labels to 0..{classes - 1} first.",
                    nameof(labels));
        if (labels.Distinct().Count() < 2)
            throw new ArgumentException($"All {labels.Length} examples have the same label ({labels[0]}); a classifier needs at least two " +
                $"classes in its training data.", nameof(labels));
        return new TrainingSet(MakeFeatures(features, labels.Length, inputShape),
            tensor(labels.Select(l => (long)l).ToArray()), TaskKind.Classification, classes);
    }

    /// <summary>Regression examples with one float target each.</summary>
    /// <exception cref="ArgumentException">Sizes disagree or a value is NaN/∞.</exception>
    public static TrainingSet ForRegression(float[] features, float[] targets, int[] inputShape)
    {
        CheckFeatures(features, targets.Length, inputShape);
        int bad = Array.FindIndex(targets, t => !float.IsFinite(t));
        if (bad >= 0) throw new ArgumentException($"Target of example {bad} is {targets[bad]}; targets must be finite.", nameof(targets));
        return new TrainingSet(MakeFeatures(features, targets.Length, inputShape), tensor(targets), TaskKind.Regression, 1);
    }

    /// <summary>Throws when this set does not fit <paramref name="target"/>'s input shape or output size, or the target's last layer has an
    /// activation.</summary>
    public void CheckFits(TargetNetwork target)
    {
        target.CheckOutputLayer();
        var shape = Features.shape.Skip(1).Select(d => (int)d).ToArray();
        if (!shape.SequenceEqual(target.InputShape))
            throw new ArgumentException($"Training examples have shape [{string.Join(", ", shape)}] but target '{target.Name}' expects " +
                $"[{string.Join(", ", target.InputShape)}].");
        if (Task == TaskKind.Classification && target.OutputSize != Classes)
            throw new ArgumentException(
                $"The data has {Classes} classes but target '{target.Name}' outputs {target.OutputSize}; build the target with {Classes} outputs.");
        if (Task == TaskKind.Regression && target.OutputSize != 1)
            throw new ArgumentException($"Regression needs a target with 1 output; '{target.Name}' has {target.OutputSize}.");
    }

    static void CheckFeatures(float[] features, int count, int[] inputShape)
    {
        if (count == 0) throw new ArgumentException("The training data is empty; provide at least one example per class.");
        int size = inputShape.Aggregate(1, (a, b) => a * b);
        if (features.Length != (long)count * size)
            throw new ArgumentException($"Expected {count} examples × {size} values ([{string.Join(", ", inputShape)}]) = {(long)count * size} " +
                $"feature values but got {features.Length}.", nameof(features));
        int bad = Array.FindIndex(features, v => !float.IsFinite(v));
        if (bad >= 0)
            throw new ArgumentException($"Feature value {bad % size} of example {bad / size} is {features[bad]}; features must be finite " +
                $"(replace or drop missing values first).", nameof(features));
    }

    // One tensor with its final shape: tensor(features).view(...) would leave the flat tensor to the finalizer.
    static Tensor MakeFeatures(float[] features, int count, int[] inputShape) =>
        tensor(features, [count, .. inputShape.Select(d => (long)d)]);

    /// <inheritdoc/>
    public void Dispose()
    {
        Features.Dispose();
        Targets.Dispose();
    }
}
