using System.IO.Compression;
using System.Text.Json;
using HyperGan.ML.Engine.Ensembles;
using HyperGan.ML.Engine.Model;
using HyperGan.ML.Engine.Native;
using HyperGan.ML.Engine.Persistence;

namespace HyperGan.ML;

/// <summary>
/// One <see cref="HyperGanEnsembleTransformer"/> inside a pipeline file: <c>transformer.json</c> (options, input shape,
/// label key values, seed), <c>model.hgan</c> (the generator, <see cref="ModelFile"/> format) and, when the ensemble
/// is frozen, <c>ensemble.bin</c> (the sampled networks' weights, so scores after loading are bit-identical).
/// </summary>
internal static class HyperGanTransformerFile
{
    sealed record State(HyperGanEnsembleOptions Options, int[] InputShape, LabelKeyValues? KeyValues, int Seed, bool Frozen, int Members,
        HeldOutCalibration? Calibration = null, EpochMetrics[]? History = null);

    static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() }
    };

    public static void Write(HyperGanEnsembleTransformer transformer, ZipArchive zip, string folder)
    {
        var scorer = transformer.Scorer;
        var state = new State(transformer.Options, transformer.InputShape.ToArray(), transformer.KeyValues, scorer.Seed, scorer.Frozen is not null,
            scorer.Members, scorer.Calibration, transformer.TrainingHistory.ToArray());
        using (var s = PipelineZip.CreateEntry(zip, folder + "transformer.json").Open()) JsonSerializer.Serialize(s, state, Json);
        using (var s = PipelineZip.CreateEntry(zip, folder + "model.hgan").Open()) s.Write(ModelFile.ToBytes(transformer.Model));
        if (scorer.Frozen is { } frozen)
            using (var s = PipelineZip.CreateEntry(zip, folder + "ensemble.bin").Open()) EnsembleFile.Write(frozen, s);
    }

    public static HyperGanEnsembleTransformer Read(ZipArchive zip, string folder, string source)
    {
        TorchBackend.Initialize();
        // A file saved before an option existed reads it as it was then (off), not as today's default.
        var state = OptionsAddedLater.Deserialize<State>(ReadEntry(zip, folder + "transformer.json", source), Json, architectureNested: false)
            ?? throw new InvalidDataException($"'{source}': {folder}transformer.json is empty.");
        Check(state, source, folder);
        var model = ModelFile.FromBytes(ReadEntry(zip, folder + "model.hgan", source), $"{source}:{folder}model.hgan");
        try
        {
            if (!model.Target.InputShape.SequenceEqual(state.InputShape))
                throw new InvalidDataException($"'{source}': the stored input shape [{string.Join(", ", state.InputShape)}] does not match the " +
                    $"model's target [{string.Join(", ", model.Target.InputShape)}].");
            if (state.KeyValues is { } keys && keys.Count != model.Target.OutputSize)
                throw new InvalidDataException(
                    $"'{source}': {folder}transformer.json lists {keys.Count} label values for a model of {model.Target.OutputSize} classes.");
            EnsembleScorer scorer;
            if (state.Frozen)
            {
                using var stream = new MemoryStream(ReadEntry(zip, folder + "ensemble.bin", source));
                SampledEnsemble frozen;
                try { frozen = EnsembleFile.Read(stream, model.Target, model.Model.Device); }
                catch (InvalidDataException e) { throw new InvalidDataException($"'{source}': {folder}ensemble.bin: {e.Message}", e); }
                if (frozen.Count != state.Members)
                {
                    frozen.Dispose();
                    throw new InvalidDataException(
                        $"'{source}': {folder}ensemble.bin holds {frozen.Count} networks; transformer.json says {state.Members}.");
                }
                scorer = EnsembleScorer.FromFrozen(model, frozen, state.InputShape, state.Seed);
            }
            else scorer = EnsembleScorer.Create(model, state.Members, freeze: false, state.InputShape, state.Seed);
            scorer.Calibration = state.Calibration;
            return new HyperGanEnsembleTransformer(model, state.Options, state.InputShape, state.KeyValues, scorer, state.History ?? []);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    // The options a valid file can hold: what the estimator accepts, and a positive number of networks that matches them.
    static void Check(State state, string source, string folder)
    {
        if (state.Options is null || state.InputShape is null || state.InputShape.Length == 0 || state.InputShape.Any(d => d <= 0))
            throw new InvalidDataException($"'{source}': {folder}transformer.json lacks the options or input shape.");
        try { HyperGanEnsembleEstimator.ValidateOptions(state.Options); }
        catch (ArgumentException e) { throw new InvalidDataException($"'{source}': {folder}transformer.json holds invalid options: {e.Message}", e); }
        if (state.KeyValues is { } keys && !keys.IsReadable())
            throw new InvalidDataException(
                $"'{source}': {folder}transformer.json holds label values that do not parse as their type '{keys.ItemType}'.");
        var o = state.Options;
        if ((o.Calibrate || o.OutOfDistributionFalseAlarmRate is not null || o.Coverage is not null) &&
            (state.Calibration is not { } c || (o.OutOfDistributionFalseAlarmRate is not null) != (c.OutOfDistributionThreshold is not null)
             || (o.Coverage is not null) != (c.ConformalThreshold is not null) || !(c.Temperature > 0) || !(c.TopLabel.Slope >= 0)
             || !double.IsFinite(c.TopLabel.Slope) || !double.IsFinite(c.TopLabel.Intercept)))
            throw new InvalidDataException(
                $"'{source}': {folder}transformer.json asks for calibration or thresholds its stored calibration does not hold.");
        if (state.Members != state.Options.EnsembleSize)
            throw new InvalidDataException(
                $"'{source}': {folder}transformer.json says {state.Members} networks but EnsembleSize {state.Options.EnsembleSize}.");
    }

    // PipelineZip.ReadAll checks the size and CRC-32: a damaged entry throws InvalidDataException
    static byte[] ReadEntry(ZipArchive zip, string name, string source) =>
        PipelineZip.ReadAll(zip.GetEntry(name)
            ?? throw new InvalidDataException($"'{source}' is missing '{name}'; it was not written by SaveWithHyperGan or is damaged."), source);
}
