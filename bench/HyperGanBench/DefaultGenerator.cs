using HyperGan.ML.Engine.Model;

namespace HyperGanBench;

/// <summary>The generator the engine builds by default (new <see cref="HyperGanArchitecture"/>), which sampling, many-networks and
/// fit-memory measure: what a user who sets no architecture gets.</summary>
public static class DefaultGenerator
{
    /// <summary>The default generator in words for a figure's measure column, read from the engine's defaults so it cannot go stale.</summary>
    public static string Description
    {
        get
        {
            var a = new HyperGanArchitecture();
            return $"default generator: {a.Head} head, {a.BaseNetworks} base networks, noise {a.NoiseDim}, code {a.CodeDim}, width {a.HiddenUnits}";
        }
    }
}
