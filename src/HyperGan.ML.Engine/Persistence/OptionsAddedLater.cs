using System.Text.Json;
using System.Text.Json.Nodes;

namespace HyperGan.ML.Engine.Persistence;

/// <summary>
/// Training options added after files were already being written, each with the value that describes how a model
/// saved before it existed was trained (the mechanism did not exist, so it was off). A stored options object that
/// lacks one of them would otherwise read as today's default and misstate the training, e.g. an accuracy gate of 8
/// on a model trained with a constant diversity weight.
/// </summary>
internal static class OptionsAddedLater
{
    // Option name (the same in the engine's and the ML.NET adapter's options) → its value before it existed, from the
    // stored options that lack it (null: nothing to add). Diversity and GeneratedWeightDecay: 2026-11-30 (eec4bf8);
    // DiversityAccuracyPower: 2026-12-01 (93bba89); LearningRateSchedule: 2026-12-01; CalibrationShrinkage (ML.NET
    // adapter; its maps were fitted by maximum likelihood before): 2026-12-02; BaseLearningRate: 2026-12-03, before which
    // the base networks trained at the generators' LearningRate; DiversityInputFraction: 2026-12-03, before which every
    // labelled row gave one extra mixed input.
    static readonly (string Name, Func<JsonObject, JsonNode?> Before)[] Options =
    [
        ("Diversity", _ => JsonValue.Create("None")),
        ("GeneratedWeightDecay", _ => JsonValue.Create(0.0)),
        ("DiversityAccuracyPower", _ => JsonValue.Create(0.0)),
        ("LearningRateSchedule", _ => JsonValue.Create("Constant")),
        ("CalibrationShrinkage", _ => JsonValue.Create(0.0)),
        ("BaseLearningRate", stored => stored["LearningRate"]?.DeepClone()),
        ("DiversityInputFraction", _ => JsonValue.Create(1.0)),
    ];

    // The generators' form, whose defaults changed on 2026-12-02 (the chunked head with 10 base networks): a file that
    // lacks one was written when it did not exist or had its earlier default, the paper's generators. The engine's
    // options hold them in Architecture, the ML.NET adapter's at the top level. Head: 2026-11-30 (6cca5d5); BaseNetworks:
    // 2026-12-02 (a84e5a8); the initial spreads were always written by the engine, not by the adapter before eec4bf8.
    static readonly (string Name, Func<JsonObject, JsonNode?> Before)[] Generators =
    [
        ("Head", _ => JsonValue.Create("Full")),
        ("BaseNetworks", _ => JsonValue.Create(0)),
        ("InitialSharedStd", _ => JsonValue.Create(1.0)),
        ("InitialCodeStd", _ => JsonValue.Create(0.25)),
    ];

    /// <summary>Deserialises a stored JSON object whose <c>Options</c> member holds training options, first adding every
    /// option of the tables that member lacks, with its value before it existed. <paramref name="architectureNested"/>:
    /// the generators' options sit in <c>Options.Architecture</c> (the engine's) rather than in <c>Options</c> (the
    /// adapter's).</summary>
    public static T? Deserialize<T>(byte[] json, JsonSerializerOptions serializerOptions, bool architectureNested)
    {
        var node = JsonNode.Parse(json);
        if (node?["Options"] is JsonObject options)
        {
            AddMissing(options, Options);
            if (!architectureNested) AddMissing(options, Generators);
            else if (options["Architecture"] is JsonObject architecture) AddMissing(architecture, Generators);
            else options["Architecture"] = AddMissing(new JsonObject(), Generators);
        }
        return node.Deserialize<T>(serializerOptions);
    }

    static JsonObject AddMissing(JsonObject options, (string Name, Func<JsonObject, JsonNode?> Before)[] table)
    {
        foreach (var (name, before) in table)
            if (!options.ContainsKey(name) && before(options) is { } value) options[name] = value;
        return options;
    }
}
