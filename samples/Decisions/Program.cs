// Decisions with a guarantee (docs/decisions.md). Trains on 4,000 MNIST digits with 1,000 more held out; Fit sets a
// calibration (temperature, then top-label), a 5 % out-of-distribution flag and 90 % prediction sets on the held-out digits. Then measures, on 5,000
// digits the calibration never saw and 2,000 notMNIST letters (the unknowns), what a user relies on: the flag's
// false-alarm and detection rates, the sets' coverage and size, calibration before and after (reliability.png).
// Run: dotnet run -c Release --project samples/Decisions [-- <output folder>]   (about a minute on 2 CPU cores)
using HyperGan.ML;
using HyperGan.ML.Engine.Data;
using HyperGan.ML.Evaluation;
using HyperGan.ML.Plots;
using Microsoft.ML;
using Microsoft.ML.Data;
using Spectre.Console;

if (!AnsiConsole.Profile.Capabilities.Interactive) AnsiConsole.Profile.Width = 200; // logs: one table row per line
var outputFolder = args.Length > 0 ? args[0] : Path.Combine(Environment.CurrentDirectory, "decisions-output");
Directory.CreateDirectory(outputFolder);
var data = Path.Combine(AppContext.BaseDirectory, "data");
var mnist = LabeledImages.LoadIdx(Path.Combine(data, "mnist", "t10k-images-idx3-ubyte.gz"), Path.Combine(data, "mnist", "t10k-labels-idx1-ubyte.gz"));
var letters = LabeledImages.LoadIdx(Path.Combine(data, "notmnist", "t10k-images-idx3-ubyte.gz"),
    Path.Combine(data, "notmnist", "t10k-labels-idx1-ubyte.gz"));
var (trainIdx, testIdx) = StratifiedSplit.Split(mnist.Labels, 5000, seed: 1);

var ml = new MLContext(seed: 1);
ml.Log += (_, e) =>
{
    if (e.RawMessage.StartsWith("HyperGAN: ", StringComparison.Ordinal)
    && !e.RawMessage.Contains("task loss")) AnsiConsole.WriteLine($"  {e.RawMessage}");
};
var train = ml.Data.LoadFromEnumerable(Rows(mnist.Subset(trainIdx)));
var keys = ml.Transforms.Conversion.MapValueToKey("Label").Fit(train);
var estimator = ml.Transforms.HyperGanEnsemble(new HyperGanEnsembleOptions
{
    ImageShape = [1, 28, 28], EnsembleSize = 10, Epochs = 5,
    HiddenUnits = 128, NoiseDim = 32, CodeDim = 32, NetworksPerStep = 8, LearningRate = 1e-3, MixerLearningRate = 2e-3, // CPU-sized
    ValidationFraction = 0.2,               // 1,000 of the 5,000 digits: 500 fit the calibration, 500 set the thresholds
    Calibrate = true,
    OutOfDistributionFalseAlarmRate = 0.05, // flag at most 5 % of digits
    Coverage = 0.9,                         // sets that hold the true digit 90 % of the time
});
var model = estimator.Fit(keys.Transform(train));
var fitted = model.Calibration!;
AnsiConsole.MarkupLine($"Fit: {fitted.Rows} held-out digits, temperature [bold]{fitted.Temperature:F2}[/], top-label slope " +
    $"{fitted.TopLabel.Slope:F2} intercept {fitted.TopLabel.Intercept:F2}, flag when entropy > " +
    $"{fitted.OutOfDistributionThreshold:F3}, sets = classes with probability ≥ {1 - fitted.ConformalThreshold:F3}");

// Digits the calibration never saw, and letters: what the decisions do on them.
var digits = ml.Data.CreateEnumerable<Decided>(model.Transform(keys.Transform(ml.Data.LoadFromEnumerable(Rows(mnist.Subset(testIdx))))),
    reuseRowObject: false).ToList();
var letterRows = keys.Transform(ml.Data.LoadFromEnumerable(Rows(letters.Subset(Enumerable.Range(0, 2000).ToArray()))));
var unknowns = ml.Data.CreateEnumerable<Decided>(model.Transform(letterRows), reuseRowObject: false).ToList();
var testRows = keys.Transform(ml.Data.LoadFromEnumerable(Rows(mnist.Subset(testIdx))));
var raw = ml.Data.CreateEnumerable<Decided.Raw>(model.WithoutCalibration().Transform(testRows), reuseRowObject: false).ToList();
int[] labels = digits.Select(d => (int)d.Label - 1).ToArray(); // key order = the Score slots' order
var calibratedP = Matrix(digits.Select(d => d.Score));
var rawP = Matrix(raw.Select(d => d.Score));

