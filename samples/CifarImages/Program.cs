// HyperGan.ML sample: CIFAR-10 JPEG files through ML.NET ImageAnalytics into a HyperGAN ensemble.
// LoadImages → ResizeImages(32×32) → ExtractPixels (planar RGB in [0, 1]) → HyperGanEnsemble (the paper's CIFAR CNN,
// picked from the [3, 32, 32] pixel column). Trains on a class-balanced subset of the training JPEGs, scores held-out
// test JPEGs, prints per-class accuracy and the 10 test images the ensemble is least sure about (highest predictive
// entropy), then saves the whole pipeline to one file, reloads it and checks the scores are identical.
using System.CommandLine;
using System.Diagnostics;
using HyperGan.ML;
using Microsoft.ML;
using Microsoft.ML.Data;
using Spectre.Console;

var data = new Option<DirectoryInfo?>("--data")
{
    Description = "CIFAR-10 as JPEG files: <data>/train/<class>/*.jpg and " +
    "<data>/test/<class>/*.jpg. Default: ../shared/data/cifar10 next to the repository."
};
var trainPerClass = new Option<int>("--train-per-class")
{
    Description = "Training images per class (first N files, sorted).",
    DefaultValueFactory = _ => 500
};
var testPerClass = new Option<int>("--test-per-class") { Description = "Test images per class.", DefaultValueFactory = _ => 100 };
var epochs = new Option<int>("--epochs") { Description = "Training epochs.", DefaultValueFactory = _ => 5 };
var ensemble = new Option<int>("--ensemble") { Description = "Networks sampled to score each image.", DefaultValueFactory = _ => 10 };
var seed = new Option<int>("--seed") { Description = "MLContext seed (training and sampling).", DefaultValueFactory = _ => 1 };
var save = new Option<FileInfo?>("--save") { Description = "Where to save the fitted pipeline (default: a temporary file, deleted at the end)." };
var root = new RootCommand("HyperGan.ML on CIFAR-10 JPEG files through ML.NET ImageAnalytics.") { data, trainPerClass, testPerClass, epochs, ensemble,
    seed, save };
root.SetAction(parse => CifarSample.Run(parse.GetValue(data), parse.GetValue(trainPerClass), parse.GetValue(testPerClass),
    parse.GetValue(epochs), parse.GetValue(ensemble), parse.GetValue(seed), parse.GetValue(save)));
return root.Parse(args).Invoke();

/// <summary>One image file: its path relative to the data folder and its class name (the folder name).</summary>
public sealed class ImageFile
{
    public string ImagePath { get; set; } = "";
    public string Label { get; set; } = "";
}

/// <summary>What the sample reads back for each scored test image.</summary>
public sealed class ScoredImage
{
    public string ImagePath { get; set; } = "";
    public string Label { get; set; } = "";
    public string PredictedClass { get; set; } = "";
    public float PredictiveEntropy { get; set; }
    public float Disagreement { get; set; }
    public float[] Score { get; set; } = [];
}

