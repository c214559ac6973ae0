using HyperGan.ML.Engine.Ensembles;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace HyperGan.ML.Engine.Training;

/// <summary>
/// The function-space terms of <see cref="DiversityTerm"/>: the extra inputs they are measured on and their losses.
/// All take the step's network outputs [M, rows, outputs] and return a scalar to add to (or use as) the loss.
/// </summary>
internal static class FunctionSpaceDiversity
{
    /// <summary>
    /// Extra unlabelled inputs made from a batch x [B, ...]: each row mixed with a partner row of the batch,
    /// λ·x_i + (1 − λ)·x_j. Classification mixes inside the pair (λ ~ U(0.3, 0.7)) with a partner of another class
    /// (<paramref name="labels"/>), so every extra input lies between two classes and is like neither; regression
    /// extrapolates (λ ~ U(−1, 2): inputs up to one data range beyond the training data, where networks should spread)
    /// with a random partner. Only the first <paramref name="count"/> rows get a partner (the batch is shuffled), so the
    /// result has <paramref name="count"/> rows; with count = B it draws exactly what it drew before the count existed.
    /// </summary>
    public static Tensor ExtraInputs(Tensor x, Tensor labels, TaskKind task, Generator rng, long count)
    {
        long rows = x.shape[0];
        using var scope = NewDisposeScope();
        var scores = rand([count, rows], generator: rng, device: x.device);
        if (task == TaskKind.Classification) // a partner of another class wherever the batch has one
            scores = scores.masked_fill(labels.unsqueeze(0).eq(labels.narrow(0, 0, count).unsqueeze(1)), KeptScalars.MinusOne);
        var partner = scores.argmax(1);
        var shape = new long[x.dim()];
        Array.Fill(shape, 1L);
        shape[0] = count;
        var (low, width) = task == TaskKind.Classification ? (0.3, 0.4) : (-1.0, 3.0);
        using Scalar lowScalar = low.ToScalar(), widthScalar = width.ToScalar();
        var lambda = rand(shape, generator: rng, device: x.device).mul_(widthScalar).add_(lowScalar, KeptScalars.One);
        var oneMinusLambda = lambda.negative().add(KeptScalars.One, KeptScalars.One);
        return x.narrow(0, 0, count).mul(lambda).add(x.index_select(0, partner).mul(oneMinusLambda), KeptScalars.One).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Mean over rows of the networks' disagreement on <paramref name="outputs"/> [M, rows, outputs]: for classification
    /// the mutual information H(mean softmax) − mean H(softmax) (nats, 0 … ln C); for regression ½·ln(variance + 10⁻⁶)
    /// of the single output over networks.
    /// </summary>
    public static Tensor Disagreement(Tensor outputs, TaskKind task)
    {
        if (task == TaskKind.Regression)
        {
            using Scalar floor = 1e-6.ToScalar(), half = 0.5.ToScalar();
            return outputs.squeeze(-1).var(0L).add(floor, KeptScalars.One).log().mul(half).mean();
        }
        var logP = F.log_softmax(outputs, -1);
        var p = logP.exp();
        var meanEntropy = -(p * logP).sum(-1).mean([0]);                   // [rows]
        var meanP = p.mean([0]);
        using var probabilityFloor = 1e-12.ToScalar();
        var entropyOfMean = -(meanP * meanP.clamp_min(probabilityFloor).log()).sum(-1); // [rows]
        return (entropyOfMean - meanEntropy).mean();
    }

    /// <summary>
    /// <paramref name="disagreement"/> × γ × (the networks' mean accuracy on the labelled batch)^<paramref name="power"/>,
    /// the accuracy detached (no gradient, no host sync); exactly <paramref name="disagreement"/> × γ when
    /// <paramref name="power"/> is 0. Hard tasks, where the networks fit the batch less well, pay less for disagreement
    /// (docs/diversity.md).
    /// </summary>
    /// <param name="disagreement">The networks' disagreement on the extra inputs (<see cref="Disagreement"/>).</param>
    /// <param name="batchOutputs">Logits of the M networks on the labelled rows, [M, B, C].</param>
    /// <param name="labels">Class indices of those rows, [B].</param>
    /// <param name="weight">γ.</param>
    /// <param name="power">k ≥ 0.</param>
    public static Tensor WeightedByFit(Tensor disagreement, Tensor batchOutputs, Tensor labels, double weight, double power)
    {
        using Scalar gamma = weight.ToScalar(), exponent = power.ToScalar();
        if (power == 0) return disagreement * gamma;
        Tensor gate;
        using (no_grad())
            gate = batchOutputs.argmax(-1).eq(labels.unsqueeze(0)).to_type(disagreement.dtype).mean().pow(exponent).mul(gamma);
        return disagreement * gate;
    }

    /// <summary>
    /// SVGD surrogate loss over the networks' outputs f [M, rows, outputs] (the labelled batch first, then any extra
    /// rows). With g_m the gradient of network m's log-likelihood with respect to its outputs (zero on extra rows),
    /// the RBF kernel k_ij = exp(−‖f_i − f_j‖² / h), h = median‖f_i − f_j‖² / ln M:
    /// φ_j = (1/M) Σ_i k_ij [g_i + α (2/h)(f_j − f_i)], and the loss is −Σ_j ⟨stopgrad φ_j, f_j⟩ / B.
    /// Scaled like the mean task loss: with one network, or with α = 0 and a diagonal kernel, its gradient is exactly the
    /// mean cross-entropy's (or half the MSE's), so learning rates and β keep their meaning. Regression uses a
    /// unit-variance Gaussian likelihood in the units training uses (standardised labels, see Model.LabelScaling).
    /// </summary>
    /// <param name="outputs">[M, rows, outputs], rows = labelled + extra.</param>
    /// <param name="targets">Class indices (classification) or values (regression) of the first B rows.</param>
    /// <param name="task">Cross-entropy (classification) or unit-variance Gaussian likelihood (regression).</param>
    /// <param name="repulsion">α, the weight of the repulsive term.</param>
    /// <param name="exampleWeights">[M, B] weights of each network's labelled rows in its likelihood (the code-tied
    /// bootstrap), or null for 1.</param>
    public static Tensor SvgdLoss(Tensor outputs, Tensor targets, TaskKind task, double repulsion, Tensor? exampleWeights = null)
    {
        long members = outputs.shape[0], labelled = targets.shape[0];
        using var scope = NewDisposeScope();
        Tensor phi;
        using (no_grad())
        {
            var f = outputs.detach();
            var fLabelled = f.narrow(1, 0, labelled);
            var likelihoodGrad = task == TaskKind.Classification
                ? F.one_hot(targets, f.shape[2]).to_type(f.dtype) - F.softmax(fLabelled, -1)
                : targets.view(1, labelled, 1) - fLabelled;
            var g = zeros_like(f);
            g.narrow(1, 0, labelled).copy_(exampleWeights is null ? likelihoodGrad : likelihoodGrad * exampleWeights.unsqueeze(-1));
            var flat = f.reshape(members, -1);
            var g2 = g.reshape(members, -1);
            if (members == 1)
                phi = g2;
            else
            {
                var d2 = cdist(flat, flat).pow(KeptScalars.Two);                // [M, M]
                var offDiagonal = d2.masked_select(eye(members, dtype: ScalarType.Bool, device: f.device).logical_not());
                using Scalar logMembers = Math.Log(members).ToScalar(), bandwidthFloor = 1e-8.ToScalar(),
                    alpha = repulsion.ToScalar(), memberCount = members.ToScalar();
                var h = offDiagonal.median().div(logMembers).clamp_min(bandwidthFloor);
                var k = (-d2 / h).exp();                                        // symmetric
                var driving = k.mm(g2);
                var repulsive = (flat * k.sum([0L]).unsqueeze(1) - k.mm(flat)).mul(KeptScalars.Two).div(h);
                phi = driving.add(repulsive * alpha, KeptScalars.One).div(memberCount);
            }
        }
        using var labelledRows = labelled.ToScalar();
        return (-(phi.detach() * outputs.reshape(members, -1)).sum() / labelledRows).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Gaussian prior on the generated parameters: ½ × mean over networks of Σ θ² (every weight and bias of a
    /// network), the L2 weight decay a normally trained network would get, applied to what the generators emit.
    /// </summary>
    public static Tensor GeneratedWeightPenalty(IReadOnlyList<Ensembles.GeneratedLayer> layers)
    {
        Tensor? total = null;
        foreach (var layer in layers)
        {
            var term = layer.Weight.pow(KeptScalars.Two).sum();
            if (layer.Bias is not null) term = term.add(layer.Bias.pow(KeptScalars.Two).sum(), KeptScalars.One);
            total = total is null ? term : total.add(term, KeptScalars.One);
        }
        using var halfPerNetwork = (0.5 / layers[0].Members).ToScalar();
        return total!.mul(halfPerNetwork);
    }
}
