using static TorchSharp.torch;

namespace HyperGan.ML.Engine.Data;

/// <summary>
/// Images with integer labels, pixels scaled to [0, 1] and stored as N × (C·H·W) floats, channel planes first —
/// the layout <see cref="Training.TrainingSet.ForClassification"/> takes.
/// </summary>
public sealed record LabeledImages(float[] Pixels, int[] Labels, int Height, int Width)
{
    /// <summary>Colour channels (1 for grayscale, 3 for RGB).</summary>
    public int Channels { get; init; } = 1;
    /// <summary>Number of images.</summary>
    public int Count => Labels.Length;
    /// <summary>Input shape [C, H, W].</summary>
    public int[] Shape => [Channels, Height, Width];

    /// <summary>The pixels as a tensor of shape [N, C, H, W], the input layout of the target networks.</summary>
    public Tensor ToTensor() => tensor(Pixels, [Count, Channels, Height, Width]);

    /// <summary>Loads an IDX image file and its label file (MNIST, Fashion-MNIST, notMNIST layout).</summary>
    /// <exception cref="InvalidDataException">The two files disagree on the number of examples.</exception>
    public static LabeledImages LoadIdx(string imagesPath, string labelsPath)
    {
        var (count, rows, cols, pixels) = IdxFile.ReadImages(imagesPath);
        var labels = IdxFile.ReadLabels(labelsPath);
        if (labels.Length != count)
            throw new InvalidDataException($"'{imagesPath}' holds {count} images but '{labelsPath}' holds {labels.Length} labels.");
        return new LabeledImages(pixels.Select(p => p / 255f).ToArray(), labels, rows, cols);
    }

    /// <summary>The examples at <paramref name="indices"/>, in that order.</summary>
    public LabeledImages Subset(IReadOnlyList<int> indices)
    {
        int size = Channels * Height * Width;
        var pixels = new float[indices.Count * size];
        for (int i = 0; i < indices.Count; i++)
            Array.Copy(Pixels, (long)indices[i] * size, pixels, (long)i * size, size);
        return new LabeledImages(pixels, indices.Select(i => Labels[i]).ToArray(), Height, Width) { Channels = Channels };
    }
}
