using System.Text.RegularExpressions;
using Xunit;
using Xunit.Abstractions;

namespace HyperGan.ML.Tests;

/// <summary>What a newcomer reads first stays true: links resolve, no build-machine paths, the essentials up front.</summary>
public class DocumentationTests(ITestOutputHelper output)
{
    static string Repo => TestData.RepoRoot;

    static IEnumerable<string> TrackedText(params string[] extensions) =>
        new[] { "README.md" }.Select(f => Path.Combine(Repo, f))
            .Concat(new[] { "docs", "src", "samples", "bench", "experiments", "tests" }.SelectMany(d =>
                Directory.EnumerateFiles(Path.Combine(Repo, d), "*", SearchOption.AllDirectories)))
            .Where(f => extensions.Contains(Path.GetExtension(f)) && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}")
                        && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"));

    [Fact]
    public void Every_docs_file_the_code_and_docs_cite_exists_and_every_relative_link_resolves()
    {
        var missing = new List<string>();
        foreach (var file in TrackedText(".md", ".cs"))
        {
            var text = File.ReadAllText(file);
            foreach (Match m in Regex.Matches(text, @"\bdocs/[A-Za-z0-9_\-/]+\.md\b"))
                if (!File.Exists(Path.Combine(Repo, m.Value))) missing.Add($"{Path.GetRelativePath(Repo, file)} cites {m.Value}");
            if (Path.GetExtension(file) != ".md") continue;
            foreach (Match m in Regex.Matches(text, @"\]\((?!https?:|#|mailto:)([^)#\s]+)(#[^)]*)?\)"))
                if (!File.Exists(Path.Combine(Path.GetDirectoryName(file)!, m.Groups[1].Value))
                    && !Directory.Exists(Path.Combine(Path.GetDirectoryName(file)!, m.Groups[1].Value)))
                    missing.Add($"{Path.GetRelativePath(Repo, file)} links {m.Groups[1].Value}");
        }
        Assert.Empty(missing);
    }

    [Fact]
    public void Committed_docs_hold_no_absolute_paths_of_a_build_machine()
    {
        var found = TrackedText(".md", ".json")
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (f, i, line)))
            .Where(x => Regex.IsMatch(x.line, @"(?<![\w.])/(work|root|home|Users)/|[A-Z]:\\Users\\"))
            .Select(x => $"{Path.GetRelativePath(Repo, x.f)}:{x.i + 1}: {x.line.Trim()[..Math.Min(120, x.line.Trim().Length)]}").ToList();
        foreach (var f in found) output.WriteLine(f);
        Assert.Empty(found);
    }

    [Fact]
    public void README_first_screen_and_package_README_carry_the_essentials()
    {
        var readme = File.ReadAllLines(Path.Combine(Repo, "README.md"));
        var firstScreen = string.Join("\n", readme.Take(60));
        foreach (var essential in new[] { "dotnet add package", "HyperGanEnsemble(", "LoadFromEnumerable", "ExtractPixels", "PredictiveEntropy",
            "Disagreement", "SaveWithHyperGan" })
            Assert.Contains(essential, firstScreen);
        var package = File.ReadAllText(Path.Combine(Repo, "src", "PACKAGE-README.md"));
        foreach (var essential in new[] { "LoadFromEnumerable", "ExtractPixels", "TargetFactory", "PredictiveEntropy", "StdDev", "LoadWithHyperGan",
            "HyperGanEnsembleOptions", "UnscorableRows", "TorchSharp-cpu" })
            Assert.Contains(essential, package);
        Assert.DoesNotContain("docs/` folder", package); // a NuGet user cannot follow the repository's docs from the package
    }

    [Fact]
    public void Src_holds_only_the_three_packed_libraries()
    {
        var projects = Directory.EnumerateFiles(Path.Combine(Repo, "src"), "*.csproj", SearchOption.AllDirectories)
            .Select(p => Path.GetFileNameWithoutExtension(p)!).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(new[] { "HyperGan.ML", "HyperGan.ML.Engine", "HyperGan.ML.Evaluation" }, projects);
        foreach (var project in projects)
            Assert.DoesNotContain("<IsPackable>false", File.ReadAllText(Path.Combine(Repo, "src", project, project + ".csproj")));
        // The product's tests stand on the product alone: experiment code lives in tests/HyperGan.ML.Experiments.Tests.
        var references = typeof(DocumentationTests).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();
        Assert.DoesNotContain("HyperGan.ML.Experiments", references);
        Assert.DoesNotContain("HyperGan.ML.Plots", references);
        Assert.Contains("HyperGan.ML", references);
    }

    [Fact]
    public void Every_CSharp_line_fits_the_editorconfig_line_length()
    {
        // The limit lives in .editorconfig (editors show it there); dotnet format does not wrap lines, so this test enforces it.
        var limit = int.Parse(File.ReadLines(Path.Combine(Repo, ".editorconfig")).Select(l => l.Split('=', 2, StringSplitOptions.TrimEntries))
            .First(kv => kv is ["max_line_length", var v] && v != "off")[1], System.Globalization.CultureInfo.InvariantCulture);
        var tooLong = new[] { "src", "tests", "experiments", "bench", "samples" }
            .SelectMany(folder => Directory.EnumerateFiles(Path.Combine(Repo, folder), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: Path.GetRelativePath(Repo, f), Line: i + 1, line.Length)))
            .Where(l => l.Length > limit).ToList();
        Assert.True(tooLong.Count == 0, $"{tooLong.Count} lines are longer than {limit} characters: " +
            string.Join(", ", tooLong.Take(20).Select(l => $"{l.File}:{l.Line} ({l.Length})")));
    }
}
