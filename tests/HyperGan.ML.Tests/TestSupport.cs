using HyperGan.ML.Engine.Data;
using HyperGan.ML.Engine.Native;
using Xunit;

// Tests share 2 cores and libtorch's thread pool: run them one at a time so timings and memory stay predictable.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace HyperGan.ML.Tests;

/// <summary>Locations of the repository's vendored data, and shared fixtures.</summary>
internal static class TestData
{
    /// <summary>The checkout the tests were built from: the first folder above them that holds HyperGan.ML.sln.</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "HyperGan.ML.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException($"HyperGan.ML.sln not found above {AppContext.BaseDirectory}: run the tests from the repository.");
    }

    public static string Data(params string[] parts) => Path.Combine([RepoRoot, "data", .. parts]);

    static readonly Lazy<LabeledImages> MnistLazy = new(() =>
        LabeledImages.LoadIdx(Data("mnist", "t10k-images-idx3-ubyte.gz"), Data("mnist", "t10k-labels-idx1-ubyte.gz")));
    static readonly Lazy<LabeledImages> NotMnistLazy = new(() =>
        LabeledImages.LoadIdx(Data("notmnist", "t10k-images-idx3-ubyte.gz"), Data("notmnist", "t10k-labels-idx1-ubyte.gz")));

    /// <summary>The real MNIST test set (10,000 digits), vendored in data/mnist.</summary>
    public static LabeledImages Mnist => MnistLazy.Value;
    /// <summary>The real notMNIST sample (10,000 letters), vendored in data/notmnist.</summary>
    public static LabeledImages NotMnist => NotMnistLazy.Value;
}

internal static class TorchForTests
{
    // Test code may touch TorchSharp before any engine type; prepare the native library first.
    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Init() => TorchBackend.Initialize();
}

/// <summary>Asserts that an action throws <typeparamref name="T"/> whose message contains every phrase, and logs the message.</summary>
internal static class Expect
{
    public static T Fails<T>(Xunit.Abstractions.ITestOutputHelper output, string what, Action act, params string[] mentions) where T : Exception
    {
        var e = Assert.Throws<T>(act);
        output.WriteLine($"{what}: {typeof(T).Name}: {e.Message}");
        foreach (var m in mentions) Assert.Contains(m, e.Message);
        return e;
    }
}

/// <summary>A fresh temporary folder, deleted with everything in it on dispose.</summary>
internal sealed class TempFolder(string prefix) : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory(prefix).FullName;
    public string File(string name) => System.IO.Path.Combine(Path, name);
    public void Dispose() => Directory.Delete(Path, recursive: true);
}

/// <summary>IProgress that runs synchronously on the reporting thread (Progress&lt;T&gt; posts to the thread pool).</summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}

/// <summary>
/// The trait that splits the suite: classes that train networks, build or run apps carry <c>[Trait(Speed.Trait, Speed.Slow)]</c>.
/// Fast inner loop: <c>dotnet test tests/HyperGan.ML.Tests -c Release --filter "Speed!=Slow"</c>; <c>.ci/run</c> runs everything.
/// </summary>
internal static class Speed
{
    public const string Trait = "Speed";
    public const string Slow = "Slow";
}
