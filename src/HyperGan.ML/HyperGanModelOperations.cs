using System.IO.Compression;
using System.Text.Json;
using HyperGan.ML;
using HyperGan.ML.Engine.Model;
using HyperGan.ML.Engine.Persistence;
using Microsoft.ML.Data;

namespace Microsoft.ML;

/// <summary>
/// Saves and loads whole fitted pipelines that contain <see cref="HyperGanEnsembleTransformer"/>s, e.g.
/// LoadImages → ResizeImages → ExtractPixels → HyperGanEnsemble → MapKeyToValue, as one file.
/// <c>mlContext.Model.Save</c> cannot: ML.NET keeps the API its own transformers use to save themselves internal.
/// </summary>
/// <remarks>
/// The file is a zip: <c>manifest.json</c>, the input schema, every run of ML.NET transformers saved by ML.NET's own
/// <c>Model.Save</c>, and each HyperGAN transformer's generator, options and (frozen) sampled networks. Loading reads
/// only data — JSON, ML.NET model streams and raw float tensors — and runs no code from the file.
/// </remarks>
public static class HyperGanModelOperations
{
    const string Format = "hypergan-ml-pipeline";
    static readonly FormatVersions Versions = new("pipeline", Current: 1, OldestReadable: 1);
    static readonly JsonSerializerOptions IndentedJson = new() { WriteIndented = true };

    sealed record Manifest(string Format, int Version, string Library, List<Part> Parts);
    sealed record Part(string Kind, string Entry);

