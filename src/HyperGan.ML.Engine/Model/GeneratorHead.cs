namespace HyperGan.ML.Engine.Model;

/// <summary>How a layer generator G_k turns its code into all parameters of target layer k.</summary>
public enum GeneratorHead
{
    /// <summary>
    /// The paper's head: a dense output layer of <see cref="HyperGanArchitecture.HiddenUnits"/> × (the layer's parameter
    /// count) weights. Faithful (<see cref="HyperGanArchitecture.Paper"/>), but it holds most of the model (16 M of the
    /// MNIST target's parameters at width 512).
    /// </summary>
    Full,
    /// <summary>
    /// A chunked hypernetwork head (Ha et al. 2016; von Oswald et al. 2020): a learned base vector of the layer's
    /// parameters plus a code-dependent part emitted in chunks of <see cref="HyperGanArchitecture.ChunkSize"/> values,
    /// each from the code together with a learned embedding of the chunk's position. See <see cref="ChunkedLayerGenerator"/>.
    /// The default, with <see cref="HyperGanArchitecture.BaseNetworks"/> holding the networks' shared part: alone (no base
    /// networks) its one learned base vector trains slowly and its networks were individually weak with a function-space
    /// term (MNIST-5000 at the paper's sizes: one network 84 % vs 97.6 %); with 10 bases it matched the full head on
    /// validation images (docs/diversity.md, docs/performance.md).
    /// </summary>
    Chunked,
}
