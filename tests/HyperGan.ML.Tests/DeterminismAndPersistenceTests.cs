using HyperGan.ML.Engine.Model;
using HyperGan.ML.Engine.Persistence;
using HyperGan.ML.Engine.Targets;
using HyperGan.ML.Engine.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace HyperGan.ML.Tests;

[Trait(Speed.Trait, Speed.Slow)] // trains networks or runs apps: left out of the fast inner loop (CONTRIBUTING.md)
public class DeterminismAndPersistenceTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("hypergan-tests-").FullName;

    static HyperGanTrainingOptions Options(int seed, GeneratorHead head = GeneratorHead.Full) => new()
    {
        Architecture = Fixtures.SmallArchitecture with { Head = head }, Epochs = 1, BatchSize = 50, NetworksPerStep = 4,
        LearningRate = 1e-3, PretrainMaxSteps = 20, Seed = seed,
    };

    static TrainedHyperGan Train(int seed, GeneratorHead head = GeneratorHead.Full, HyperGanTrainingOptions? options = null)
    {
        var (train, _) = Fixtures.MnistSlice(300, 10);
        using var data = TrainingSet.ForClassification(train.Pixels, train.Labels, train.Shape, 10);
        return HyperGanTrainer.Fit(TargetNetworks.MnistCnn(), data, options ?? Options(seed, head));
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

    [Theory]
    [InlineData(GeneratorHead.Full)]
    [InlineData(GeneratorHead.Chunked)]
    public void Save_then_load_round_trips_bit_exactly(GeneratorHead head)
    {
        using var model = Train(seed: 3, head);
        Assert.Equal(head, model.Options.Architecture.Head);
        var path = Path.Combine(_dir, "model.hypergan");
        model.Save(path);
        using var loaded = TrainedHyperGan.Load(path);
        Assert.Equal(File.ReadAllBytes(path), ModelFile.ToBytes(loaded));
        Assert.True(model.Target.SameArchitectureAs(loaded.Target));
        Assert.Equal(model.Options with { Architecture = model.Options.Architecture }, loaded.Options);

        using var before = model.Sample(7, 5);
        using var after = loaded.Sample(7, 5);
        Assert.Equal(Flatten(before), Flatten(after));
        using var x = TestData.Mnist.Subset([0, 1, 2, 3]).ToTensor();
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
        Assert.Contains("not a HyperGan.ML model",
            Assert.Throws<InvalidDataException>(() => ModelFile.FromBytes("hello world, definitely not a model"u8.ToArray())).Message);
        Assert.Throws<FileNotFoundException>(() => TrainedHyperGan.Load(Path.Combine(_dir, "missing.hypergan")));
    }

    /// <summary>Re-assembles a model file with an edited version and header, with a valid checksum.</summary>
    static byte[] Rewrite(byte[] file, Func<int, int> version, Func<System.Text.Json.Nodes.JsonObject, System.Text.Json.Nodes.JsonObject> header)
    {
        using var reader = new BinaryReader(new MemoryStream(file, 0, file.Length - 32));
        var magic = reader.ReadBytes(8);
        int v = reader.ReadInt32();
        var json = (System.Text.Json.Nodes.JsonObject)System.Text.Json.Nodes.JsonNode.Parse(reader.ReadBytes(reader.ReadInt32()))!;
        var state = reader.ReadBytes(checked((int)reader.ReadInt64()));
        using var output = new MemoryStream();
        using (var writer = new BinaryWriter(output, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(magic);
            writer.Write(version(v));
            var h = System.Text.Encoding.UTF8.GetBytes(header(json).ToJsonString());
            writer.Write(h.Length);
            writer.Write(h);
            writer.Write((long)state.Length);
            writer.Write(state);
        }
        output.Write(System.Security.Cryptography.SHA256.HashData(output.ToArray()));
        return output.ToArray();
    }

    [Fact]
    public void A_regression_model_keeps_its_label_scaling_and_a_version_1_file_reads_as_trained_on_raw_labels()
    {
        var (x, y) = Fixtures.CubicRegression(seed: 0);
        using var data = TrainingSet.ForRegression(x, y, [1]);
        var options = new HyperGanTrainingOptions
        {
            Task = TaskKind.Regression, Architecture = Fixtures.SmallArchitecture, Epochs = 20, BatchSize = 20, NetworksPerStep = 8, Seed = 3,
        };
        using var model = HyperGanTrainer.Fit(TargetNetworks.Regression1D(), data, options);
        double mean = y.Average(v => (double)v), rms = Math.Sqrt(y.Average(v => (v - mean) * (v - mean)));
        Assert.Equal(mean, model.Model.LabelScaling.Shift, 1e-4);
        Assert.Equal(rms, model.Model.LabelScaling.Scale, 1e-4);

        var bytes = ModelFile.ToBytes(model);
        using var loaded = ModelFile.FromBytes(bytes);
        Assert.Equal(model.Model.LabelScaling, loaded.Model.LabelScaling);
        using var grid = tensor(Fixtures.RegressionGrid).view(-1, 1);
        using var before = model.Sample(5, 1);
        using var after = loaded.Sample(5, 1);
        using var outBefore = before.Forward(grid);
        using var outAfter = after.Forward(grid);
        Assert.Equal(outBefore.data<float>().ToArray(), outAfter.data<float>().ToArray());

        // A file written before the scaling existed: version 1, no scaling in its header; its networks emit raw outputs.
        var version1 = Rewrite(bytes, v => 1, h =>
        {
            h.Remove(h.Select(p => p.Key).Single(k => k.Equals("LabelScaling", StringComparison.OrdinalIgnoreCase)));
            return h;
        });
        using var old = ModelFile.FromBytes(version1);
        Assert.Equal(LabelScaling.Identity, old.Model.LabelScaling);
        using var raw = old.Sample(5, 1);
        using var outRaw = raw.Forward(grid);
        using var expected = outBefore.sub(mean).div(rms); // what the same generator emits before the scaling is applied
        Assert.True(outRaw.allclose(expected, rtol: 1e-4, atol: 1e-4), "a version-1 file should read without the scaling");
    }

    [Fact]
    public void A_file_written_before_an_option_existed_reads_with_that_option_off_not_with_todays_default()
    {
        using var model = Train(seed: 4, options: Options(4) with { GeneratedWeightDecay = 1e-3, LearningRate = 3e-4, DiversityInputFraction = 0.5 });
        var bytes = ModelFile.ToBytes(model);
        using var now = ModelFile.FromBytes(bytes);
        Assert.Equal((DiversityTerm.MutualInformation, 1e-3, 8.0),
            (now.Options.Diversity, now.Options.GeneratedWeightDecay, now.Options.DiversityAccuracyPower)); // as trained

        // The header of a file saved before the diversity term, the weight prior and the accuracy gate existed.
        var old = Rewrite(bytes, v => v, h =>
        {
            var options = (System.Text.Json.Nodes.JsonObject)h["Options"]!;
            var added = new[] { "Diversity", "GeneratedWeightDecay", "DiversityAccuracyPower", "BaseLearningRate", "DiversityInputFraction" };
            foreach (var name in added)
                Assert.True(options.Remove(name), name);
            return h;
        });
        using var before = ModelFile.FromBytes(old);
        Assert.Equal((DiversityTerm.None, 0.0, 0.0),
            (before.Options.Diversity, before.Options.GeneratedWeightDecay, before.Options.DiversityAccuracyPower));
        Assert.Equal(now.Options.Beta, before.Options.Beta); // options the file holds are read as written
        // Before they had their own rate the base networks trained at the generators'.
        Assert.NotEqual(now.Options.LearningRate, now.Options.BaseLearningRate);
        Assert.Equal(now.Options.LearningRate, before.Options.BaseLearningRate);
        // Before the share existed every labelled row gave one extra mixed input.
        Assert.Equal((0.5, 1.0), (now.Options.DiversityInputFraction, before.Options.DiversityInputFraction));
    }

    [Fact]
    public void A_file_written_before_the_generators_defaults_changed_reads_as_the_paper_generators_it_holds()
    {
        // Files written before 2026-12-02 hold the paper's generators (the dense head, no base networks) and may lack the
        // fields that say so (Head before 2026-11-30, BaseNetworks before 2026-12-02); today's defaults differ from both.
        var paper = Options(6) with { Architecture = Fixtures.SmallPaperArchitecture };
        using var model = Train(seed: 6, options: paper);
        var old = Rewrite(ModelFile.ToBytes(model), v => v, h =>
        {
            var architecture = (System.Text.Json.Nodes.JsonObject)h["Options"]!["Architecture"]!;
            foreach (var name in new[] { "Head", "BaseNetworks", "InitialSharedStd", "InitialCodeStd" })
                Assert.True(architecture.Remove(name), name);
            return h;
        });
        using var loaded = ModelFile.FromBytes(old);
        Assert.Equal(model.Options.Architecture, loaded.Options.Architecture);
        Assert.Equal((GeneratorHead.Full, 0), (loaded.Options.Architecture.Head, loaded.Options.Architecture.BaseNetworks));
        using var expected = model.Sample(3, 9);
        using var actual = loaded.Sample(3, 9);
        Assert.Equal(Flatten(expected), Flatten(actual));
    }

    [Fact]
    public void Wrong_version_and_a_different_architecture_are_rejected_with_clear_messages()
    {
        using var model = Train(seed: 4);
        var bytes = ModelFile.ToBytes(model);
        Assert.NotNull(ModelFile.FromBytes(Rewrite(bytes, v => v, h => h))); // the rewriter itself is faithful
        var future = Assert.Throws<InvalidDataException>(() => ModelFile.FromBytes(Rewrite(bytes, v => v + 1, h => h)));
        Assert.Contains($"model format version {ModelFile.Versions.Current + 1}; this library reads version", future.Message);
        Assert.Contains("the HyperGan.ML version that wrote it", future.Message);
        var past = Assert.Throws<InvalidDataException>(() => ModelFile.FromBytes(Rewrite(bytes, v => ModelFile.Versions.OldestReadable - 1, h => h)));
        Assert.Contains("save it again with this one", past.Message);
        var range = new FormatVersions("demo", Current: 3, OldestReadable: 2); // a format that still reads its previous version
        range.CheckReadable(2, "x");
        Assert.Contains("reads versions 2–3", Assert.Throws<InvalidDataException>(() => range.CheckReadable(4, "'x'")).Message);
        var otherTarget = Assert.Throws<InvalidDataException>(() => ModelFile.FromBytes(Rewrite(bytes, v => v, h =>
        {
            var key = h.Select(p => p.Key).Single(k => k.Equals("Target", StringComparison.OrdinalIgnoreCase));
            h[key] = System.Text.Json.JsonSerializer.SerializeToNode(TargetNetworks.CifarCnn(), ModelFile.Json);
            return h;
        })));
        Assert.Contains("do not match its declared architecture", otherTarget.Message);

        // A stored ensemble only loads for the architecture it was sampled from.
        using var ensemble = model.Sample(3, seed: 1);
        using var stream = new MemoryStream();
        EnsembleFile.Write(ensemble, stream);
        stream.Position = 0;
        Assert.Throws<InvalidDataException>(() => EnsembleFile.Read(stream, TargetNetworks.CifarCnn()));
        stream.Position = 0;
        Assert.Throws<InvalidDataException>(() => EnsembleFile.Read(stream, TargetNetworks.MnistCnn(classes: 5)));
        stream.Position = 0;
        using var back = EnsembleFile.Read(stream, TargetNetworks.MnistCnn());
        Assert.Equal(Flatten(ensemble), Flatten(back));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