    /// <summary>
    /// Saves <paramref name="model"/> (a fitted pipeline, or a single transformer) with <paramref name="inputSchema"/> to
    /// <paramref name="filePath"/> atomically: the file is written under a temporary name and renamed, so a failed save
    /// leaves any earlier file untouched.
    /// </summary>
    /// <param name="catalog"><c>mlContext.Model</c>.</param>
    /// <param name="model">The fitted pipeline.</param>
    /// <param name="inputSchema">Schema of the data the pipeline was fitted on (e.g. <c>data.Schema</c>); may be null.</param>
    /// <param name="filePath">Destination file. Load it with <see cref="LoadWithHyperGan"/>: <c>mlContext.Model.Load</c> cannot read it
    /// (it fails with "Could not load legacy format model").</param>
    /// <exception cref="NotSupportedException">A transformer in the pipeline cannot be saved by ML.NET.</exception>
    public static void SaveWithHyperGan(this ModelOperationsCatalog catalog, ITransformer model, DataViewSchema? inputSchema, string filePath)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(filePath);
        var transformers = Flatten(model).ToList();
        AtomicFile.Write(filePath, file =>
        {
            using var zip = new ZipArchive(file, ZipArchiveMode.Create, leaveOpen: true);
            WriteParts(catalog, zip, transformers, inputSchema);
        });
    }

    /// <summary>
    /// Loads a pipeline saved by <see cref="SaveWithHyperGan"/> and returns it as a transformer chain; an ordinary ML.NET
    /// model file (written by <c>mlContext.Model.Save</c>) loads too, through ML.NET, so one call loads either.
    /// </summary>
    /// <param name="catalog"><c>mlContext.Model</c>: ML.NET parts are loaded into its context.</param>
    /// <param name="filePath">A file written by <see cref="SaveWithHyperGan"/> or by <c>mlContext.Model.Save</c>.</param>
    /// <param name="inputSchema">The schema saved with the pipeline (null when none was given).</param>
    /// <exception cref="FileNotFoundException">No file at <paramref name="filePath"/>.</exception>
    /// <exception cref="InvalidDataException">The file is neither kind of model file, has an unsupported version, or is damaged; the message
    /// names the part.</exception>
    public static ITransformer LoadWithHyperGan(this ModelOperationsCatalog catalog, string filePath, out DataViewSchema? inputSchema)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrWhiteSpace(filePath);
        if (!File.Exists(filePath)) throw new FileNotFoundException($"No model file at '{filePath}'.", filePath);
        using var file = File.OpenRead(filePath);
        try
        {
            using var zip = new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: true);
            if (zip.GetEntry("manifest.json") is { } manifestEntry) return LoadPipeline(catalog, zip, manifestEntry, filePath, out inputSchema);
        }
        // names the file and the part already
        catch (InvalidDataException e) when (e.Message.StartsWith($"'{filePath}'", StringComparison.Ordinal)) { throw; }
        catch (Exception e) when (IsDamage(e))
        {
            throw new InvalidDataException($"'{filePath}' is not a model file this library can read ({e.Message}). " +
                "mlContext.Model.LoadWithHyperGan reads pipelines written by SaveWithHyperGan and ML.NET model files written by " +
                    "mlContext.Model.Save; " +
                "generator files (.hgan) load with TrainedHyperGan.Load.", e);
        }
        // No manifest: an ordinary ML.NET model file (mlContext.Model.Save), or not a model at all.
        file.Position = 0;
        try { return catalog.Load(file, out inputSchema); }
        catch (Exception e) when (IsDamage(e))
        {
            throw new InvalidDataException(
                $"'{filePath}' is neither a HyperGan.ML pipeline (it has no manifest.json; those are written by SaveWithHyperGan) " +
                $"nor an ML.NET model file that ML.NET can load: {e.Message.TrimEnd('.')}. " +
                "If ML.NET names an unknown loader (e.g. an image transform), register its assembly first: " +
                    "mlContext.ComponentCatalog.RegisterAssembly(typeof(ImageLoadingTransformer).Assembly).", e);
        }
    }

    // Exceptions that mean "this file's content is not what it should be", as opposed to I/O failures or a missing native library.
    static bool IsDamage(Exception e) => e is InvalidDataException or EndOfStreamException or System.Text.Json.JsonException or FormatException
        or ArgumentException or InvalidOperationException or NotSupportedException or OverflowException or IndexOutOfRangeException
        or KeyNotFoundException or InvalidCastException or NullReferenceException
        && e is not HyperGan.ML.Engine.Native.TorchNativeLoadException;

    static TransformerChain<ITransformer> LoadPipeline(ModelOperationsCatalog catalog, ZipArchive zip, ZipArchiveEntry manifestEntry, string filePath,
        out DataViewSchema? inputSchema)
    {
        var manifest = JsonSerializer.Deserialize<Manifest>(PipelineZip.ReadAll(manifestEntry, filePath, MaxManifestBytes))
            ?? throw new InvalidDataException($"'{filePath}' has an empty manifest.");
        if (manifest.Format != Format) throw new InvalidDataException(
            $"'{filePath}' is not a HyperGan.ML pipeline file (format '{manifest.Format}').");
        Versions.CheckReadable(manifest.Version, $"'{filePath}'", manifest.Library);
        if (manifest.Parts is null || manifest.Parts.Count == 0) throw new InvalidDataException($"'{filePath}' lists no parts in its manifest.");

        inputSchema = null;
        if (zip.GetEntry("input-schema.zip") is { } schemaEntry)
            LoadMlNet(catalog, schemaEntry, filePath, out inputSchema);
        var parts = new List<ITransformer>();
        foreach (var part in manifest.Parts)
            parts.Add(part?.Kind switch
            {
                "mlnet" => LoadMlNet(catalog, zip.GetEntry(part.Entry) ?? throw new InvalidDataException($"'{filePath}' is missing '{part.Entry}'."),
                    filePath, out _),
                "hypergan" => HyperGanTransformerFile.Read(zip, part.Entry, filePath),
                _ => throw new InvalidDataException(
                    $"'{filePath}' has a part of unknown kind '{part?.Kind}'; it was written by a newer HyperGan.ML or is damaged."),
            });
        return new TransformerChain<ITransformer>(parts.ToArray());
    }

    const long MaxManifestBytes = 1 << 20;

    static void WriteParts(ModelOperationsCatalog catalog, ZipArchive zip, List<ITransformer> transformers, DataViewSchema? inputSchema)
    {
        var parts = new List<Part>();
        if (inputSchema is not null) SaveMlNet(catalog, zip, "input-schema.zip", [], inputSchema);
        var schema = inputSchema;
        for (int i = 0; i < transformers.Count;)
        {
            var entry = $"parts/{parts.Count}";
            if (transformers[i] is HyperGanEnsembleTransformer hypergan)
            {
                HyperGanTransformerFile.Write(hypergan, zip, entry + "/");
                parts.Add(new Part("hypergan", entry + "/"));
                schema = schema is null ? null : hypergan.GetOutputSchema(schema);
                i++;
                continue;
            }
            // A run of ML.NET transformers goes into one ML.NET model stream, saved by ML.NET itself.
            var run = transformers.Skip(i).TakeWhile(t => t is not HyperGanEnsembleTransformer).ToArray();
            SaveMlNet(catalog, zip, entry + ".zip", run, schema);
            parts.Add(new Part("mlnet", entry + ".zip"));
            foreach (var t in run) schema = schema is null ? null : t.GetOutputSchema(schema);
            i += run.Length;
        }
        var library = typeof(HyperGanEnsembleTransformer).Assembly.GetName().Version?.ToString() ?? "unknown";
        using var s = PipelineZip.CreateEntry(zip, "manifest.json").Open();
        JsonSerializer.Serialize(s, new Manifest(Format, Versions.Current, library, parts), IndentedJson);
    }

    static void SaveMlNet(ModelOperationsCatalog catalog, ZipArchive zip, string name, ITransformer[] run, DataViewSchema? schema)
    {
        using var buffer = new MemoryStream(); // ML.NET's writer may seek; zip entry streams cannot
        catalog.Save(new TransformerChain<ITransformer>(run), schema, buffer);
        buffer.Position = 0;
        using var repacked = PipelineZip.Repack(buffer); // ML.NET's zip stamps its entries with the time of saving
        using var s = PipelineZip.CreateEntry(zip, name, CompressionLevel.NoCompression).Open(); // already a zip
        repacked.CopyTo(s);
    }

    static ITransformer LoadMlNet(ModelOperationsCatalog catalog, ZipArchiveEntry entry, string source, out DataViewSchema? schema)
    {
        using var buffer = new MemoryStream(PipelineZip.ReadAll(entry, source));
        try { return catalog.Load(buffer, out schema); }
        catch (Exception e) when (IsDamage(e) && e is not InvalidDataException)
        {
            throw new InvalidDataException($"'{source}': ML.NET could not load part '{entry.FullName}': {e.Message} " +
                "If it names an unknown loader (e.g. an image transform), reference that ML.NET package and register it first: " +
                "mlContext.ComponentCatalog.RegisterAssembly(typeof(ImageLoadingTransformer).Assembly).", e);
        }
    }

    // Nested chains (Append of estimator chains) become one flat list; a HyperGAN transformer may sit anywhere in it.
    static IEnumerable<ITransformer> Flatten(ITransformer t) =>
        t is IEnumerable<ITransformer> chain ? chain.SelectMany(Flatten) : [t];
}
