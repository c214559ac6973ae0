using HyperGan.ML.Engine.Model;
using HyperGan.ML.Engine.Targets;
using HyperGan.ML.Engine.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace HyperGan.ML.Tests;

public class DeterminismAndPersistenceTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("hypergan-tests-").FullName;

    static HyperGanTrainingOptions Options(int seed) => new()
    {
        Architecture = Fixtures.SmallArchitecture, Epochs = 1, BatchSize = 50, NetworksPerStep = 4,
        LearningRate = 1e-3, PretrainMaxSteps = 20, Seed = seed,
    };

    static TrainedHyperGan Train(int seed)
    {
        var (train, _) = Fixtures.MnistSlice(300, 10);
        using var data = TrainingSet.ForClassification(train.Pixels, train.Labels, train.Shape, 10);
        return HyperGanTrainer.Fit(TargetNetworks.MnistCnn(), data, Options(seed));
    }

    static float[] Flatten(HyperGan.ML.Engine.Ensembles.SampledEnsemble e) =>
        e.Layers.SelectMany(l => l.Weight.data<float>().ToArray().Concat(l.Bias!.data<float>().ToArray())).ToArray();

    [Fact]
    public void Same_seed_gives_identical_generators_and_identical_sampled_networks()
    {
        using var a = Train(seed: 21);
        using var b = Train(seed: 21);
        using var c = Train(seed: 22);
        Assert.Equal(ModelFile.ToBytes(a), ModelFile.ToBytes(b));
        Assert.NotEqual(ModelFile.ToBytes(a), ModelFile.ToBytes(c));
        using var sa = a.Sample(5, 77);
        using var sb = b.Sample(5, 77);
        using var other = a.Sample(5, 78);
        Assert.Equal(Flatten(sa), Flatten(sb));
        Assert.NotEqual(Flatten(sa), Flatten(other));
    }

    [Fact]
    public void Save_then_load_round_trips_bit_exactly()
    {
        using var model = Train(seed: 3);
        var path = Path.Combine(_dir, "model.hypergan");
        model.Save(path);
        using var loaded = TrainedHyperGan.Load(path);
        Assert.Equal(File.ReadAllBytes(path), ModelFile.ToBytes(loaded));
        Assert.True(model.Target.SameArchitectureAs(loaded.Target));
        Assert.Equal(model.Options with { Architecture = model.Options.Architecture }, loaded.Options);

        using var before = model.Sample(7, 5);
        using var after = loaded.Sample(7, 5);
        Assert.Equal(Flatten(before), Flatten(after));
        using var x = tensor(TestData.Mnist.Subset([0, 1, 2, 3]).Pixels).view(-1, 1, 28, 28);
        using var outBefore = before.Forward(x);
        using var outAfter = after.Forward(x);
        Assert.Equal(outBefore.data<float>().ToArray(), outAfter.data<float>().ToArray());
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
    }

    [Fact]
    public void Damaged_or_foreign_files_are_rejected_before_reading_weights()
    {
        using var model = Train(seed: 4);
        var bytes = ModelFile.ToBytes(model);
        var flipped = (byte[])bytes.Clone();
        flipped[bytes.Length / 2] ^= 0x10;
        Assert.Contains("checksum", Assert.Throws<InvalidDataException>(() => ModelFile.FromBytes(flipped)).Message);
        Assert.Contains("checksum", Assert.Throws<InvalidDataException>(() => ModelFile.FromBytes(bytes[..(bytes.Length - 100)])).Message);
        Assert.Contains("not a HyperGan.ML model", Assert.Throws<InvalidDataException>(() => ModelFile.FromBytes("hello world, definitely not a model"u8.ToArray())).Message);
        Assert.Throws<FileNotFoundException>(() => TrainedHyperGan.Load(Path.Combine(_dir, "missing.hypergan")));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
