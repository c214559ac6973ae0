using System.Reflection;
using HyperGan.ML;
using Microsoft.ML.Runtime;

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
    public static HyperGanEnsembleEstimator HyperGanEnsemble(this TransformsCatalog catalog, HyperGanEnsembleOptions options) =>
        new(EnvironmentOf(catalog), options);

    // ML.NET 5 keeps the catalog's environment private (field _env, exposed only through the internal IInternalCatalog);
    // the MLContext behind it carries the seed and the log. Without it, Fit still works but logs nothing.
    static readonly FieldInfo? EnvironmentField = typeof(TransformsCatalog).GetField("_env", BindingFlags.Instance | BindingFlags.NonPublic);

    static IHostEnvironment? EnvironmentOf(TransformsCatalog catalog) => EnvironmentField?.GetValue(catalog) as IHostEnvironment;
}
