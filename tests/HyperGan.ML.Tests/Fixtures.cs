using HyperGan.ML.Engine.Data;
using HyperGan.ML.Engine.Model;
using HyperGan.ML.Engine.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace HyperGan.ML.Tests;

/// <summary>Small real-data problems that train in seconds on 2 cores.</summary>
internal static class Fixtures
{
    /// <summary>A HyperGAN small enough for tests: the default generators with narrower parts.</summary>
    public static HyperGanArchitecture SmallArchitecture => new() { NoiseDim = 32, CodeDim = 32, HiddenUnits = 128 };

    /// <summary>The paper's generators (dense head, one shared start, no base networks) at <see cref="SmallArchitecture"/>'s sizes.</summary>
    public static HyperGanArchitecture SmallPaperArchitecture => HyperGanArchitecture.Paper with { NoiseDim = 32, CodeDim = 32, HiddenUnits = 128 };

    /// <summary>Seeded stratified slice of MNIST: train on <paramref name="train"/> digits, test on the next <paramref name="test"/>.</summary>
    public static (LabeledImages Train, LabeledImages Test) MnistSlice(int train, int test, int seed = 1)
    {
        var all = TestData.Mnist;
        var (first, rest) = StratifiedSplit.Split(all.Labels, train, seed);
        var (heldOut, _) = StratifiedSplit.Split(rest.Select(i => all.Labels[i]).ToArray(), test, seed);
        return (all.Subset(first), all.Subset(heldOut.Select(i => rest[i]).ToArray()));
    }

    /// <summary>The paper's 1-D regression data: 20 points x ~ U(−4, 4), y = x³ + N(0, 3²) (seeded).</summary>
    public static (float[] X, float[] Y) CubicRegression(int seed = 0, int count = 20) =>
        HyperGan.ML.Evaluation.CubicRegression.Data(seed, count);

    /// <summary>The x grid the regression band is judged on: −6 … 6 in steps of 0.1.</summary>
    public static float[] RegressionGrid => Enumerable.Range(0, 121).Select(i => -6f + 0.1f * i).ToArray();

    /// <summary>RMSE of the mean against x³ inside the data (|x| ≤ 4), and the mean spread inside vs outside (|x| ≥ 5).</summary>
    public static (double Rmse, double StdInside, double StdOutside, double TruthCoveredOutside) RegressionBand(
        float[] grid, float[] mean, float[] std) =>
        HyperGan.ML.Evaluation.CubicRegression.MeasureBand(ToDouble(grid), ToDouble(mean), ToDouble(std));

    static double[] ToDouble(float[] values) => values.Select(v => (double)v).ToArray();

    /// <summary>Accuracy of the first <paramref name="members"/> networks' mean softmax.</summary>
    public static double Accuracy(TrainedHyperGan model, LabeledImages test, int members, long seed)
    {
        using var ensemble = model.Sample(members, seed);
        using var x = test.ToTensor();
        using var logits = ensemble.Forward(x);
        var prediction = HyperGan.ML.Engine.Ensembles.EnsemblePrediction.FromLogits(logits);
        return Enumerable.Range(0, test.Count).Count(i => prediction.PredictedClass(i) == test.Labels[i]) / (double)test.Count;
    }

    /// <summary>Saves <paramref name="model"/>, loads it back and returns the loaded model after checking that 8 networks
    /// sampled with one seed score 3 random 28×28 images bit-identically (the caller disposes the loaded model).</summary>
    public static TrainedHyperGan SaveLoadSamplingTheSame(TrainedHyperGan model)
    {
        var path = Path.Combine(Path.GetTempPath(), $"reload-{Guid.NewGuid():N}.hgan");
        try
        {
            model.Save(path);
            var loaded = TrainedHyperGan.Load(path);
            using var scope = NewDisposeScope();
            var x = randn([3, 1, 28, 28], generator: new Generator(5));
            using var a = model.Sample(8, 9);
            using var b = loaded.Sample(8, 9);
            if (!a.Forward(x).equal(b.Forward(x)).all().item<bool>())
            {
                loaded.Dispose();
                throw new Xunit.Sdk.XunitException("the loaded model samples other networks than the saved one");
            }
            return loaded;
        }
        finally { File.Delete(path); }
    }
}
