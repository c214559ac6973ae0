namespace HyperGan.ML.Experiments.Runs;

/// <summary>Row-major probabilities [rows × classes] as the engine returns them (flat) and as the metrics take them.</summary>
internal static class ProbabilityRows
{
    /// <summary>The flat row-major <paramref name="flat"/> as a [rows, <paramref name="classes"/>] matrix.</summary>
    public static float[,] Matrix(float[] flat, int classes)
    {
        var m = new float[flat.Length / classes, classes];
        Buffer.BlockCopy(flat, 0, m, 0, flat.Length * sizeof(float));
        return m;
    }

    /// <summary>−ln p(<paramref name="label"/>) of row <paramref name="row"/> of the flat row-major <paramref name="flat"/>,
    /// with p floored at 1e-12 so that a confident miss costs 27.6 nats, not infinity.</summary>
    public static double NegativeLogLikelihood(float[] flat, int classes, int row, int label) =>
        -Math.Log(Math.Max(flat[row * classes + label], 1e-12));
}
