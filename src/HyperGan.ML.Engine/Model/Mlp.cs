using HyperGan.ML.Engine.Ensembles;
using HyperGan.ML.Engine.Targets;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace HyperGan.ML.Engine.Model;

/// <summary>The paper's building block for Q, G_k and D: input → hidden → ELU → hidden → ELU → output, with batch
/// normalisation before each ELU when asked (the authors' generators have it).</summary>
internal sealed class Mlp : Module<Tensor, Tensor>, ILayerGenerator
{
    readonly Linear fc1, fc2, fc3;
    readonly BatchNorm1d? bn1, bn2;

    /// <summary>Creates the MLP; <paramref name="batchNorm"/> normalises each hidden layer over the rows of a batch (in a
    /// generator: over the step's networks), with running statistics in evaluation mode.</summary>
    public Mlp(string name, int inputs, int hidden, int outputs, bool batchNorm = false) : base(name)
    {
        fc1 = Linear(inputs, hidden);
        fc2 = Linear(hidden, hidden);
        fc3 = Linear(hidden, outputs);
        if (batchNorm)
        {
            bn1 = BatchNorm1d(hidden);
            bn2 = BatchNorm1d(hidden);
        }
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x) => fc3.forward(Hidden(x));

    Tensor Hidden(Tensor x) =>
        TargetOps.Activate(Normalise(bn2, fc2.forward(TargetOps.Activate(Normalise(bn1, fc1.forward(x)), Activation.Elu))), Activation.Elu);

    // BatchNorm1d.forward counts batches with an implicit Scalar (see KeptScalars); with its fixed momentum the count is
    // unused, so the same normalisation is called directly.
    static Tensor Normalise(BatchNorm1d? bn, Tensor x) => bn is null
        ? x
        : functional.batch_norm(x, bn.running_mean, bn.running_var, bn.weight, bn.bias, bn.training, bn.momentum!.Value, bn.eps);

    /// <summary>
    /// As the paper's layer generator (the <see cref="GeneratorHead.Full"/> head), re-initialises the output layer: its bias ~ N(0, <paramref
    /// name="sharedStd"/>²) is the part of every output that
    /// all inputs share, and its weights are scaled so that, for inputs like <paramref name="sampleCodes"/>, the
    /// input-dependent part has standard deviation <paramref name="codeStd"/>. Uses torch's global RNG.
    /// </summary>
    public void InitialiseOutput(double sharedStd, double codeStd, Tensor sampleCodes)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var meanSquare = Hidden(sampleCodes).pow(KeptScalars.Two).mean().item<float>();
        fc3.weight!.normal_(0, codeStd / Math.Sqrt(fc3.weight.shape[1] * meanSquare));
        fc3.bias!.normal_(0, sharedStd);
    }
}
