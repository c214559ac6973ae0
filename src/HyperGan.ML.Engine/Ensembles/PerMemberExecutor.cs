using HyperGan.ML.Engine.Targets;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace HyperGan.ML.Engine.Ensembles;

/// <summary>Reference executor: for each member, the textbook functional forward with that member's weights.</summary>
public sealed class PerMemberExecutor : IEnsembleExecutor
{
    /// <inheritdoc/>
    public string Name => "per-member";

    /// <inheritdoc/>
    public Tensor Forward(TargetNetwork target, IReadOnlyList<GeneratedLayer> layers, Tensor x)
    {
        EnsembleExecutors.CheckInputs(target, layers, x);
        using var scope = NewDisposeScope();
        long members = layers[0].Members;
        var outputs = new Tensor[members];
        for (long m = 0; m < members; m++)
            outputs[m] = ForwardOne(target, layers, x, m);
        return stack(outputs).MoveToOuterDisposeScope();
    }

    /// <summary>One network: the exact semantics every other executor must reproduce.</summary>
    public static Tensor ForwardOne(TargetNetwork target, IReadOnlyList<GeneratedLayer> layers, Tensor x, long member)
    {
        using var scope = NewDisposeScope();
        var h = x;
        for (int i = 0; i < target.Layers.Count; i++)
        {
            var w = layers[i].Weight[member];
            var b = layers[i].Bias?[member];
            switch (target.Layers[i])
            {
                case Conv2dLayer c:
                    h = TargetOps.ConvTail(TargetOps.Conv2d(h, w, b, c), c);
                    break;
                case LinearLayer l:
                    h = TargetOps.Activate(F.linear(h.flatten(1), w, b), l.Activation);
                    break;
                default:
                    throw new NotSupportedException($"Layer type {target.Layers[i].GetType().Name} is not supported.");
            }
        }
        return h.MoveToOuterDisposeScope();
    }
}
