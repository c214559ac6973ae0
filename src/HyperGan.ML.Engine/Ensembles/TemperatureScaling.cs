using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace HyperGan.ML.Engine.Ensembles;

/// <summary>
/// Post-hoc temperature scaling of an ensemble (Guo et al. 2017, applied to the ensemble's prediction): the mean
/// log-probability ln p̄ (p̄ = mean_m softmax(z_m)) is divided by one temperature T before a softmax,
/// p̄_T = softmax(ln p̄ / T). T is fitted on held-out labelled data by minimising the negative log-likelihood; it changes
/// confidence, never the ranking of classes. Scaling the ensemble rather than each member corrects the miscalibration
/// the averaging itself introduces (measured in docs/decisions.md).
/// </summary>
public static class TemperatureScaling
{
    /// <summary>The calibrated probabilities p̄_T [N, C] from member logits [M, N, C].</summary>
    public static Tensor Calibrated(Tensor logits, double temperature)
    {
        using var scope = NewDisposeScope();
        return LogCalibrated(logits, temperature).exp().MoveToOuterDisposeScope();
    }

    /// <summary>Mean −ln p̄_T(true class) of member logits [M, N, C] at temperature <paramref name="temperature"/>.</summary>
    public static double NegativeLogLikelihood(Tensor logits, Tensor labels, double temperature)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        return -LogCalibrated(logits, temperature).gather(1, labels.view(-1, 1)).mean().item<float>();
    }

    static Tensor LogCalibrated(Tensor logits, double temperature)
    {
        using var _ = no_grad();
        using Scalar logMembers = Math.Log(logits.shape[0]).ToScalar(), t = temperature.ToScalar(); // kept alive: see KeptScalars
        var logMean = F.log_softmax(logits, -1).logsumexp(0).sub(logMembers);            // ln p̄: [N, C]
        return F.log_softmax(logMean.div(t), -1);
    }

    /// <summary>
    /// The temperature in [0.05, 20] that minimises the held-out NLL of member logits [M, N, C] with class indices
    /// <paramref name="labels"/> (golden-section search on ln T; the NLL is unimodal in T for practical purposes).
    /// </summary>
    public static double Fit(Tensor logits, IReadOnlyList<int> labels) => Fit(logits, labels, priorPrecision: 0);

    /// <summary>
    /// As <see cref="Fit(Tensor, IReadOnlyList{int})"/>, with a Gaussian prior ln T ~ N(0, 1 / <paramref name="priorPrecision"/>)
    /// added to the summed NLL: the larger it is, the closer T stays to 1 when the rows show little miscalibration
    /// (0: no prior).
    /// </summary>
    public static double Fit(Tensor logits, IReadOnlyList<int> labels, double priorPrecision)
    {
        if (!(priorPrecision >= 0 && double.IsFinite(priorPrecision)))
            throw new ArgumentOutOfRangeException(nameof(priorPrecision), priorPrecision,
                "The prior precision must be finite and ≥ 0 (0: no prior).");
        if (logits.dim() != 3 || logits.shape[1] != labels.Count)
            throw new ArgumentException($"Logits must be [members, {labels.Count}, classes] for {labels.Count} labels but are " +
                $"[{string.Join(", ", logits.shape)}].", nameof(logits));
        using var y = tensor(labels.Select(l => (long)l).ToArray(), device: logits.device);
        // Per row: mean NLL + prior / N, the same minimiser as the summed NLL + prior; exactly the NLL when the prior is 0.
        double Objective(double logT) =>
            NegativeLogLikelihood(logits, y, Math.Exp(logT)) + (priorPrecision == 0 ? 0 : priorPrecision * logT * logT / 2 / labels.Count);
        double lo = Math.Log(0.05), hi = Math.Log(20), ratio = (Math.Sqrt(5) - 1) / 2;
        double a = hi - ratio * (hi - lo), b = lo + ratio * (hi - lo);
        double fa = Objective(a), fb = Objective(b);
        for (int i = 0; i < 40; i++) // 40 steps shrink the interval by 0.618^40 ≈ 4e-9 of its width
        {
            if (fa < fb) { hi = b; b = a; fb = fa; a = hi - ratio * (hi - lo); fa = Objective(a); }
            else { lo = a; a = b; fa = fb; b = lo + ratio * (hi - lo); fb = Objective(b); }
        }
        return Math.Exp((lo + hi) / 2);
    }
}
