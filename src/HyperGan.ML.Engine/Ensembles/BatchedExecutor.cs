using HyperGan.ML.Engine.Targets;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace HyperGan.ML.Engine.Ensembles;

/// <summary>How <see cref="BatchedExecutor"/> runs convolutions whose input differs per member (every conv after the first).</summary>
public enum MemberConvolution
{
    /// <summary>One conv2d call per member (measured fastest on CPU, see docs/performance notes).</summary>
    Loop,
    /// <summary>One grouped conv2d over all members (groups = M).</summary>
    Grouped,
}

/// <summary>
/// Fast executor. The first layer sees the same input for every member, so all members' filters are stacked into
/// one convolution (or one GEMM for a linear layer) with M×outputs channels: one fat call instead of M thin ones.
/// Later linear layers are one batched matrix multiply over members (<c>bmm</c>). Later convolutions, whose
/// inputs differ per member, use <see cref="Convolution"/>.
/// </summary>
public sealed class BatchedExecutor : IEnsembleExecutor
{
    /// <summary>Creates the executor.</summary>
    /// <param name="convolution">Strategy for member-specific convolutions.</param>
    /// <param name="activationBudget">Largest first-layer activation (in floats) one chunk of members may produce;
    /// members are processed in chunks below it so the working set stays in cache instead of streaming gigabytes.</param>
    public BatchedExecutor(MemberConvolution convolution = MemberConvolution.Grouped, long activationBudget = 4_000_000)
    {
        Convolution = convolution;
        ActivationBudget = activationBudget;
    }

    /// <summary>Largest first-layer activation (floats) per member chunk.</summary>
    public long ActivationBudget { get; }

    /// <summary>Strategy for member-specific convolutions.</summary>
    public MemberConvolution Convolution { get; }

    /// <inheritdoc/>
    public string Name => $"batched({Convolution.ToString().ToLowerInvariant()})";

    /// <inheritdoc/>
    public Tensor Forward(TargetNetwork target, IReadOnlyList<GeneratedLayer> layers, Tensor x)
    {
        EnsembleExecutors.CheckInputs(target, layers, x);
        long members = layers[0].Members, batch = x.shape[0];
        long perMember = batch * target.Layers[0].MultiplyAdds(target.InputShape) / Math.Max(1, target.Layers[0].FanIn);
        long chunk = Math.Clamp(ActivationBudget / Math.Max(1, perMember), 1, members);
        if (chunk >= members) return ForwardChunk(target, layers, x, members, batch);
        using var scope = NewDisposeScope();
        var outputs = new List<Tensor>();
        for (long start = 0; start < members; start += chunk)
        {
            long end = Math.Min(members, start + chunk);
            var slice = layers.Select(g => new GeneratedLayer(g.Weight.narrow(0, start, end - start), g.Bias?.narrow(0, start, end - start))).ToList();
            outputs.Add(ForwardChunk(target, slice, x, end - start, batch));
        }
        return cat(outputs, 0).MoveToOuterDisposeScope();
    }

    Tensor ForwardChunk(TargetNetwork target, IReadOnlyList<GeneratedLayer> layers, Tensor x, long members, long batch)
    {
        // Intermediates die with this scope (autograd keeps what backward needs), so chunks do not pile up.
        using var scope = NewDisposeScope();
        Tensor h = FirstLayer(target.Layers[0], layers[0], x, members, batch); // [M, B, ...]
        for (int i = 1; i < target.Layers.Count; i++)
        {
            var gen = layers[i];
            h = target.Layers[i] switch
            {
                Conv2dLayer c => MemberConv(c, gen, h, members, batch),
                LinearLayer l => TargetOps.Activate(MemberLinear(gen, h.flatten(2)), l.Activation),
                var other => throw new NotSupportedException($"Layer type {other.GetType().Name} is not supported."),
            };
        }
        return h.MoveToOuterDisposeScope();
    }

    static Tensor FirstLayer(LayerSpec spec, GeneratedLayer gen, Tensor x, long members, long batch)
    {
        long outputs = spec.OutputUnits;
        var bias = gen.Bias?.reshape(members * outputs);
        switch (spec)
        {
            case Conv2dLayer c:
            {
                var w = gen.Weight.reshape(members * outputs, c.InChannels, c.Kernel, c.Kernel);
                var y = TargetOps.ConvTail(F.conv2d(x, w, bias, strides: [c.Stride, c.Stride], padding: [c.Padding, c.Padding]), c);
                return y.view(batch, members, outputs, y.shape[2], y.shape[3]).transpose(0, 1);
            }
            case LinearLayer l:
            {
                var y = F.linear(x.flatten(1), gen.Weight.reshape(members * outputs, l.InFeatures), bias);
                return TargetOps.Activate(y.view(batch, members, outputs).transpose(0, 1), l.Activation);
            }
            default:
                throw new NotSupportedException($"Layer type {spec.GetType().Name} is not supported.");
        }
    }

    /// <summary>[M, B, in] × per-member weights → [M, B, out].</summary>
    static Tensor MemberLinear(GeneratedLayer gen, Tensor h)
    {
        var y = bmm(h, gen.Weight.transpose(1, 2)); // [M, B, in] × [M, in, out]
        return gen.Bias is null ? y : y + gen.Bias.unsqueeze(1);
    }

    Tensor MemberConv(Conv2dLayer c, GeneratedLayer gen, Tensor h, long members, long batch)
    {
        long[] stride = [c.Stride, c.Stride], padding = [c.Padding, c.Padding];
        if (Convolution == MemberConvolution.Grouped)
        {
            var input = h.transpose(0, 1).reshape(batch, members * c.InChannels, h.shape[3], h.shape[4]);
            var w = gen.Weight.reshape(members * c.OutChannels, c.InChannels, c.Kernel, c.Kernel);
            var y = TargetOps.ConvTail(F.conv2d(input, w, gen.Bias?.reshape(-1), strides: stride, padding: padding, groups: members), c);
            return y.view(batch, members, c.OutChannels, y.shape[2], y.shape[3]).transpose(0, 1);
        }
        var outputs = new Tensor[members];
        for (long m = 0; m < members; m++)
            outputs[m] = F.conv2d(h[m], gen.Weight[m], gen.Bias?[m], strides: stride, padding: padding);
        // Activation and pooling are member-independent: apply them once on the stacked result.
        var stacked = stack(outputs);
        var tail = TargetOps.ConvTail(stacked.flatten(0, 1), c);
        return tail.view(members, batch, tail.shape[1], tail.shape[2], tail.shape[3]);
    }
}
