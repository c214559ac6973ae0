using System.Diagnostics;
using HyperGan.ML.Engine.Native;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit;

namespace HyperGan.ML.Tests;

/// <summary>
/// Runs this test assembly as a separate process (its Main below) so persistence tests can prove a saved pipeline
/// loads and scores identically in a fresh process: new runtime, new libtorch, new MLContext.
/// </summary>
public static class ChildProcess
{
    public static int Main(string[] args)
    {
        TorchBackend.Initialize();
        switch (args)
        {
            case ["score-digits", var model, var output]:
            {
                var ml = new MLContext(seed: 99);
                var pipeline = ml.Model.LoadWithHyperGan(model, out _);
                var (_, test) = Fixtures.MnistSlice(1500, 300);
                File.WriteAllBytes(output, Scores.Dump(pipeline.Transform(ml.Data.LoadFromEnumerable(MlNetEstimatorTests.Digits(test)))));
                return 0;
            }
            case ["score-batches", var model, var report]:
                MlNetEstimatorTests.ScoreBatches(model, report);
                return 0;
            case ["score-decisions", var model, var output]:
            {
                var ml = new MLContext(seed: 99);
                var pipeline = ml.Model.LoadWithHyperGan(model, out _);
                File.WriteAllBytes(output, Scores.Dump(pipeline.Transform(ml.Data.LoadFromEnumerable(DecisionTests.PersistenceRows()))));
                return 0;
            }
            case ["score-images", var model, var listFile, var output]:
            {
                var ml = new MLContext(seed: 99);
                var pipeline = ml.Model.LoadWithHyperGan(model, out var schema);
                var rows = File.ReadAllLines(listFile).Select(l => l.Split('\t')).Select(p =>
                    new ImagePipelineTests.ImageRow { ImagePath = p[0], Label = p[1] });
                File.WriteAllBytes(output, Scores.Dump(pipeline.Transform(ml.Data.LoadFromEnumerable(rows))));
                return 0;
            }
            case ["allocator-tuning"]:
            {
                // Bytes glibc holds in separately mapped blocks while a 64 MB tensor is alive: 0 when the tuning keeps
                // large blocks in the heap (M_MMAP_MAX = 0), at least 64 MB with glibc's defaults.
                using var large = TorchSharp.torch.ones(16L << 20);
                Console.WriteLine(MallocInfo.MappedBytes());
                Console.WriteLine(AllocatorTuning.Apply());
                return 0;
            }
            default:
                Console.Error.WriteLine("usage: score-digits <pipeline> <out> | score-decisions <pipeline> <out> | score-batches <pipeline> " +
                    "<report> | score-images <pipeline> <list.tsv> <out> | allocator-tuning");
                return 2;
        }
    }

    /// <summary>
    /// How long a child process may run before the test calls it hung. A guard against hangs, not a speed test, because
    /// the machine is shared (the 3,100-batch scoring child once needed more than 3 minutes beside a training job).
    /// </summary>
    public static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(20);

    /// <summary>Runs <c>dotnet HyperGan.ML.Tests.dll args</c> and returns its standard output; fails the test on a non-zero exit.</summary>
    public static string Run(params string[] args) =>
        Dotnet(Environment.CurrentDirectory, HangGuard, [typeof(ChildProcess).Assembly.Location, .. args]);

    /// <summary>Like <see cref="Run"/>, with environment variables set (or removed, for a null value) in the child.</summary>
    public static string RunWith(IReadOnlyDictionary<string, string?> environment, params string[] args) =>
        Dotnet(Environment.CurrentDirectory, HangGuard, environment, [typeof(ChildProcess).Assembly.Location, .. args]);

    /// <summary>Runs the dotnet host (the one running the tests) with <paramref name="args"/>; fails the test on a timeout or a non-zero
    /// exit.</summary>
    public static string Dotnet(string workingDirectory, TimeSpan timeout, params string[] args) =>
        Dotnet(workingDirectory, timeout, new Dictionary<string, string?>(), args);

    static string Dotnet(string workingDirectory, TimeSpan timeout, IReadOnlyDictionary<string, string?> environment, string[] args)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var start = new ProcessStartInfo(dotnet) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in environment)
            if (value is null) start.Environment.Remove(name); else start.Environment[name] = value;
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(timeout), $"dotnet {string.Join(' ', args)} did not finish in {timeout}");
        Assert.True(process.ExitCode == 0, $"dotnet {string.Join(' ', args)} exited with {process.ExitCode}:\n{stdout.Result}\n{stderr.Result}");
        return stdout.Result;
    }
}

/// <summary>The HyperGAN output columns of a scored view as raw bytes, for bit-exact comparisons.</summary>
internal static class Scores
{
    public static byte[] Dump(IDataView scored)
    {
        var values = new List<float>();
        var flag = scored.Schema.GetColumnOrNull("IsOutOfDistribution");
        var set = scored.Schema.GetColumnOrNull("PredictionSet");
        using var cursor = scored.GetRowCursor(scored.Schema.Where(c =>
            c.Name is "Score" or "PredictiveEntropy" or "Disagreement" or "IsOutOfDistribution" or "PredictionSet"));
        var score = cursor.GetGetter<VBuffer<float>>(scored.Schema["Score"]);
        var entropy = cursor.GetGetter<float>(scored.Schema["PredictiveEntropy"]);
        var disagreement = cursor.GetGetter<float>(scored.Schema["Disagreement"]);
        var flagged = flag is { } f ? cursor.GetGetter<bool>(f) : null;
        var members = set is { } m ? cursor.GetGetter<VBuffer<bool>>(m) : null;
        VBuffer<float> s = default;
        VBuffer<bool> inSet = default;
        float h = 0, mi = 0;
        bool isOut = false;
        while (cursor.MoveNext())
        {
            score(ref s);
            entropy(ref h);
            disagreement(ref mi);
            values.AddRange(s.DenseValues());
            values.Add(h);
            values.Add(mi);
            if (flagged is not null) { flagged(ref isOut); values.Add(isOut ? 1 : 0); }
            if (members is not null) { members(ref inSet); values.AddRange(inSet.DenseValues().Select(b => b ? 1f : 0f)); }
        }
        return System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.ToArray().AsSpan()).ToArray();
    }
}

/// <summary>glibc's malloc statistics (Linux only).</summary>
static class MallocInfo
{
    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    struct Mallinfo2 { public nuint Arena, Ordblks, Smblks, Hblks, Hblkhd, Usmblks, Fsmblks, Uordblks, Fordblks, Keepcost; }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "mallinfo2")]
    static extern Mallinfo2 mallinfo2();

    /// <summary>Bytes in blocks malloc mapped on their own (mallinfo2's hblkhd).</summary>
    public static ulong MappedBytes() => mallinfo2().Hblkhd;
}
