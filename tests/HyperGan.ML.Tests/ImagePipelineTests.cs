using HyperGan.ML;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using SkiaSharp;
using Xunit;
using Xunit.Abstractions;

namespace HyperGan.ML.Tests;

/// <summary>Image files through ML.NET ImageAnalytics (LoadImages → ResizeImages → ExtractPixels) into the HyperGAN estimator.</summary>
[Trait(Speed.Trait, Speed.Slow)] // trains networks or runs apps: left out of the fast inner loop (CONTRIBUTING.md)
public class ImagePipelineTests(ITestOutputHelper output) : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("hypergan-png-").FullName;

    public sealed class ImageRow
    {
        public string ImagePath { get; set; } = "";
        public string Label { get; set; } = "";
    }

    /// <summary>The vendored CIFAR-10 slice's JPEGs of one split (2 classes, see data/cifar10-slice/PROVENANCE.txt), paths relative to <paramref
    /// name="root"/>.</summary>
    internal static List<ImageRow> CifarRows(string root, string split) => new[] { "airplane", "automobile" }.SelectMany(c =>
        Directory.GetFiles(Path.Combine(root, split, c), "*.jpg").Order(StringComparer.Ordinal)
            .Select(f => new ImageRow { ImagePath = Path.GetRelativePath(root, f), Label = c })).ToList();

    /// <summary>Writes real MNIST digits (vendored data/mnist) as 28×28 grayscale PNG files, one per row.</summary>
    List<ImageRow> WritePngs(HyperGan.ML.Engine.Data.LabeledImages images, string prefix)
    {
        var rows = new List<ImageRow>();
        for (int i = 0; i < images.Count; i++)
        {
            using var bitmap = new SKBitmap(new SKImageInfo(images.Width, images.Height, SKColorType.Gray8, SKAlphaType.Opaque));
            for (int y = 0; y < images.Height; y++)
                for (int x = 0; x < images.Width; x++)
                {
                    byte v = (byte)Math.Round(images.Pixels[i * images.Width * images.Height + y * images.Width + x] * 255);
                    bitmap.SetPixel(x, y, new SKColor(v, v, v));
                }
            var name = $"{prefix}-{i:D4}.png";
            using (var png = bitmap.Encode(SKEncodedImageFormat.Png, 100))
                File.WriteAllBytes(Path.Combine(_dir, name), png.ToArray());
            rows.Add(new ImageRow { ImagePath = name, Label = $"{images.Labels[i]}" });
        }
        return rows;
    }

    [Fact]
    public void LoadImages_Resize_ExtractPixels_HyperGan_on_real_png_digits()
    {
        var (trainImages, testImages) = Fixtures.MnistSlice(1000, 200, seed: 4);
        var ml = new MLContext(seed: 2);
        var train = ml.Data.LoadFromEnumerable(WritePngs(trainImages, "train"));
        var testRows = WritePngs(testImages, "test");
        var test = ml.Data.LoadFromEnumerable(testRows);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.LoadImages("Image", imageFolder: _dir, inputColumnName: nameof(ImageRow.ImagePath)))
            .Append(ml.Transforms.ResizeImages("Image", imageWidth: 28, imageHeight: 28))
            .Append(ml.Transforms.ExtractPixels("Features", "Image", colorsToExtract: ImagePixelExtractingEstimator.ColorBits.Red,
                scaleImage: 1 / 255f))
            .Append(ml.Transforms.HyperGanEnsemble(new HyperGanEnsembleOptions
            {
                ImageShape = [1, 28, 28], EnsembleSize = 10, Epochs = 4, BatchSize = 64, NetworksPerStep = 8,
                LearningRate = 1e-3, MixerLearningRate = 1e-3, NoiseDim = 32, CodeDim = 32, HiddenUnits = 128,
            }));
        var model = pipeline.Fit(train);
        var scored = model.Transform(test);
        Assert.Equal(28 * 28, ((VectorDataViewType)scored.Schema["Features"].Type).Size);
        // The decoded PNG pixels are the MNIST pixels: the round trip through files loses nothing.
        var first = scored.GetColumn<float[]>("Features").First();
        Assert.Equal(testImages.Pixels.Take(784).Select(p => MathF.Round(p * 255)), first.Select(p => MathF.Round(p * 255)));
        var metrics = ml.MulticlassClassification.Evaluate(scored);
        output.WriteLine($"PNG digits, 1,000 train / 200 test: accuracy {metrics.MicroAccuracy:P1}, log-loss {metrics.LogLoss:F3}");
        Assert.True(metrics.MicroAccuracy >= 0.85, $"accuracy {metrics.MicroAccuracy:P1} < 85% (chance 10%)");

        // The whole pipeline — image loading, resizing, pixel extraction, HyperGAN — as one file, scored in a new process.
        var path = Path.Combine(_dir, "digits-from-png.hgpipeline");
        ml.Model.SaveWithHyperGan(model, train.Schema, path);
        var list = Path.Combine(_dir, "test.tsv");
        File.WriteAllLines(list, testRows.Select(r => $"{r.ImagePath}\t{r.Label}"));
        var childScores = Path.Combine(_dir, "child.bin");
        ChildProcess.Run("score-images", path, list, childScores);
        Assert.Equal(Scores.Dump(scored), File.ReadAllBytes(childScores));
        output.WriteLine($"saved pipeline {new FileInfo(path).Length:N0} bytes; a new process scored the 200 PNG files bit-identically");
    }

    [Fact]
    public void LoadImages_Resize_ExtractPixels_HyperGan_on_real_cifar_jpegs()
    {
        var root = TestData.Data("cifar10-slice"); // 2 CIFAR-10 classes, 300 + 100 JPEGs each (see its PROVENANCE.txt)
        List<ImageRow> Rows(string split) => CifarRows(root, split);
        var ml = new MLContext(seed: 3);
        var train = ml.Data.LoadFromEnumerable(Rows("train"));
        var test = ml.Data.LoadFromEnumerable(Rows("test"));
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.LoadImages("Image", imageFolder: root, inputColumnName: nameof(ImageRow.ImagePath)))
            .Append(ml.Transforms.ResizeImages("Image", imageWidth: 32, imageHeight: 32))
            .Append(ml.Transforms.ExtractPixels("Features", "Image", scaleImage: 1 / 255f))
            .Append(ml.Transforms.HyperGanEnsemble(new HyperGanEnsembleOptions
            {
                EnsembleSize = 10, Epochs = 8, BatchSize = 32, NetworksPerStep = 8,
                LearningRate = 1e-3, MixerLearningRate = 2e-3, NoiseDim = 32, CodeDim = 32, HiddenUnits = 128,
            }));
        var model = pipeline.Fit(train);
        var hypergan = (HyperGanEnsembleTransformer)model.LastTransformer;
        Assert.Equal("cifar-cnn", hypergan.Model.Target.Name); // picked from ExtractPixels' [3, 32, 32] dimensions
        Assert.Equal([3, 32, 32], hypergan.InputShape);
        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(test));
        output.WriteLine(
            $"CIFAR-10 JPEGs, airplane vs automobile, 600 train / 200 test: accuracy {metrics.MicroAccuracy:P1}, log-loss {metrics.LogLoss:F3}");
        Assert.True(metrics.MicroAccuracy >= 0.72, $"accuracy {metrics.MicroAccuracy:P1} < 72% (chance 50%)");
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
