// A consumer of the HyperGan.ML NuGet package: trains a small HyperGAN on 1,000 real MNIST digits through ML.NET,
// scores 500 others, saves the pipeline, reloads it and checks the scores match. Exit code 0 = everything worked.
//   dotnet pack HyperGan.ML.sln -c Release          (repository root: writes the packages to nuget/)
//   dotnet run -c Release --project samples/NuGetConsumer [-- <folder with t10k-images-idx3-ubyte.gz and labels>]
using HyperGan.ML;
using HyperGan.ML.Engine.Data;
using Microsoft.ML;
using Microsoft.ML.Data;

var dataDir = args.Length > 0 ? args[0] : FindRepoData("mnist");
var digits = LabeledImages.LoadIdx(Path.Combine(dataDir, "t10k-images-idx3-ubyte.gz"), Path.Combine(dataDir, "t10k-labels-idx1-ubyte.gz"));
var (trainIdx, rest) = StratifiedSplit.Split(digits.Labels, 1000, seed: 1);
var testIdx = rest.Take(500).ToArray();
IEnumerable<Digit> Rows(int[] idx) =>
    idx.Select(i => new Digit { Features = digits.Pixels.AsSpan(i * 784, 784).ToArray(), Label = digits.Labels[i].ToString() });

var ml = new MLContext(seed: 1);
var train = ml.Data.LoadFromEnumerable(Rows(trainIdx));
var test = ml.Data.LoadFromEnumerable(Rows(testIdx));
var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
    .Append(ml.Transforms.HyperGanEnsemble(new HyperGanEnsembleOptions
    {
        ImageShape = [1, 28, 28], EnsembleSize = 5, Epochs = 3, BatchSize = 64, NetworksPerStep = 8,
        LearningRate = 1e-3, MixerLearningRate = 1e-3, NoiseDim = 32, CodeDim = 32, HiddenUnits = 128,
    }));
var model = pipeline.Fit(train);
var metrics = ml.MulticlassClassification.Evaluate(model.Transform(test));
Console.WriteLine($"consumer: accuracy {metrics.MicroAccuracy:P1} on 500 held-out digits (HyperGan.ML " +
    $"{typeof(HyperGanEnsembleTransformer).Assembly.GetName().Version})");
var native = HyperGan.ML.Engine.Native.TorchNativeLoader.Report;
Console.WriteLine(
    $"consumer: native TorchSharp library: {native?.Action} {native?.LoadedPath} (weakened: {string.Join(", ", native?.WeakenedVersions ?? [])})");

var path = Path.Combine(Path.GetTempPath(), $"consumer-{Guid.NewGuid():N}.hgpipeline");
ml.Model.SaveWithHyperGan(model, train.Schema, path);
var loaded = new MLContext().Model.LoadWithHyperGan(path, out _);
File.Delete(path);
var before = model.Transform(test).GetColumn<float[]>("Score").ToArray();
var after = loaded.Transform(test).GetColumn<float[]>("Score").ToArray();
bool same = before.Zip(after).All(p => p.First.SequenceEqual(p.Second));
Console.WriteLine($"consumer: reloaded pipeline scores identically: {same}");
bool ok = same && metrics.MicroAccuracy >= 0.8;
Console.WriteLine(ok ? "consumer: OK" : "consumer: FAILED");
return ok ? 0 : 1;

static string FindRepoData(string name)
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        if (Directory.Exists(Path.Combine(dir.FullName, "data", name))) return Path.Combine(dir.FullName, "data", name);
    throw new DirectoryNotFoundException($"data/{name} not found above {AppContext.BaseDirectory}; pass the folder as the first argument.");
}

sealed class Digit
{
    [VectorType(784)] public float[] Features { get; set; } = [];
    public string Label { get; set; } = "";
}
