using static TorchSharp.torch;

namespace HyperGan.ML.Engine.Model;

/// <summary>A layer generator G_k: codes [M, d] → the layer's raw parameters [M, P_k] (before He scaling).</summary>
public interface ILayerGenerator
{
    /// <summary>The raw parameters of the layer for each code: [M, P_k].</summary>
#pragma warning disable IDE1006 // named like TorchSharp's Module.forward, which every generator implements it with
    Tensor forward(Tensor codes);
#pragma warning restore IDE1006

    /// <summary>
    /// Initialises the output so that, for codes like <paramref name="sampleCodes"/>, every network shares a part of
    /// standard deviation <paramref name="sharedStd"/> and varies with its code by <paramref name="codeStd"/>.
    /// Uses torch's global RNG.
    /// </summary>
    void InitialiseOutput(double sharedStd, double codeStd, Tensor sampleCodes);
}
