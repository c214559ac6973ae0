using HyperGan.ML;

namespace Microsoft.ML;

/// <summary>Catalog extension: <c>mlContext.Transforms.HyperGanEnsemble(...)</c>.</summary>
public static class HyperGanCatalog
{
    /// <summary>
    /// Trains a HyperGAN on <paramref name="featureColumnName"/> (a known-size float vector holding images of
    /// <paramref name="imageShape"/>, planar CHW) and scores rows with <paramref name="ensembleSize"/> sampled networks.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="labelColumnName">Key-typed (MapValueToKey) or Int32 label column.</param>
    /// <param name="featureColumnName">Image pixels, e.g. from ExtractPixels.</param>
    /// <param name="imageShape">[channels, height, width] or [features]; null = the column's own dimensions (as ExtractPixels declares them).</param>
    /// <param name="ensembleSize">Networks sampled to score each row.</param>
    /// <param name="epochs">Training epochs.</param>
    public static HyperGanEnsembleEstimator HyperGanEnsemble(this TransformsCatalog catalog,
        string labelColumnName = "Label", string featureColumnName = "Features", int[]? imageShape = null, int ensembleSize = 10, int epochs = 10) =>
        catalog.HyperGanEnsemble(new HyperGanEnsembleOptions
        {
            LabelColumnName = labelColumnName,
            FeatureColumnName = featureColumnName,
            ImageShape = imageShape,
            EnsembleSize = ensembleSize,
            Epochs = epochs,
        });

    /// <summary>HyperGAN ensemble with every option (see <see cref="HyperGanEnsembleOptions"/>).</summary>
    /// <exception cref="NotSupportedException">The Microsoft.ML version loaded hides the MLContext's environment differently (the message names
    /// it).</exception>
    public static HyperGanEnsembleEstimator HyperGanEnsemble(this TransformsCatalog catalog, HyperGanEnsembleOptions options) =>
        new(MlNetInternals.EnvironmentOf(catalog ?? throw new ArgumentNullException(nameof(catalog))), options);
}
