// Vectors in, uncertainty out: each row is a float[] (here 784 pixels of a digit, but any fixed-length features work),
// the label a string. HyperGanEnsemble trains a distribution over a small MLP and scores every row with 10 sampled
// networks. Run: dotnet run -c Release --project samples/VectorQuickStart   (about 20 s on 2 CPU cores)
using HyperGan.ML;
using HyperGan.ML.Engine.Data;
using HyperGan.ML.Engine.Targets;
using Microsoft.ML;
using Microsoft.ML.Data;

var data = Path.Combine(AppContext.BaseDirectory, "data");
var digits = Rows(LabeledImages.LoadIdx(Path.Combine(data, "mnist", "t10k-images-idx3-ubyte.gz"),
    Path.Combine(data, "mnist", "t10k-labels-idx1-ubyte.gz")));
var letters = Rows(LabeledImages.LoadIdx(Path.Combine(data, "notmnist", "t10k-images-idx3-ubyte.gz"),
    Path.Combine(data, "notmnist", "t10k-labels-idx1-ubyte.gz")));

var ml = new MLContext(seed: 1);
var train = ml.Data.LoadFromEnumerable(digits[..3000]);
var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
    .Append(ml.Transforms.HyperGanEnsemble(new HyperGanEnsembleOptions
    {
        EnsembleSize = 10, Epochs = 5,
        // The networks to generate, sized from the number of classes Fit finds; the last layer has no activation.
        TargetFactory = classes => new TargetNetwork("mlp", [784],
            [new LinearLayer(784, 64) { Activation = Activation.Relu }, new LinearLayer(64, classes) { Activation = Activation.None }]),
        // CPU-sized generator (the paper's 512 / 256 / 128 are GPU-sized; see docs/options.md).
        HiddenUnits = 64, NoiseDim = 32, CodeDim = 32, NetworksPerStep = 8, LearningRate = 1e-3, MixerLearningRate = 1e-3,
        // Decisions, set on 10 % of the rows held out from training (docs/decisions.md): calibrated probabilities, a flag
        // that fires on at most 5 % of rows like the training data, and label sets that hold the true label 90 % of the time.
        ValidationFraction = 0.1, Calibrate = true, OutOfDistributionFalseAlarmRate = 0.05, Coverage = 0.9,
    }))
    .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
var model = pipeline.Fit(train);

var test = digits[5000..6000];
var scored = model.Transform(ml.Data.LoadFromEnumerable(test));
var heldOut = ml.Data.CreateEnumerable<Prediction>(scored, reuseRowObject: false).ToList();
var outliers = ml.Data.CreateEnumerable<Prediction>(model.Transform(ml.Data.LoadFromEnumerable(letters[..1000])), reuseRowObject: false).ToList();
Console.WriteLine($"held-out digits: accuracy {heldOut.Zip(test).Count(p => p.First.PredictedLabel == p.Second.Label) / (double)test.Length:P1}, " +
                  $"mean entropy {heldOut.Average(p => p.PredictiveEntropy):F3}, mean disagreement {heldOut.Average(p => p.Disagreement):F3}");
Console.WriteLine(
    $"notMNIST letters: mean entropy {outliers.Average(p => p.PredictiveEntropy):F3}, mean disagreement {outliers.Average(p => p.Disagreement):F3}");
// The decisions: measured here on rows the calibration never saw.
VBuffer<ReadOnlyMemory<char>> setClasses = default;
scored.Schema["PredictionSet"].GetSlotNames(ref setClasses);
var setNames = setClasses.DenseValues().Select(v => v.ToString()).ToArray();
Console.WriteLine($"flagged out-of-distribution: {heldOut.Average(p => p.IsOutOfDistribution ? 1.0 : 0):P1} of held-out digits (asked ≤ 5 %), " +
    $"{outliers.Average(p => p.IsOutOfDistribution ? 1.0 : 0):P1} of letters");
var fitted = model.OfType<HyperGanEnsembleTransformer>().Single().Calibration!; // what Fit learned from the held-out rows
Console.WriteLine($"90 % prediction sets: true label inside for " +
    $"{heldOut.Zip(test).Average(p => p.First.PredictionSet[Array.IndexOf(setNames, p.Second.Label)] ? 1.0 : 0):P1} of held-out digits, " +
                  $"mean set size {heldOut.Average(p => p.PredictionSet.Count(b => b)):F2} (thresholds from {fitted.ThresholdRows} rows: expect " +
                      $"90 % ± {100 * Math.Sqrt(0.09 / fitted.ThresholdRows):F1} pt)");
Console.WriteLine($"held out {fitted.Rows} rows: temperature {fitted.Temperature:F2}, NLL {fitted.NegativeLogLikelihood:F3} → " +
    $"{fitted.CalibratedNegativeLogLikelihood:F3}, " +
                  $"ECE {fitted.ExpectedCalibrationError:F3} → {fitted.CalibratedExpectedCalibrationError:F3}");
// Score's slots follow the label's key order (first seen first); the SlotNames annotation names them.
VBuffer<ReadOnlyMemory<char>> classes = default;
scored.Schema["Score"].GetSlotNames(ref classes);
var first = heldOut[0];
var top = first.Score.Select((p, i) => (Class: classes.GetItemOrDefault(i).ToString(), p)).OrderByDescending(c => c.p).Take(3);
Console.WriteLine($"first digit: label {test[0].Label}, predicted {first.PredictedLabel}; top scores " +
    $"{string.Join(", ", top.Select(c => $"'{c.Class}' {c.p:F3}"))}");

ml.Model.SaveWithHyperGan(model, train.Schema, Path.Combine(Path.GetTempPath(), "vectors.hgpipeline"));
var reloaded = ml.Model.LoadWithHyperGan(Path.Combine(Path.GetTempPath(), "vectors.hgpipeline"), out _);
using var engine = ml.Model.CreatePredictionEngine<Row, Prediction>(reloaded);
Console.WriteLine($"reloaded, PredictionEngine on the first digit: predicted {engine.Predict(test[0]).PredictedLabel}");

static Row[] Rows(LabeledImages images) => Enumerable.Range(0, images.Count)
    .Select(i => new Row { Features = images.Pixels.AsSpan(i * 784, 784).ToArray(), Label = $"{images.Labels[i]}" }).ToArray();

/// <summary>One input row: a fixed-length feature vector (its size must be declared) and a label.</summary>
public sealed class Row
{
    [VectorType(784)] public float[] Features { get; set; } = [];
    public string Label { get; set; } = "";
}

/// <summary>The output columns HyperGanEnsemble adds for a classifier (PredictedLabel mapped back to the label's text).</summary>
public sealed class Prediction
{
    public float[] Score { get; set; } = [];          // mean softmax of the sampled networks, one value per class
    public string PredictedLabel { get; set; } = ""; // most probable class; empty when the row could not be scored (NaN input)
    public float PredictiveEntropy { get; set; }     // total uncertainty, nats (max ln classes)
    public float Disagreement { get; set; }          // mutual information: the part due to the networks disagreeing
    public bool IsOutOfDistribution { get; set; }    // unlike the training data (at most 5 % of rows like it are flagged)
    public bool[] PredictionSet { get; set; } = [];  // per class (Score's order): in the 90 % set
}
