using System.Buffers.Binary;
using System.IO.Compression;
using HyperGan.ML.Engine.Targets;
using Microsoft.ML;
using Xunit;
using Xunit.Abstractions;

namespace HyperGan.ML.Tests;

/// <summary>
/// LoadWithHyperGan over seeded random corruptions of a small saved pipeline: every load either succeeds and scores
/// bit-identically or throws <see cref="InvalidDataException"/> — never another exception, a hang, or unbounded memory.
/// </summary>
[Trait(Speed.Trait, Speed.Slow)] // trains networks or runs apps: left out of the fast inner loop (CONTRIBUTING.md)
public class PipelineFuzzTests(ITestOutputHelper output) : IDisposable
{
    readonly TempFolder _dir = new("hypergan-fuzz-");
    public void Dispose() => _dir.Dispose();

    const int Cases = 1000;
    const long MemoryBound = 300_000_000; // bytes of resident growth allowed over all loads, after a GC

    enum Damage { FlipBytes, Truncate, RemoveEntry, DuplicateEntry, HugeDeclaredSize }

    [Fact]
    public async Task Corrupted_pipeline_files_load_identically_or_throw_InvalidDataException()
    {
        var ml = new MLContext(seed: 1);
        var (train, test) = Fixtures.MnistSlice(200, 20);
        var data = ml.Data.LoadFromEnumerable(MlNetEstimatorTests.Digits(train));
        var options = ScoringSafetyTests.VectorDigits.Options(o =>
        {
            o.Epochs = 1; o.HiddenUnits = 8; o.NoiseDim = 8; o.CodeDim = 8;
            o.TargetFactory = n => new TargetNetwork("tiny", [784],
                [new LinearLayer(784, 4) { Activation = Activation.Relu }, new LinearLayer(4, n) { Activation = Activation.None }]);
        });
        var model = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.Transforms.HyperGanEnsemble(options))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel")).Fit(data);
        var original = _dir.File("original.hgpipeline");
        ml.Model.SaveWithHyperGan(model, data.Schema, original);
        var bytes = File.ReadAllBytes(original);
        var testData = ml.Data.LoadFromEnumerable(MlNetEstimatorTests.Digits(test));
        var expected = Scores.Dump(model.Transform(testData));
        output.WriteLine($"pipeline file {bytes.Length:N0} bytes");

        var outcomes = new Dictionary<(Damage, string), int>();
        var random = new Random(12);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long rssBefore = System.Diagnostics.Process.GetCurrentProcess().WorkingSet64;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < Cases; i++)
        {
            var damage = (Damage)(i % 5);
            var path = _dir.File($"case-{i}.hgpipeline");
            File.WriteAllBytes(path, Corrupt(bytes, damage, random));
            var load = Task.Run(() =>
            {
                try
                {
                    var loaded = new MLContext(seed: 2).Model.LoadWithHyperGan(path, out _);
                    Assert.Equal(expected, Scores.Dump(loaded.Transform(testData))); // a load that succeeds is the same model
                    return "loaded, identical scores";
                }
                catch (InvalidDataException) { return "InvalidDataException"; }
            });
            string outcome; // an exception of another type than InvalidDataException fails the test here
            try { outcome = await load.WaitAsync(TimeSpan.FromSeconds(60)); }
            catch (TimeoutException) { throw new Xunit.Sdk.XunitException($"case {i} ({damage}) did not finish within 60 s"); }
            var key = (damage, outcome);
            outcomes[key] = outcomes.GetValueOrDefault(key) + 1;
            File.Delete(path);
        }
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long growth = System.Diagnostics.Process.GetCurrentProcess().WorkingSet64 - rssBefore;
        foreach (var ((damage, outcome), count) in outcomes.OrderBy(o => o.Key.Item1))
            output.WriteLine($"{damage}: {outcome} × {count}");
        output.WriteLine($"{Cases} corrupted files in {clock.Elapsed.TotalSeconds:F1} s; resident memory growth {growth / 1e6:F0} MB (bound " +
            $"{MemoryBound / 1e6:F0} MB)");
        Assert.True(growth < MemoryBound, $"resident memory grew {growth / 1e6:F0} MB over {Cases} loads");
        Assert.Equal(Cases, outcomes.Values.Sum());
    }

    static byte[] Corrupt(byte[] original, Damage damage, Random random)
    {
        var bytes = (byte[])original.Clone();
        switch (damage)
        {
            case Damage.FlipBytes:
                for (int k = random.Next(1, 9); k > 0; k--) bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                return bytes;
            case Damage.Truncate:
                return bytes[..random.Next(bytes.Length)];
            case Damage.RemoveEntry:
            case Damage.DuplicateEntry:
            {
                var entries = ReadEntries(original);
                int pick = random.Next(entries.Count);
                if (damage == Damage.RemoveEntry) entries.RemoveAt(pick);
                else entries.Insert(random.Next(entries.Count + 1), entries[pick]);
                return WriteEntries(entries);
            }
            case Damage.HugeDeclaredSize:
            {
                // Central directory headers (PK\1\2): uncompressed size at offset 24, compressed size at 20.
                var headers = Enumerable.Range(0, bytes.Length - 46).Where(p =>
                    BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(p)) == 0x02014b50).ToList();
                int header = headers[random.Next(headers.Count)];
                uint huge = random.Next(3) switch { 0 => 0x7FFFFFF0u, 1 => 0xFFFFFFFEu, _ => (uint)random.Next(1 << 24, int.MaxValue) };
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(header + (random.Next(2) == 0 ? 24 : 20)), huge);
                return bytes;
            }
            default: throw new ArgumentOutOfRangeException(nameof(damage));
        }
    }

    static List<(string Name, byte[] Content)> ReadEntries(byte[] file)
    {
        using var zip = new ZipArchive(new MemoryStream(file));
        return zip.Entries.Select(e => (e.FullName, PipelineZip.ReadAll(e, "original"))).ToList();
    }

    static byte[] WriteEntries(List<(string Name, byte[] Content)> entries)
    {
        using var result = new MemoryStream();
        using (var zip = new ZipArchive(result, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, content) in entries)
                using (var s = zip.CreateEntry(name).Open()) s.Write(content);
        return result.ToArray();
    }
}
