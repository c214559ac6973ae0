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
    // Option name (the same in the engine's and the ML.NET adapter's options) → its value before it existed.
    // Diversity and GeneratedWeightDecay: 2026-11-30 (eec4bf8); DiversityAccuracyPower: 2026-12-01 (93bba89);
    // LearningRateSchedule: 2026-12-01; CalibrationShrinkage (ML.NET adapter; its maps were fitted by maximum likelihood
    // before): 2026-12-02.
    static readonly (string Name, Func<JsonNode> Off)[] Options =
    [
        ("Diversity", () => JsonValue.Create("None")),
        ("GeneratedWeightDecay", () => JsonValue.Create(0.0)),
        ("DiversityAccuracyPower", () => JsonValue.Create(0.0)),
        ("LearningRateSchedule", () => JsonValue.Create("Constant")),
        ("CalibrationShrinkage", () => JsonValue.Create(0.0)),
    ];

    /// <summary>Deserialises a stored JSON object whose <c>Options</c> member holds training options, first adding every
    /// option of the table that member lacks, with its value before it existed.</summary>
    public static T? Deserialize<T>(byte[] json, JsonSerializerOptions serializerOptions)
    {
        var node = JsonNode.Parse(json);
        if (node?["Options"] is JsonObject options)
            foreach (var (name, off) in Options)
                if (!options.ContainsKey(name)) options[name] = off();
        return node.Deserialize<T>(serializerOptions);
    }
}
