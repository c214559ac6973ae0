using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace HyperGan.ML.Experiments.Runs;

/// <summary>
/// One experiment run's results folder: <c>result.json</c> (figures + metadata), <c>result.md</c> (tables) and PNG
/// figures. Written as the run finishes; metadata records seed, preset, data provenance, machine and wall time.
/// </summary>
public sealed class ExperimentOutput
{
    readonly Stopwatch _clock = Stopwatch.StartNew();
    readonly List<string> _markdown = [];
    readonly List<string> _figures = [];
    readonly Dictionary<string, object?> _results = [];
    readonly List<string> _data = [];

    /// <summary>Experiment id (table4, ood, …).</summary>
    public string Id { get; }
    /// <summary>Preset it runs with.</summary>
    public Preset Preset { get; }
    /// <summary>Seed of everything.</summary>
    public int Seed { get; }
    /// <summary>HyperGAN's generator head for this run.</summary>
    public HyperGan.ML.Engine.Model.GeneratorHead Head { get; init; } = HyperGan.ML.Engine.Model.GeneratorHead.Full;
    /// <summary>The chunked head's values per chunk for this run; null = the engine's default.</summary>
    public int? ChunkSize { get; init; }
    /// <summary>HyperGAN's diversity recipe for this run; null = the engine's defaults.</summary>
    public DiversityRecipe? Recipe { get; init; }
    /// <summary>HyperGAN's networks per training step for this run; null = the preset's.</summary>
    public int? NetworksPerStep { get; init; }
    /// <summary>HyperGAN's images per training step for this run; null = the preset's.</summary>
    public int? HyperGanBatch { get; init; }
    /// <summary>The classification budget of this run's preset, with its head, recipe, networks and images per step.</summary>
    public ClassificationBudget Budget
    {
        get
        {
            var preset = ClassificationBudget.For(Preset);
            return preset with
            {
                Head = Head,
                ChunkSize = ChunkSize,
                Recipe = Recipe,
                NetworksPerStep = NetworksPerStep ?? preset.NetworksPerStep,
                HyperGanBatch = HyperGanBatch ?? preset.HyperGanBatch,
            };
        }
    }
    /// <summary>Folder receiving the files.</summary>
    public string Folder { get; }
    /// <summary>Receives progress lines.</summary>
    public Action<string> Log { get; }

    /// <summary>Creates (or reuses) <paramref name="folder"/>.</summary>
    public ExperimentOutput(string id, Preset preset, int seed, string folder, Action<string>? log = null)
    {
        Id = id;
        Preset = preset;
        Seed = seed;
        Folder = Directory.CreateDirectory(folder).FullName;
        Log = log ?? (_ => { });
    }

    /// <summary>Records where data came from (shown in the outputs).</summary>
    public void Data(string provenance) => _data.Add(provenance);
    /// <summary>Adds a result value under <paramref name="key"/>.</summary>
    public void Result(string key, object? value) => _results[key] = value;
    /// <summary>Appends markdown (tables, notes).</summary>
    public void Markdown(string text) => _markdown.Add(text);

    /// <summary>Writes a PNG figure and links it from the markdown.</summary>
    public void Figure(string name, byte[] png, string caption)
    {
        File.WriteAllBytes(Path.Combine(Folder, name), png);
        _figures.Add(name);
        _markdown.Add($"![{caption}]({name})\n\n*{caption}*\n");
    }

    /// <summary>Writes result.json and result.md; returns the wall time.</summary>
    public TimeSpan Finish()
    {
        var elapsed = _clock.Elapsed;
        var meta = new Dictionary<string, object?>
        {
            ["experiment"] = Id,
            ["preset"] = Preset.ToString().ToLowerInvariant(),
            ["presetNote"] = Preset switch
            {
                Preset.Tiny => "tiny: pipeline check only, numbers are meaningless",
                Preset.Quick => "quick: reduced budget (small generators, few epochs) — indicative, not the paper's protocol",
                _ => "full: the paper's protocol as far as this machine allows",
            },
            ["seed"] = Seed,
            ["data"] = _data,
            ["machine"] = $"{RuntimeInformation.OSDescription}, {Environment.ProcessorCount} cores, libtorch threads " +
                $"{TorchSharp.torch.get_num_threads()}, .NET {Environment.Version}",
            ["finishedUtc"] = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
            ["wallSeconds"] = Math.Round(elapsed.TotalSeconds, 1),
            ["figures"] = _figures,
        };
        var json = new Dictionary<string, object?> { ["meta"] = meta, ["results"] = _results };
        File.WriteAllText(Path.Combine(Folder, "result.json"), JsonSerializer.Serialize(json, Json));
        var header = $"# {Id} ({meta["presetNote"]})\n\nSeed {Seed}; {meta["machine"]}; finished {meta["finishedUtc"]} UTC; wall time " +
            $"{elapsed.TotalSeconds:F0} s.\n\n" +
                     string.Join("", _data.Select(d => $"- data: {d}\n")) + "\n";
        File.WriteAllText(Path.Combine(Folder, "result.md"), header + string.Join("\n", _markdown));
        return elapsed;
    }

    static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };
}
