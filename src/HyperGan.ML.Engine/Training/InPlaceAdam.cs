using HyperGan.ML.Engine.Ensembles;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace HyperGan.ML.Engine.Training;

/// <summary>
/// Adam computed with the same operations, in the same order, as TorchSharp's <c>torch.optim.Adam</c> (so the same
/// bits; tested), but without fresh parameter-sized temporaries in every step. TorchSharp's step builds the denominator
/// √v / √(1 − β2ᵗ) + ε as two new tensors per parameter and frees them only after the last parameter; for the full
/// head's 17–31 M generator weights that is 140–250 MB of fresh memory per step, faulted in page by page, which made
/// the Adam step the costliest phase of a paper-sized training step (docs/performance.md, "The Adam step and blocks
/// above 32 MB").
/// </summary>
/// <remarks>Schedulers act on it as on any TorchSharp Adam (it is one). AMSGrad and maximize are not supported.</remarks>
internal sealed class InPlaceAdam : Adam
{
    // Per parameter (by handle): the denominator of the update, also the weight-decayed gradient when WeightDecay > 0.
    readonly Dictionary<IntPtr, Tensor> scratch = [];

    /// <summary>Adam over <paramref name="parameters"/> with ε = 1e-8, as <c>torch.optim.Adam</c>.</summary>
    public InPlaceAdam(IEnumerable<Parameter> parameters, double learningRate, double beta1, double beta2, double weightDecay = 0)
        : base(parameters, learningRate, beta1, beta2, eps: 1e-8, weight_decay: weightDecay, amsgrad: false, maximize: false)
    {
    }

    /// <inheritdoc/>
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var options = group.Options;
        double beta1 = options.beta1!.Value, beta2 = options.beta2!.Value, weightDecay = options.weight_decay!.Value;
        double learningRate = options.LearningRate!.Value;
        // Explicit Scalars held until the group is done, not implicit conversions: see KeptScalars for why.
        using Scalar b1 = beta1.ToScalar(), oneMinusB1 = (1 - beta1).ToScalar(), b2 = beta2.ToScalar(),
            oneMinusB2 = (1 - beta2).ToScalar(), decay = weightDecay.ToScalar(), epsilon = options.eps!.Value.ToScalar();
        foreach (var parameter in group.Parameters)
        {
            using var grad = parameter.grad;
            if (grad is null) continue;
            var state = (State)_state[parameter.Handle];
            if (!scratch.TryGetValue(parameter.Handle, out var buffer))
                scratch[parameter.Handle] = buffer = empty_like(parameter).DetachFromDisposeScope();
            state.step++;
            double biasCorrection1 = 1 - Math.Pow(beta1, state.step), biasCorrection2 = 1 - Math.Pow(beta2, state.step);
            using Scalar rootBias2 = Math.Sqrt(biasCorrection2).ToScalar(), stepSize = (-(learningRate / biasCorrection1)).ToScalar();
            var g = weightDecay != 0 ? buffer.copy_(grad).add_(parameter, decay) : grad; // TorchSharp: grad.add(p, wd)
            state.exp_avg.mul_(b1).add_(g, oneMinusB1);
            state.exp_avg_sq.mul_(b2).addcmul_(g, g, oneMinusB2);
            // TorchSharp: (exp_avg_sq.sqrt() / √bc2).add_(eps) — the same three operations, into the buffer.
            var denominator = buffer.copy_(state.exp_avg_sq).sqrt_().div_(rootBias2).add_(epsilon, KeptScalars.One);
            parameter.addcdiv_(state.exp_avg, denominator, stepSize);
        }
    }, closure);

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        foreach (var buffer in scratch.Values) buffer.Dispose();
        scratch.Clear();
    }
}