var table = new Table().AddColumns("decision", "asked", "measured on 5,000 unseen digits", "on 2,000 notMNIST letters");
table.AddRow("IsOutOfDistribution", "≤ 5 % of digits flagged", $"{digits.Average(d => d.IsOutOfDistribution ? 1.0 : 0):P1} flagged (false alarms)",
    $"[bold]{unknowns.Average(d => d.IsOutOfDistribution ? 1.0 : 0):P1}[/] flagged (detected)");
table.AddRow("PredictionSet", "true digit inside 90 %", $"{digits.Average(d => d.PredictionSet[(int)d.Label - 1] ? 1.0 : 0):P1} covered; mean " +
    $"size {digits.Average(d => d.PredictionSet.Count(b => b)):F2}, " +
    $"empty {digits.Average(d => d.PredictionSet.Any(b => b) ? 0 : 1.0):P1}", $"mean size {unknowns.Average(d => d.PredictionSet.Count(b => b)):F2}");
table.AddRow("Calibrate", "probabilities that mean what they say", $"ECE {ClassificationMetrics.ExpectedCalibrationError(rawP, labels):F4} → " +
    $"{ClassificationMetrics.ExpectedCalibrationError(calibratedP, labels):F4}, " +
    $"NLL {ClassificationMetrics.NegativeLogLikelihood(rawP, labels):F4} → {ClassificationMetrics.NegativeLogLikelihood(calibratedP, labels):F4}",
        "");
table.AddRow("(accuracy)", "", $"{ClassificationMetrics.Accuracy(calibratedP, labels):P2}", "");
AnsiConsole.Write(table);

var before = ClassificationMetrics.Reliability(rawP, labels);
var after = ClassificationMetrics.Reliability(calibratedP, labels);
var png = Path.Combine(outputFolder, "reliability.png");
File.WriteAllBytes(png, Charts.Lines("Reliability on 5,000 unseen digits", "mean confidence in bin", "accuracy in bin",
[
    new Series($"raw (ECE {ClassificationMetrics.ExpectedCalibrationError(before):F4})",
        before.Select(b => b.MeanConfidence).ToArray(), before.Select(b => b.Accuracy).ToArray()),
    new Series($"calibrated, T = {fitted.Temperature:F2}, top-label (ECE {ClassificationMetrics.ExpectedCalibrationError(after):F4})",
        after.Select(b => b.MeanConfidence).ToArray(), after.Select(b => b.Accuracy).ToArray()),
    new Series("perfect calibration", [0.0, 1.0], [0.0, 1.0], Dashed: true),
], 0, 1));
AnsiConsole.MarkupLine($"Reliability diagram: {Markup.Escape(png)}");

static IEnumerable<Digit> Rows(LabeledImages images) => Enumerable.Range(0, images.Count)
    .Select(i => new Digit { Features = images.Pixels.AsSpan(i * 784, 784).ToArray(), Label = $"{images.Labels[i]}" });

static float[,] Matrix(IEnumerable<float[]> rows)
{
    var list = rows.ToList();
    var m = new float[list.Count, list[0].Length];
    for (int i = 0; i < list.Count; i++)
        for (int c = 0; c < list[i].Length; c++) m[i, c] = list[i][c];
    return m;
}

/// <summary>One image: 784 pixels and its label (a digit; the letters' labels are not used).</summary>
public sealed class Digit
{
    [VectorType(784)] public float[] Features { get; set; } = [];
    public string Label { get; set; } = "";
}

/// <summary>The columns the sample reads back.</summary>
public sealed class Decided
{
    public uint Label { get; set; }
    public float[] Score { get; set; } = [];
    public bool IsOutOfDistribution { get; set; }
    public bool[] PredictionSet { get; set; } = [];

    /// <summary>Uncalibrated scores (<c>WithoutCalibration()</c> adds no decision columns).</summary>
    public sealed class Raw
    {
        public float[] Score { get; set; } = [];
    }
}
