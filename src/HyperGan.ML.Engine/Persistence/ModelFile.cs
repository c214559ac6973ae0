using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using HyperGan.ML.Engine.Model;
using HyperGan.ML.Engine.Targets;
using HyperGan.ML.Engine.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace HyperGan.ML.Engine.Persistence;

/// <summary>
/// The on-disk format of a trained HyperGAN. Layout: ASCII magic <c>HYPERGAN</c>, int32 format version, int32
/// length + UTF-8 JSON header (target architecture, training options, regression label scaling), int64 length + TorchSharp state dict
/// of all modules, then a SHA-256 of everything before it. Loading checks magic, version and checksum before
/// reading any tensor and never executes code from the file (JSON and raw tensors only).
/// </summary>
public static class ModelFile
{
    /// <summary>The versions of the model file this library writes and reads.</summary>
    // Version 2 adds the regression label scaling to the header; version 1 files read with the identity scaling (their
    // networks were trained on raw labels).
    public static FormatVersions Versions { get; } = new("model", Current: 2, OldestReadable: 1);
    static readonly byte[] Magic = "HYPERGAN"u8.ToArray();

    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = false,
        Converters = { new JsonStringEnumConverter() },
    };

    sealed record Header(TargetNetwork Target, HyperGanTrainingOptions Options, string Library, LabelScaling? LabelScaling = null);

    /// <summary>Serialises <paramref name="model"/> to bytes (the exact content <see cref="Save"/> writes).</summary>
    public static byte[] ToBytes(TrainedHyperGan model)
    {
        if (model.Model.PriorFunction is not null)
            throw new NotSupportedException("A model trained with a random prior function (the internal PriorFunctionScale of the " +
                "experiments) cannot be saved: the file format holds no prior function.");
        using var body = new MemoryStream();
        using (var writer = new BinaryWriter(body, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(Versions.Current);
            var header = JsonSerializer.SerializeToUtf8Bytes(new Header(model.Target, model.Options,
                typeof(ModelFile).Assembly.GetName().Version?.ToString() ?? "unknown", model.Model.LabelScaling), Json);
            writer.Write(header.Length);
            writer.Write(header);
            using var state = new MemoryStream();
            using (var stateWriter = new BinaryWriter(state, Encoding.UTF8, leaveOpen: true))
                model.Model.save(stateWriter);
            writer.Write(state.Length);
            state.Position = 0;
            state.CopyTo(body);
        }
        var hash = SHA256.HashData(body.GetBuffer().AsSpan(0, (int)body.Length));
        body.Write(hash);
        return body.ToArray();
    }

    /// <summary>Writes to a temporary file beside <paramref name="path"/> and renames it over the target, so an
    /// interrupted save leaves any previous file intact.</summary>
    public static void Save(TrainedHyperGan model, string path)
    {
        var bytes = ToBytes(model);
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }

    /// <summary>Reads a model file.</summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">Not a model file, damaged, or written by an unsupported format version.</exception>
    public static TrainedHyperGan Load(string path, Device? device = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"No HyperGan.ML model file at '{path}'.", path);
        return FromBytes(File.ReadAllBytes(path), path, device);
    }

    /// <summary>Reads a model from the bytes of a model file; <paramref name="source"/> names it in errors.</summary>
    public static TrainedHyperGan FromBytes(byte[] bytes, string source = "model", Device? device = null)
    {
        const int hashSize = 32;
        if (bytes.Length < Magic.Length + 4 + hashSize || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw new InvalidDataException($"'{source}' is not a HyperGan.ML model file (missing 'HYPERGAN' signature).");
        var expected = SHA256.HashData(bytes.AsSpan(0, bytes.Length - hashSize));
        if (!expected.AsSpan().SequenceEqual(bytes.AsSpan(bytes.Length - hashSize)))
            throw new InvalidDataException($"'{source}' is damaged: its checksum does not match (truncated or modified file). Re-save the model.");

        using var reader = new BinaryReader(new MemoryStream(bytes, 0, bytes.Length - hashSize), Encoding.UTF8);
        reader.ReadBytes(Magic.Length);
        int version = reader.ReadInt32();
        Versions.CheckReadable(version, $"'{source}'");
        // A header written before an option existed records it as it was then (off), not as today's default.
        var header = OptionsAddedLater.Deserialize<Header>(reader.ReadBytes(reader.ReadInt32()), Json, architectureNested: true)
                     ?? throw new InvalidDataException($"'{source}' has an empty header.");
        long stateLength = reader.ReadInt64();

        var model = new HyperGanModel(header.Target, header.Options.Architecture);
        try
        {
            using var state = new MemoryStream(reader.ReadBytes(checked((int)stateLength)));
            using var stateReader = new BinaryReader(state);
            model.load(stateReader, strict: true);
            model.LabelScaling = header.LabelScaling ?? LabelScaling.Identity;
            if (device is not null) model.to(device);
            return new TrainedHyperGan(model, header.Options);
        }
        catch (Exception e) when (e is not InvalidDataException)
        {
            model.Dispose();
            throw new InvalidDataException($"'{source}' could not be read: its weights do not match its declared architecture ({e.Message}).", e);
        }
    }
}
