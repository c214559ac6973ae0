using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace HyperGan.ML.Experiments.Runs;

/// <summary>
/// Means over training seeds of committed runs: run folders whose names differ only in a trailing <c>-sN</c> (no suffix =
/// seed 1) and whose result.json give distinct seeds form a group, and each method's figures become "mean ± std" over the
/// group's seeds. This is where the README's multi-seed figures are read from, so they are regenerated with the runs
/// rather than averaged by hand.
/// </summary>
public static partial class SeedGroups
{
    /// <summary>A figure of a table row: the JSON field, its column header and format (or a ratio of two fields).</summary>
    sealed record Column(string Header, string Format, Func<JsonElement, double?> Value);

    static Column Field(string name, string header, string format) => new(header, format, row => Number(row, name));

    // ood and table4: one row per method.
    static readonly Column[] MethodColumns =
    [
        Field("Accuracy", "accuracy %", "F2"), Field("Nll", "NLL", "F3"), Field("Ece", "ECE", "F3"),
        Field("OutliersBelow08", "outliers H < 0.8 %", "F1"), Field("AuRoc", "AUROC (entropy)", "F3"),
        Field("AuRocMutualInformation", "AUROC (MI)", "F3"),
    ];

    // regression: one row per ensemble size.
    static readonly Column[] BandColumns =
    [
        Field("RmseInside", "RMSE inside", "F2"), Field("StdInside", "σ inside", "F1"), Field("StdOutside", "σ outside", "F1"),
        new("σ outside / inside", "F1", row => Number(row, "StdOutside") / Number(row, "StdInside")),
        Field("TruthCoveredOutside", "truth covered outside", "F2"),
    ];

    [GeneratedRegex(@"-s(\d+)$")]
    private static partial Regex SeedSuffix();

    /// <summary>The group a run folder belongs to: its name without a trailing <c>-sN</c>.</summary>
    /// <param name="folderName">The run folder's name.</param>
    public static string GroupName(string folderName) => SeedSuffix().Replace(folderName, "");

    /// <summary>Markdown tables of mean ± std over the seeds of every group of two or more runs with distinct seeds;
    /// empty when there is none.</summary>
    /// <param name="runFolders">Run folders, each holding a result.json.</param>
    public static string Markdown(IEnumerable<string> runFolders)
    {
        var text = new StringBuilder();
        var groups = runFolders.Where(d => File.Exists(Path.Combine(d, "result.json")))
            .GroupBy(d => GroupName(Path.GetFileName(d))).OrderBy(g => g.Key, StringComparer.Ordinal);
        foreach (var group in groups)
        {
            var runs = group.Select(d => (Name: Path.GetFileName(d), Json: JsonDocument.Parse(File.ReadAllText(Path.Combine(d, "result.json")))))
                .Select(r => (r.Name, Seed: r.Json.RootElement.GetProperty("meta").GetProperty("seed").GetInt32(),
                    Results: r.Json.RootElement.GetProperty("results")))
                .OrderBy(r => r.Seed).ToList();
            if (runs.Count < 2 || runs.Select(r => r.Seed).Distinct().Count() != runs.Count) continue;
            var tables = TablesOf(runs[0].Results);
            if (tables.Count == 0) continue;
            text.AppendLine(CultureInfo.InvariantCulture,
                $"### {group.Key}: seeds {string.Join(", ", runs.Select(r => r.Seed))} ({string.Join(", ", runs.Select(r => r.Name))})");
            text.AppendLine();
            // The budget lines name the objective and the head: runs that differ there are not seeds of one setting.
            if (runs.Any(r => Described(r.Results) != Described(runs[0].Results)))
            {
                text.AppendLine("Not averaged: the runs' budget lines differ (not the same setting).");
                text.AppendLine();
                continue;
            }
            foreach (var (table, columns, key) in tables)
            {
                var perSeed = runs.Select(r => r.Results.TryGetProperty(table, out var rows) && rows.ValueKind == JsonValueKind.Array
                    ? rows.EnumerateArray().ToDictionary(row => KeyOf(row, key)) : []).ToList();
                var trainSeconds = runs.Select(r => r.Results.TryGetProperty(table.Replace(": rows", ": trainSeconds"), out var s)
                    && s.ValueKind == JsonValueKind.Object ? s : (JsonElement?)null).ToList();
                bool timed = table.EndsWith(": rows", StringComparison.Ordinal) && trainSeconds.All(s => s is not null);
                text.AppendLine(CultureInfo.InvariantCulture, $"**{table}**, mean ± std over {runs.Count} seeds");
                text.AppendLine();
                var headers = columns.Select(c => c.Header).Concat(timed ? ["train s"] : Array.Empty<string>()).ToList();
                text.AppendLine(CultureInfo.InvariantCulture, $"| {key} | {string.Join(" | ", headers)} |");
                text.AppendLine(CultureInfo.InvariantCulture, $"|---|{string.Concat(headers.Select(_ => "---|"))}");
                foreach (var name in perSeed[0].Keys.Where(k => perSeed.All(p => p.ContainsKey(k))))
                {
                    var cells = columns.Select(c => Cell(perSeed.Select(p => c.Value(p[name])), c.Format)).ToList();
                    if (timed) cells.Add(Cell(trainSeconds.Select(s => TrainSeconds(s!.Value, name)), "F0"));
                    text.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {string.Join(" | ", cells)} |");
                }
                text.AppendLine();
            }
        }
        return text.ToString();
    }

    static List<(string Table, Column[] Columns, string Key)> TablesOf(JsonElement results) =>
        results.EnumerateObject()
            .Where(p => p.Value.ValueKind == JsonValueKind.Array && p.Value.GetArrayLength() > 0)
            .Select(p => p.Name.EndsWith(": rows", StringComparison.Ordinal) ? (p.Name, MethodColumns, "Method")
                : p.Name == "bands" ? (p.Name, BandColumns, "Networks") : (p.Name, (Column[]?)null, ""))
            .Where(t => t.Item2 is not null).Select(t => (t.Item1, t.Item2!, t.Item3)).ToList();

    static string Described(JsonElement results) => string.Join("\n",
        results.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String).Select(p => $"{p.Name}: {p.Value.GetString()}"));

    /// <summary>A method's training seconds; the rows "HyperGAN (N)" share the one generator's ("HyperGAN").</summary>
    static double? TrainSeconds(JsonElement trainSeconds, string method) =>
        trainSeconds.TryGetProperty(method, out var t) || trainSeconds.TryGetProperty(MemberCount().Replace(method, ""), out t)
            ? t.GetDouble() : null;

    [GeneratedRegex(@" \(\d+\)$")]
    private static partial Regex MemberCount();

    static string KeyOf(JsonElement row, string key) =>
        row.GetProperty(key) is var k && k.ValueKind == JsonValueKind.String ? k.GetString()! : k.GetRawText();

    /// <summary>A numeric field; null when absent or not a finite number (NaN is written as the string "NaN").</summary>
    static double? Number(JsonElement row, string name) =>
        row.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.GetDouble() is var d && double.IsFinite(d) ? d : null;

    /// <summary>"mean ± std", or "—" when a seed lacks the figure.</summary>
    static string Cell(IEnumerable<double?> values, string format)
    {
        var list = values.ToList();
        return list.All(v => v is not null) ? MeanAndStd.Format(list.Select(v => v!.Value), format) : "—";
    }
}
