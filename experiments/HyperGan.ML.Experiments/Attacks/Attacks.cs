using HyperGan.ML.Engine.Ensembles;
using HyperGan.ML.Experiments.Baselines;
using TorchSharp;
using static TorchSharp.torch;

namespace HyperGan.ML.Experiments.Attacks;

/// <summary>
/// White-box attacks on [0, 1] pixels against a method's averaged prediction: the loss is the negative log of the
/// ensemble-mean probability of the true class, so an attack on several members attacks their consensus.
/// </summary>
public static class Attacks
{
    /// <summary>−log p̄_y averaged over the batch, p̄ = mean softmax of the members.</summary>
    public static Tensor Loss(IMemberLogits model, Tensor x, Tensor labels)
    {
        var logp = model.Logits(x).log_softmax(2);                               // [M, B, C]
        using var logMembers = Math.Log(logp.shape[0]).ToScalar();               // held: see KeptScalars
        var meanLogp = logp.logsumexp(0) - logMembers;                           // log p̄, [B, C]
        return -meanLogp.gather(1, labels.unsqueeze(1)).mean();
    }

    /// <summary>Fast gradient sign method: x + ε·sign(∇ₓ loss), clipped to [0, 1].</summary>
    public static Tensor Fgsm(IMemberLogits model, Tensor x, Tensor labels, double epsilon) =>
        Step(model, x, x, labels, epsilon, epsilon);

    /// <summary>
    /// Projected gradient descent (iterative FGSM): <paramref name="steps"/> sign steps of <paramref name="stepSize"/>,
    /// each projected back into the L∞ ball of radius ε around x and into [0, 1]. No random start (deterministic).
    /// </summary>
    public static Tensor Pgd(IMemberLogits model, Tensor x, Tensor labels, double epsilon, int steps = 10, double? stepSize = null)
    {
        double alpha = stepSize ?? 2.5 * epsilon / steps;
        var adversarial = x.detach().clone();
        for (int i = 0; i < steps; i++)
        {
            var next = Step(model, adversarial, x, labels, alpha, epsilon);
            adversarial.Dispose();
            adversarial = next;
        }
        return adversarial;
    }

    /// <summary>Images per backward pass. Each image's gradient depends only on that image, and the batch mean only scales
    /// it, so its sign — all a step uses — is the same in chunks; large batches of input gradients ran 3–20× slower per
    /// image (gradient buffers of tens of MB, fresh pages each time).</summary>
    const long ChunkImages = 200;

    static Tensor Step(IMemberLogits model, Tensor current, Tensor original, Tensor labels, double stepSize, double epsilon)
    {
        using var scope = NewDisposeScope();
        var signs = new List<Tensor>();
        for (long start = 0; start < current.shape[0]; start += ChunkImages)
        {
            long count = Math.Min(ChunkImages, current.shape[0] - start);
            using var chunkScope = NewDisposeScope();
            using var grad = enable_grad();
            var xi = current.narrow(0, start, count).detach().requires_grad_(true);
            Loss(model, xi, labels.narrow(0, start, count)).backward();
            signs.Add(xi.grad!.sign().MoveToOuterDisposeScope());
        }
        using Scalar step = stepSize.ToScalar(), radius = epsilon.ToScalar(); // held: see KeptScalars
        var moved = current.add(cat(signs, 0) * step, KeptScalars.One);
        var projected = torch.min(torch.max(moved, original - radius), original.add(radius, KeptScalars.One))
            .clamp(KeptScalars.Zero, KeptScalars.One);
        return projected.detach().MoveToOuterDisposeScope();
    }
}
