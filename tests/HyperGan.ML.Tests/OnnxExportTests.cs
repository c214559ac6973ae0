using HyperGan.ML.Engine.Targets;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit;
using Xunit.Abstractions;

namespace HyperGan.ML.Tests;

/// <summary>
/// A fitted transformer exported to ONNX and scored by ONNX Runtime through ML.NET's ApplyOnnxModel gives the
/// transformer's own columns (1e-5 on probabilities, 1e-4 on entropy and disagreement), and the ApplyOnnxModel pipeline
/// is an ordinary ML.NET model that mlContext.Model.Save / Load round-trip.
/// </summary>
[Trait(Speed.Trait, Speed.Slow)] // trains networks or runs apps: left out of the fast inner loop (CONTRIBUTING.md)
public class OnnxExportTests(ITestOutputHelper output, DecisionTests.Trained calibrated)
    : IClassFixture<DecisionTests.Trained>
{
    public sealed class Vector
    {
        [VectorType(784)] public float[] Features { get; set; } = [];
        public string Label { get; set; } = "";
    }

    public sealed class Point
    {
        [VectorType(1)] public float[] Features { get; set; } = [];
        public float Label { get; set; }
    }

    static readonly string[] ClassOutputs = ["Score", "PredictiveEntropy", "Disagreement"];

    /// <summary>Columns <paramref name="names"/> of <paramref name="data"/> as flat float arrays per row.</summary>
    static List<float[]> Read(IDataView data, string[] names)
    {
        var rows = new List<float[]>();
        using var cursor = data.GetRowCursor(names.Select(n => data.Schema[n]));
        var getters = names.Select(n => data.Schema[n].Type is VectorDataViewType
            ? (Func<float[]>)Vector(cursor.GetGetter<VBuffer<float>>(data.Schema[n]))
            : Scalar(cursor.GetGetter<float>(data.Schema[n]))).ToArray();
        while (cursor.MoveNext()) rows.Add(getters.SelectMany(g => g()).ToArray());
        return rows;

        static Func<float[]> Vector(ValueGetter<VBuffer<float>> g) => () =>
            { VBuffer<float> v = default; g(ref v); return v.DenseValues().ToArray(); };
        static Func<float[]> Scalar(ValueGetter<float> g) => () => { float v = 0; g(ref v); return [v]; };
    }

    /// <summary>Exports <paramref name="model"/>, scores <paramref name="data"/> both ways and returns the largest differences per output.</summary>
    double[] Compare(MLContext ml, HyperGanEnsembleTransformer model, IDataView data, string[] outputs, int[] widths, string path)
    {
        model.ExportToOnnx(path);
        var onnx = ml.Transforms.ApplyOnnxModel(outputs, ["Features"], path).Fit(data);
        var expected = Read(model.Transform(data), outputs);
        var actual = Read(onnx.Transform(data), outputs);
        Assert.Equal(expected.Count, actual.Count);
        var worst = new double[outputs.Length];
        for (int r = 0; r < expected.Count; r++)
        {
            Assert.Equal(expected[r].Length, actual[r].Length);
            for (int o = 0, at = 0; o < outputs.Length; at += widths[o], o++)
                for (int i = at; i < at + widths[o]; i++) worst[o] = Math.Max(worst[o], Math.Abs(expected[r][i] - actual[r][i]));
        }
        output.WriteLine(
            $"{model.Model.Target.Name}, {model.Scorer.Members} networks, {new FileInfo(path).Length:N0} bytes: largest |ONNX − TorchSharp| " +
                         string.Join(", ", outputs.Select((n, o) => $"{n} {worst[o]:E1}")));
        return worst;
    }

    /// <summary>Fits <paramref name="options"/> on <paramref name="trainCount"/> real digits; returns it and <paramref name="testCount"/> other
    /// digits, keyed.</summary>
    static (HyperGanEnsembleTransformer Model, IDataView Test) FitOnDigits(MLContext ml, int seed, int trainCount, int testCount,
        HyperGanEnsembleOptions options)
    {
        var (train, test) = Fixtures.MnistSlice(trainCount, testCount, seed);
        IDataView View(Engine.Data.LabeledImages images) => ml.Data.LoadFromEnumerable(Enumerable.Range(0, images.Count)
            .Select(i => new Vector { Features = images.Pixels.AsSpan(i * 784, 784).ToArray(), Label = $"{images.Labels[i]}" }));
        var keys = ml.Transforms.Conversion.MapValueToKey("Label").Fit(View(train));
        options.Seed = seed;
        return (ml.Transforms.HyperGanEnsemble(options).Fit(keys.Transform(View(train))), keys.Transform(View(test)));
    }

    static HyperGanEnsembleOptions Tiny(int networks, int[]? imageShape = null) => new()
    {
        ImageShape = imageShape, EnsembleSize = networks, Epochs = 1, BatchSize = 32, NetworksPerStep = 4, NoiseDim = 16, CodeDim = 16,
        HiddenUnits = 32, LearningRate = 1e-3, MixerLearningRate = 1e-3,
    };

    [Fact]
    public void The_calibrated_MNIST_CNN_exports_to_ONNX_scores_the_same_through_ApplyOnnxModel_and_the_pipeline_saves_with_Model_Save()
    {
        using var dir = new TempFolder("hg-onnx-");
        var path = dir.File("mnist.onnx");
        var data = calibrated.View(calibrated.Pool.Subset(Enumerable.Range(0, 300).ToArray()));
        var worst = Compare(calibrated.Ml, calibrated.Model, data, ClassOutputs, [10, 1, 1], path);
        Assert.True(worst[0] <= 1e-5 && worst[1] <= 1e-4 && worst[2] <= 1e-4, $"differences {string.Join(", ", worst)}");
        Assert.NotEqual(1, calibrated.Model.Calibration!.Temperature); // the calibrated Score is what was compared: temperature and
        Assert.False(calibrated.Model.Calibration.TopLabel.IsIdentity);  // top-label map (the default CalibrationMethod) both in the graph

        // An ordinary ML.NET pipeline: Model.Save and Model.Load round-trip it, scores identical.
        var onnx = calibrated.Ml.Transforms.ApplyOnnxModel(ClassOutputs, ["Features"], path).Fit(data);
        var saved = dir.File("onnx-pipeline.zip");
        calibrated.Ml.Model.Save(onnx, data.Schema, saved);
        var loaded = new MLContext(seed: 3).Model.Load(saved, out _);
        Assert.Equal(Read(onnx.Transform(data), ClassOutputs).SelectMany(r => r), Read(loaded.Transform(data), ClassOutputs).SelectMany(r => r));
    }

    [Fact]
    public void An_app_without_TorchSharp_scores_the_exported_model_and_its_saved_ML_NET_pipeline_identically_and_loads_no_libtorch()
    {
        using var dir = new TempFolder("hg-onnx-consumer-");
        var images = calibrated.Pool.Subset(Enumerable.Range(0, 300).ToArray());
        var data = calibrated.View(images);
        var modelPath = dir.File("mnist.onnx");
        calibrated.Model.ExportToOnnx(modelPath);
        var expected = Read(calibrated.Ml.Transforms.ApplyOnnxModel(ClassOutputs,
            ["Features"], modelPath).Fit(data).Transform(data), ClassOutputs).SelectMany(r => r).ToArray();
        var rows = dir.File("rows.bin");
        File.WriteAllBytes(rows, System.Runtime.InteropServices.MemoryMarshal.AsBytes(images.Pixels.AsSpan()).ToArray());

        var consumer = Path.Combine(TestData.RepoRoot, "samples", "OnnxConsumer");
        ChildProcess.Dotnet(consumer, ChildProcess.HangGuard, "build", "-c", "Release");
        var app = Path.Combine(consumer, "bin", "Release", "net10.0", "OnnxConsumer.dll");
        foreach (var model in new[] { modelPath, modelPath + ".zip" }) // the .onnx first: it saves the ML.NET pipeline the second run loads
        {
            var scores = dir.File(Path.GetFileName(model) + ".scores");
            var stdout = ChildProcess.Dotnet(consumer, ChildProcess.HangGuard, app, model, rows, "784", scores);
            output.WriteLine(stdout);
            Assert.Contains("libtorch libraries loaded: none", stdout);
            // bit for bit
            Assert.Equal(expected, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(scores)).ToArray());
        }
        Assert.DoesNotContain(Directory.GetFiles(Path.GetDirectoryName(app)!, "*", SearchOption.AllDirectories), f =>
            Path.GetFileName(f).Contains("torch", StringComparison.OrdinalIgnoreCase));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(10)]
    [InlineData(100)]
    public void An_MLP_classifier_of_N_networks_exports_to_ONNX_and_scores_the_same(int networks)
    {
        var ml = new MLContext(seed: 2);
        var options = Tiny(networks);
        options.TargetFactory = classes => new TargetNetwork("mlp-2", [784], [new LinearLayer(784, 32) { Activation = Activation.Tanh },
            new LinearLayer(32, 16) { Activation = Activation.Elu }, new LinearLayer(16, classes) { Activation = Activation.None }]);
        var (model, test) = FitOnDigits(ml, 2, 600, 200, options);
        AssertSame(ml, model, test, "mlp.onnx");
    }

    public sealed class DecodedImage
    {
        public float[] Features { get; set; } = [];
        public string Label { get; set; } = "";
    }

    public sealed class Image
    {
        [VectorType(3 * 32 * 32)] public float[] Features { get; set; } = [];
        public uint Label { get; set; }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(10)]
    [InlineData(100)]
    public void The_CIFAR_CNN_of_N_networks_exports_to_ONNX_and_scores_the_same(int networks)
    {
        var ml = new MLContext(seed: 5);
        var root = TestData.Data("cifar10-slice"); // real JPEGs, 2 classes, decoded by ML.NET ImageAnalytics
        Image[] Decode(string split)
        {
            var rows = ml.Data.LoadFromEnumerable(ImagePipelineTests.CifarRows(root, split));
            var pixels = ml.Transforms.LoadImages("Image", root, nameof(ImagePipelineTests.ImageRow.ImagePath))
                .Append(ml.Transforms.ResizeImages("Image", imageWidth: 32, imageHeight: 32))
                .Append(ml.Transforms.ExtractPixels("Features", "Image", scaleImage: 1 / 255f)).Fit(rows).Transform(rows);
            return ml.Data.CreateEnumerable<DecodedImage>(pixels, reuseRowObject: false)
                .Select(d => new Image { Features = d.Features, Label = d.Label == "airplane" ? 0u : 1u }).ToArray();
        }
        var (trainImages, testImages) = (Decode("train"), Decode("test"));
        IDataView View(IEnumerable<Image> images) => ml.Data.LoadFromEnumerable(images);
        var model = ml.Transforms.HyperGanEnsemble(new HyperGanEnsembleOptions
        {
            ImageShape = [3, 32, 32], EnsembleSize = networks, Epochs = 1, BatchSize = 32, NetworksPerStep = 4, NoiseDim = 16, CodeDim = 16,
            HiddenUnits = 32, LearningRate = 1e-3, MixerLearningRate = 1e-3, Seed = 5,
        }).Fit(ml.Transforms.Conversion.MapValueToKey("Label").Fit(View(trainImages)).Transform(View(trainImages)));
        Assert.Equal("cifar-cnn", model.Model.Target.Name);
        using var dir = new TempFolder("hg-onnx-");
        var test = View(testImages.Where((_, i) => i % 2 == 0)); // 100 of 200: both classes
        var worst = Compare(ml, model, test, ClassOutputs, [2, 1, 1], dir.File("cifar.onnx"));
        Assert.True(worst[0] <= 1e-5 && worst[1] <= 1e-4 && worst[2] <= 1e-4, $"differences {string.Join(", ", worst)}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(10)]
    [InlineData(100)]
    public void A_regressor_of_N_networks_exports_to_ONNX_with_the_same_mean_and_spread(int networks)
    {
        var ml = new MLContext(seed: 3);
        var (x, y) = Fixtures.CubicRegression(seed: 1, count: 200);
        var train = ml.Data.LoadFromEnumerable(x.Zip(y, (a, b) => new Point { Features = [a], Label = b / 30 }));
        var model = ml.Transforms.HyperGanEnsemble(new HyperGanEnsembleOptions
        {
            EnsembleSize = networks, Epochs = 5, BatchSize = 32, NetworksPerStep = 8, NoiseDim = 16, CodeDim = 16, HiddenUnits = 32, Seed = 3,
        }).Fit(train);
        var grid = ml.Data.LoadFromEnumerable(Fixtures.RegressionGrid.Select(g => new Point { Features = [g] }));
        using var dir = new TempFolder("hg-onnx-");
        var worst = Compare(ml, model, grid, ["Score", "StdDev"], [1, 1], dir.File("regression.onnx"));
        Assert.True(worst[0] <= 1e-5 && worst[1] <= 1e-5, $"differences {string.Join(", ", worst)}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(10)]
    [InlineData(100)]
    public void The_MNIST_CNN_of_N_networks_exports_to_ONNX_and_scores_the_same(int networks)
    {
        var ml = new MLContext(seed: 6);
        var (model, test) = FitOnDigits(ml, 6, 600, 100, Tiny(networks, [1, 28, 28]));
        Assert.Equal("mnist-cnn", model.Model.Target.Name);
        AssertSame(ml, model, test, "mnist.onnx");
    }

    // Its 4- and 6-channel convolutions diverged to NaN in 2 fits of 3 on 2026-12-01 before TargetOps.Conv2d routed
    // their input gradients around libtorch's wrong CPU kernel.
    [Fact]
    public void A_custom_CNN_with_stride_padding_no_bias_and_every_activation_exports_to_ONNX_and_scores_the_same()
    {
        var ml = new MLContext(seed: 7);
        var options = Tiny(7, [1, 28, 28]);
        options.TargetFactory = classes => new TargetNetwork("custom-cnn", [1, 28, 28],
        [
            new Conv2dLayer(1, 4, 3) { Stride = 2, Padding = 1, Activation = Activation.Relu },                  // 28 → 14
            new Conv2dLayer(4, 6, 3) { Padding = 1, MaxPool = 2, Activation = Activation.Tanh, HasBias = false }, // 14 → 7
            new Conv2dLayer(6, 6, 2) { Activation = Activation.Elu },                                            // 7 → 6
            new LinearLayer(6 * 6 * 6, 16) { Activation = Activation.LeakyRelu, HasBias = false },
            new LinearLayer(16, classes) { Activation = Activation.None },
        ]);
        var (model, test) = FitOnDigits(ml, 7, 400, 100, options);
        AssertSame(ml, model, test, "custom.onnx");
    }

    void AssertSame(MLContext ml, HyperGanEnsembleTransformer model, IDataView test, string file)
    {
        using var dir = new TempFolder("hg-onnx-");
        var worst = Compare(ml, model, test, ClassOutputs, [model.Classes, 1, 1], dir.File(file));
        Assert.True(worst[0] <= 1e-5 && worst[1] <= 1e-4 && worst[2] <= 1e-4, $"differences {string.Join(", ", worst)}");
    }

    [Fact]
    public void A_damaged_ONNX_file_fails_with_ONNX_Runtimes_own_error()
    {
        using var dir = new TempFolder("hg-onnx-");
        var path = dir.File("mnist.onnx");
        calibrated.Model.ExportToOnnx(path);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes.AsSpan(0, bytes.Length / 2).ToArray()); // truncated
        var data = calibrated.View(calibrated.Pool.Subset([0, 1]));
        var e = Assert.ThrowsAny<Exception>(() =>
            calibrated.Ml.Transforms.ApplyOnnxModel(ClassOutputs, ["Features"], path).Fit(data).Transform(data).Preview());
        output.WriteLine($"{e.GetType().Name}: {e.Message}");
        Assert.Contains("onnx", (e.Message + e.InnerException?.Message).ToLowerInvariant());
    }

    [Fact]
    public void A_fresh_sampling_transformer_cannot_be_exported_and_says_why()
    {
        var ml = new MLContext(seed: 4);
        var (x, y) = Fixtures.CubicRegression(seed: 1, count: 50);
        var model = ml.Transforms.HyperGanEnsemble(new HyperGanEnsembleOptions
        {
            EnsembleSize = 3, Epochs = 1, NoiseDim = 8, CodeDim = 8, HiddenUnits = 16, FreezeEnsemble = false, Seed = 4,
        }).Fit(ml.Data.LoadFromEnumerable(x.Zip(y, (a, b) => new Point { Features = [a], Label = b / 30 })));
        using var dir = new TempFolder("hg-onnx-");
        Expect.Fails<InvalidOperationException>(output, "export of a fresh-sampling ensemble",
            () => model.ExportToOnnx(dir.File("x.onnx")), "FreezeEnsemble");
        Assert.Empty(Directory.GetFiles(dir.Path)); // nothing half-written
    }
}