static class CifarSample
{
    public static int Run(DirectoryInfo? dataOption, int trainPerClass, int testPerClass, int epochs, int ensembleSize, int seed,
        FileInfo? saveOption)
    {
        var clock = Stopwatch.StartNew();
        if (!AnsiConsole.Profile.Capabilities.Interactive) AnsiConsole.Profile.Width = 160; // logs: don't wrap at 80 columns
        var dataDir = dataOption?.FullName ?? DefaultDataFolder();
        if (dataDir is null || !Directory.Exists(Path.Combine(dataDir, "train")) || !Directory.Exists(Path.Combine(dataDir, "test")))
        {
            AnsiConsole.MarkupLine(
                "[red]CIFAR-10 JPEG folder not found.[/] Pass --data <folder> containing train/<class>/*.jpg and test/<class>/*.jpg.");
            return 2;
        }
        var classes = Directory.GetDirectories(Path.Combine(dataDir, "train")).Select(Path.GetFileName).Order().ToArray();
        List<ImageFile> Files(string split, int perClass) => classes.SelectMany(c =>
            Directory.GetFiles(Path.Combine(dataDir, split, c!), "*.jpg").Order().Take(perClass)
                .Select(f => new ImageFile { ImagePath = Path.GetRelativePath(dataDir, f), Label = c! })).ToList();
        var trainFiles = Files("train", trainPerClass);
        var testFiles = Files("test", testPerClass);
        AnsiConsole.MarkupLine($"CIFAR-10 JPEGs from [blue]{Markup.Escape(dataDir)}[/]: {trainFiles.Count:N0} training, {testFiles.Count:N0} " +
            $"test images, {classes.Length} classes; seed {seed}.");

        var ml = new MLContext(seed);
        ml.Log += (_, e) => { if (e.RawMessage.StartsWith("HyperGAN:", StringComparison.Ordinal)) AnsiConsole.WriteLine($"  {e.RawMessage}"); };
        var train = ml.Data.LoadFromEnumerable(trainFiles);
        var test = ml.Data.LoadFromEnumerable(testFiles);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("LabelKey", "Label")
            .Append(ml.Transforms.LoadImages("Image", imageFolder: dataDir, inputColumnName: nameof(ImageFile.ImagePath)))
            .Append(ml.Transforms.ResizeImages("Image", imageWidth: 32, imageHeight: 32))
            .Append(ml.Transforms.ExtractPixels("Features", "Image", scaleImage: 1 / 255f))
            .Append(ml.Transforms.HyperGanEnsemble(new HyperGanEnsembleOptions
            {
                LabelColumnName = "LabelKey",
                EnsembleSize = ensembleSize,
                Epochs = epochs,
                // Sized to train in minutes on a 2-core CPU: smaller generators than the paper's 512 units, and a
                // higher learning rate to match (see docs/hypergan-method.md for the paper's settings).
                NoiseDim = 32, CodeDim = 32, HiddenUnits = 128,
                BatchSize = 32, NetworksPerStep = 8, LearningRate = 1e-3, MixerLearningRate = 2e-3,
                // Everything else is the library's default, which also serves natural images: Adam's usual betas, no
                // discriminator, and a diversity weight that shrinks while the networks misfit (docs/diversity.md).
            }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedClass", "PredictedLabel"));
        var model = pipeline.Fit(train);
        var scored = model.Transform(test);

        var metrics = ml.MulticlassClassification.Evaluate(scored, labelColumnName: "LabelKey");
        var rows = ml.Data.CreateEnumerable<ScoredImage>(scored, reuseRowObject: false).ToList();
        var perClass = new Table().AddColumns("class", "test images", "accuracy", "mean entropy");
        foreach (var c in classes)
        {
            var of = rows.Where(r => r.Label == c).ToList();
            perClass.AddRow(c!, $"{of.Count}", $"{of.Count(r => r.PredictedClass == c) / (double)of.Count:P1}",
                $"{of.Average(r => r.PredictiveEntropy):F3}");
        }
        perClass.AddRow("[bold]all[/]", $"{rows.Count}", $"[bold]{metrics.MicroAccuracy:P1}[/]", $"{rows.Average(r => r.PredictiveEntropy):F3}");
        AnsiConsole.Write(perClass);
        AnsiConsole.MarkupLine($"{ensembleSize} sampled networks; log-loss {metrics.LogLoss:F3}; chance is {1.0 / classes.Length:P0}.");

        var uncertain = new Table().AddColumns("image", "label", "predicted", "entropy", "disagreement");
        foreach (var r in rows.OrderByDescending(r => r.PredictiveEntropy).Take(10))
            uncertain.AddRow(Markup.Escape(r.ImagePath), r.Label, r.PredictedClass, $"{r.PredictiveEntropy:F3}", $"{r.Disagreement:F3}");
        AnsiConsole.MarkupLine($"The 10 test images with the highest predictive entropy (max ln {classes.Length} = {Math.Log(classes.Length):F3}):");
        AnsiConsole.Write(uncertain);

        // One file holds the whole pipeline: label mapping, image loading, resizing, pixel extraction and the HyperGAN.
        var path = saveOption?.FullName ?? Path.Combine(Path.GetTempPath(), $"cifar-hypergan-{Guid.NewGuid():N}.hgpipeline");
        ml.Model.SaveWithHyperGan(model, train.Schema, path);
        var reloaded = new MLContext(seed: 0).Model.LoadWithHyperGan(path, out _);
        var again = ml.Data.CreateEnumerable<ScoredImage>(reloaded.Transform(test), reuseRowObject: false).ToList();
        int identical = rows.Zip(again).Count(p => p.First.Score.SequenceEqual(p.Second.Score));
        AnsiConsole.MarkupLine($"Saved the pipeline ({new FileInfo(path).Length / 1e6:F1} MB) to {Markup.Escape(path)}; reloaded, it scores " +
            $"{identical:N0} of {rows.Count:N0} test images identically.");
        if (saveOption is null) File.Delete(path);
        AnsiConsole.MarkupLine($"Total time {clock.Elapsed.TotalSeconds:F0} s.");
        return identical == rows.Count ? 0 : 1;
    }

    static string? DefaultDataFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "HyperGan.ML.sln")))
                return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data", "cifar10"));
        return null;
    }
}
