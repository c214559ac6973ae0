using System.Diagnostics;
using System.IO.Compression;
using System.Xml.Linq;
using Xunit;
using Xunit.Abstractions;

namespace HyperGan.ML.Tests;

/// <summary>
/// Packs the three libraries with a unique pre-release version, restores them into samples/NuGetConsumer (a project
/// outside the solution, with its own nuget.config) and runs it: what a user on a fresh machine gets from NuGet.
/// </summary>
[Trait(Speed.Trait, Speed.Slow)] // trains networks or runs apps: left out of the fast inner loop (CONTRIBUTING.md)
public class NuGetPackageTests(ITestOutputHelper output)
{
#if DEBUG
    const string Configuration = "Debug";
#else
    const string Configuration = "Release";
#endif

    [Fact]
    public void Packed_packages_restore_from_a_local_feed_into_a_consumer_app_that_trains_scores_and_reloads()
    {
        var version = $"0.1.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";
        var feed = Directory.CreateTempSubdirectory("hypergan-feed-").FullName;
        var consumer = Path.Combine(TestData.RepoRoot, "samples", "NuGetConsumer");
        try
        {
            // The solution was just built by `dotnet test`; pack those binaries as they are.
            Run(TestData.RepoRoot, "pack", "HyperGan.ML.sln", "-c", Configuration, "--no-build", "-o", feed,
                $"--property:VersionSuffix={version[6..]}");
            var packages = Directory.GetFiles(feed, "*.nupkg").Select(p => Path.GetFileName(p)!).Order().ToArray();
            Assert.Equal([$"HyperGan.ML.{version}.nupkg", $"HyperGan.ML.Engine.{version}.nupkg", $"HyperGan.ML.Evaluation.{version}.nupkg"],
                packages);
            Assert.Equal(3, Directory.GetFiles(feed, "*.snupkg").Length);
            // Evaluation: the held-out report's NLL and ECE; OnnxSharp: ONNX export
            CheckPackage(Path.Combine(feed, $"HyperGan.ML.{version}.nupkg"), version,
                ["HyperGan.ML.Engine", "HyperGan.ML.Evaluation", "Microsoft.ML", "OnnxSharp", "System.IO.Hashing"]);
            // managed TorchSharp only: the app picks the backend
            CheckPackage(Path.Combine(feed, $"HyperGan.ML.Engine.{version}.nupkg"), version, ["TorchSharp"]);

            Run(consumer, "build", "-c", "Release", $"--property:HyperGanMLVersion={version}", $"--property:RestoreAdditionalProjectSources={feed}");
            var stdout = Run(consumer, Path.Combine(consumer, "bin", "Release", "net10.0", "NuGetConsumer.dll"));
            output.WriteLine(stdout);
            Assert.Contains("consumer: OK", stdout);
            // The Debian-12 native fix travels inside the package: the consumer's load goes the same way as this process's.
            Assert.Contains($"native TorchSharp library: {HyperGan.ML.Engine.Native.TorchNativeLoader.Report!.Action}", stdout);
            var assets = File.ReadAllText(Path.Combine(consumer, "obj", "project.assets.json"));
            Assert.Contains($"HyperGan.ML/{version}", assets); // restored from the package, not a project reference
        }
        finally
        {
            Directory.Delete(feed, recursive: true);
            // Leave no test versions in the machine's package cache.
            var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            foreach (var id in new[] { "hypergan.ml", "hypergan.ml.engine", "hypergan.ml.evaluation" })
            {
                var dir = Path.Combine(cache, id, version);
                if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
            }
        }
    }

    static void CheckPackage(string nupkg, string version, string[] dependencies)
    {
        using var zip = ZipFile.OpenRead(nupkg);
        var id = Path.GetFileName(nupkg)[..^($".{version}.nupkg".Length)];
        Assert.NotNull(zip.GetEntry("PACKAGE-README.md"));
        Assert.NotNull(zip.GetEntry("LICENSE"));
        Assert.NotNull(zip.GetEntry($"lib/net10.0/{id}.xml")); // XML docs
        XNamespace ns = "http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd";
        XDocument nuspec;
        using (var s = zip.GetEntry($"{id}.nuspec")!.Open()) nuspec = XDocument.Load(s);
        var metadata = nuspec.Root!.Element(ns + "metadata")!;
        Assert.Equal(version, metadata.Element(ns + "version")!.Value);
        Assert.Equal("MIT", metadata.Element(ns + "license")!.Value);
        Assert.False(string.IsNullOrWhiteSpace(metadata.Element(ns + "description")!.Value));
        Assert.NotNull(metadata.Element(ns + "repository")?.Attribute("commit"));
        Assert.Equal(dependencies.Order(), metadata.Descendants(ns + "dependency").Select(d => d.Attribute("id")!.Value).Order());
    }

    string Run(string workingDirectory, params string[] args)
    {
        var clock = Stopwatch.StartNew();
        var stdout = ChildProcess.Dotnet(workingDirectory, ChildProcess.HangGuard, args);
        output.WriteLine($"dotnet {string.Join(' ', args.Take(2))} … {clock.Elapsed.TotalSeconds:F1} s");
        return stdout;
    }
}
