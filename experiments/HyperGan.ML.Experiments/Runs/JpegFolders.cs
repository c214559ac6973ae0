using HyperGan.ML.Engine.Data;
using SkiaSharp;

namespace HyperGan.ML.Experiments.Runs;

/// <summary>
/// Reads a labelled image set stored as <c>root/&lt;class name&gt;/*.jpg</c> (the CIFAR-10 JPEG layout) into RGB planes
/// in [0, 1]. The label of a class is its index in the given class list.
/// </summary>
public static class JpegFolders
{
    /// <summary>
    /// Loads <paramref name="perClass"/> files of each class in <paramref name="classes"/> (a seeded sample of the
    /// sorted file names; all of them when there are fewer), labelled <c>labelOffset + index</c>. <paramref name="skip"/>
    /// passes over the sample's first files: with the same seed, skip = an earlier call's perClass gives disjoint images.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">A class folder is missing.</exception>
    /// <exception cref="InvalidDataException">A file does not decode or has another size than the first.</exception>
    public static LabeledImages Load(string root, IReadOnlyList<string> classes, int perClass, int seed, int labelOffset = 0, int skip = 0)
    {
        var files = Files(root, classes, perClass, seed, labelOffset, skip);
        int height = 0, width = 0;
        float[] pixels = [];
        for (int i = 0; i < files.Count; i++)
        {
            using var bitmap = SKBitmap.Decode(files[i].Path) ?? throw new InvalidDataException($"'{files[i].Path}' is not a readable image.");
            if (i == 0) { (height, width) = (bitmap.Height, bitmap.Width); pixels = new float[files.Count * 3 * height * width]; }
            if (bitmap.Height != height || bitmap.Width != width)
                throw new InvalidDataException($"'{files[i].Path}' is {bitmap.Width}×{bitmap.Height}; the set's first image is {width}×{height}.");
            var colours = bitmap.Pixels;
            int plane = height * width, offset = i * 3 * plane;
            for (int p = 0; p < plane; p++)
            {
                pixels[offset + p] = colours[p].Red / 255f;
                pixels[offset + plane + p] = colours[p].Green / 255f;
                pixels[offset + 2 * plane + p] = colours[p].Blue / 255f;
            }
        }
        return new LabeledImages(pixels, files.Select(f => f.Label).ToArray(), height, width) { Channels = 3 };
    }

    /// <summary>The files <see cref="Load"/> reads, with their labels, in the order it reads them.</summary>
    internal static List<(string Path, int Label)> Files(string root, IReadOnlyList<string> classes, int perClass, int seed,
        int labelOffset = 0, int skip = 0)
    {
        var files = new List<(string Path, int Label)>();
        for (int c = 0; c < classes.Count; c++)
        {
            var folder = Path.Combine(root, classes[c]);
            if (!Directory.Exists(folder)) throw new DirectoryNotFoundException(
                $"Class folder '{folder}' not found (expected {root}/<class>/*.jpg).");
            var names = Directory.GetFiles(folder, "*.jpg").Order(StringComparer.Ordinal).ToArray();
            new Random(seed + c).Shuffle(names);
            files.AddRange(names.Skip(skip).Take(perClass).Order(StringComparer.Ordinal).Select(f => (f, labelOffset + c)));
        }
        return files;
    }
}
