using TorchSharp;
using static TorchSharp.torch;

namespace HyperGan.ML.Engine.Ensembles;

/// <summary>
/// What an ensemble of classifiers says about each example, from member logits [M, B, C]:
/// mean softmax p̄, predictive entropy H(p̄) (natural log, max ln C) and mutual information
/// H(p̄) − mean_m H(p_m) (clamped at 0), the epistemic part that grows when members disagree.
/// </summary>
public sealed record EnsemblePrediction(float[,] Probabilities, float[] Entropy, float[] MutualInformation)
{
    /// <summary>Number of examples.</summary>
    public int Count => Entropy.Length;

    /// <summary>Index of the most probable class of example <paramref name="i"/>.</summary>
    public int PredictedClass(int i)
    {
        int best = 0;
        for (int c = 1; c < Probabilities.GetLength(1); c++)
            if (Probabilities[i, c] > Probabilities[i, best]) best = c;
        return best;
    }

    /// <summary>Computes the statistics from member logits of shape [M, B, C].</summary>
    public static EnsemblePrediction FromLogits(Tensor logits)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var logp = logits.log_softmax(2);               // [M, B, C]
        var p = logp.exp();
        var mean = p.mean([0]);                         // [B, C]
        var entropy = EntropyOf(mean);                   // [B]
        var memberEntropy = (-(p * logp).sum([2])).mean([0]);
        var mi = (entropy - memberEntropy).clamp_min(KeptScalars.Zero);
        return new EnsemblePrediction(ToMatrix(mean), entropy.cpu().data<float>().ToArray(), mi.cpu().data<float>().ToArray());
    }

    /// <summary>Entropy (nats) of each row of a probability matrix [B, C]; 0·log 0 counts as 0.</summary>
    public static Tensor EntropyOf(Tensor probabilities) =>
        -(probabilities * probabilities.clamp_min(KeptScalars.Tiny).log()).sum([1]);

    /// <summary>A probability matrix [B, C] (on any device) as a .NET array, e.g. for <c>HyperGan.ML.Evaluation</c>.</summary>
    public static float[,] ToMatrix(Tensor t)
    {
        var flat = t.contiguous().cpu().data<float>().ToArray();
        int rows = (int)t.shape[0], cols = (int)t.shape[1];
        var m = new float[rows, cols];
        Buffer.BlockCopy(flat, 0, m, 0, flat.Length * sizeof(float));
        return m;
    }
}
