using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace HyperGanBench;

/// <summary>One figure of the benchmark's table.</summary>
/// <param name="Id">A name that says what is measured: machine-ceiling, scoring-throughput, ….</param>
/// <param name="Measure">What was measured, with its configuration.</param>
/// <param name="Result">The measured value(s) as shown in the table.</param>
/// <param name="Target">The issue's target, or "reported".</param>
/// <param name="Met">Whether the target is met; null for figures that are only reported.</param>
/// <param name="Values">The raw numbers behind <paramref name="Result"/>, for the JSON.</param>
public sealed record Figure(string Id, string Measure, string Result, string Target, bool? Met, IReadOnlyDictionary<string, object> Values);

/// <summary>Collects figures and writes <c>benchmark.json</c> and <c>benchmark.md</c>.</summary>
public sealed class BenchmarkReport(MachineInfo machine)
{
    readonly List<Figure> _figures = [];
    readonly List<string> _notes = [];

    /// <summary>Adds a figure and echoes it to the console.</summary>
    public void Add(Figure figure)
    {
        _figures.Add(figure);
        Console.WriteLine($"{figure.Id}: {figure.Result} (target {figure.Target}{(figure.Met is bool met ? met ? ", met" : ", NOT met" : "")})");
    }

    /// <summary>Adds a line under the table (protocol details, caveats).</summary>
    public void Note(string text) => _notes.Add(text);

    static readonly JsonSerializerOptions ReadableJson = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes both files into <paramref name="folder"/>.</summary>
    public void Write(string folder, TimeSpan wall)
    {
        Directory.CreateDirectory(folder);
        // Figures in run order: the machine's ceiling first, the slow training figures last.
        var json = JsonSerializer.Serialize(new { machine, wallSeconds = Math.Round(wall.TotalSeconds), figures = _figures, notes = _notes },
            ReadableJson);
        File.WriteAllText(Path.Combine(folder, "benchmark.json"), json);
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"Machine: {machine}. Wall time of the run: {wall.TotalSeconds:F0} s.");
        md.AppendLine();
        md.AppendLine("| id | measure | result | target | met |");
        md.AppendLine("|---|---|---|---|---|");
        foreach (var f in _figures)
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {f.Id} | {f.Measure} | {f.Result} | {f.Target} | {(f.Met is bool met ? met ? "yes" : "**no**" : "—")} |");
        md.AppendLine();
        foreach (var note in _notes) md.AppendLine(CultureInfo.InvariantCulture, $"- {note}");
        File.WriteAllText(Path.Combine(folder, "benchmark.md"), md.ToString());
    }
}
