using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Xunit;
using Xunit.Abstractions;

namespace HyperGan.ML.Tests;

/// <summary>docs/bad-input.md stays true: at least 60 numbered cases, each naming a test of this assembly that exists.</summary>
public class BadInputTallyTests(ITestOutputHelper output)
{
    [Fact]
    public void Every_documented_bad_input_case_names_an_existing_test_and_there_are_at_least_60()
    {
        var rows = File.ReadAllLines(Path.Combine(TestData.RepoRoot, "docs", "bad-input.md"))
            .Select(l => Regex.Match(l, @"^\| (\d+) \|.*\| `([A-Za-z0-9_]+)` \|$")).Where(m => m.Success)
            .Select(m => (Number: int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), Test: m.Groups[2].Value)).ToList();
        var tests = typeof(BadInputTallyTests).Assembly.GetTypes().SelectMany(t => t.GetMethods())
            .Where(m => m.GetCustomAttributes<FactAttribute>().Any()).Select(m => m.Name).ToHashSet();
        output.WriteLine($"{rows.Count} cases, checked by {rows.Select(r => r.Test).Distinct().Count()} tests");
        Assert.True(rows.Count >= 60, $"only {rows.Count} cases documented");
        Assert.Equal(Enumerable.Range(1, rows.Count), rows.Select(r => r.Number)); // numbered 1..N without gaps
        Assert.All(rows, r => Assert.True(tests.Contains(r.Test), $"case {r.Number} names '{r.Test}', which is not a test"));
    }
}
