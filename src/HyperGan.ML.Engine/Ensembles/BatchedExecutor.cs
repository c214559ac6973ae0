using HyperGan.ML.Engine.Targets;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace HyperGan.ML.Engine.Ensembles;

/// <summary>How <see cref="BatchedExecutor"/> runs convolutions whose input differs per member (every conv after the first).</summary>
public enum MemberConvolution
{
    /// <summary>Grouped below <see cref="BatchedExecutor.GroupedBelowImages"/> images per batch, the loop above it.</summary>
    Auto,
    /// <summary>One conv2d call per member: fat enough to run near GEMM speed once a batch has many images.</summary>
    Loop,
    /// <summary>One grouped conv2d over all members (groups = M): fewer calls, wins when a batch has few images.</summary>
    Grouped,
}

/// <summary>
/// Fast executor. The first layer sees the same input for every member, so it is one GEMM for all members:
/// the input is unfolded once (im2col, shared) and multiplied by every member's filters stacked side by side,
/// in blocks of images small enough to stay in cache, and pooled before anything else touches the big
/// pre-pool activation. Later linear layers are one batched matrix multiply over members (<c>bmm</c>); later
/// convolutions, whose inputs differ per member, use <see cref="Convolution"/>. Members run in chunks so the
/// first layer's output for one chunk stays under <see cref="ActivationBudget"/> floats whatever M is
/// (1,000 members score in the memory of a few).
/// </summary>
/// <remarks>
/// Several times faster than the per-member loop over the same weights at batch 1 and 256 (figures: docs/performance.md,
/// <c>bench/HyperGanBench</c>: scoring-throughput, single-row-latency, many-networks). Pooling before the activation is exact because every
/// supported activation is non-decreasing (see <see cref="TargetOps.ConvTail"/>),
/// and the bias commutes with max-pooling, so both run on a quarter of the elements.
/// </remarks>
public sealed class BatchedExecutor : IEnsembleExecutor
{
    /// <summary>Creates the executor.</summary>
    /// <param name="convolution">Strategy for member-specific convolutions.</param>
    /// <param name="activationBudget">Largest first-layer (pooled) activation, in floats, one chunk of members may
    /// hold; it bounds scoring memory for any ensemble size.</param>
    public BatchedExecutor(MemberConvolution convolution = MemberConvolution.Auto, long activationBudget = 4_000_000)
    {
        if (activationBudget < 1) throw new ArgumentOutOfRangeException(nameof(activationBudget), activationBudget, "Must be at least 1 float.");
        Convolution = convolution;
        ActivationBudget = activationBudget;
    }

    /// <summary>Below this many images per batch, <see cref="MemberConvolution.Auto"/> uses the grouped convolution.</summary>
    public const long GroupedBelowImages = 8;

    // Pre-pool first-layer block (floats): about 4 MB, so the GEMM writes and the pooling reads hit cache.
    // Settable for tests that need many blocks on small inputs.
    internal long FirstLayerBlockFloats { get; init; } = 1 << 20;

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
        var firstOutput = target.Layers[0].OutputShape(target.InputShape);
        long perMember = batch * firstOutput.Aggregate(1L, (a, b) => a * b);
        long chunk = Math.Clamp(ActivationBudget / Math.Max(1, perMember), 1, members);

        using var scope = NewDisposeScope();
        // im2col of the shared input, computed once for all chunks: [B, positions, fan-in].
        var columns = target.Layers[0] is Conv2dLayer conv ? Unfold(x, conv) : null;
        var outputs = new List<Tensor>();
        for (long start = 0; start < members; start += chunk)
        {
            long count = Math.Min(members, start + chunk) - start;
            var slice = count == members ? layers
                : layers.Select(g => new GeneratedLayer(g.Weight.narrow(0, start, count), g.Bias?.narrow(0, start, count))).ToList();
            outputs.Add(ForwardChunk(target, slice, x, columns, count, batch));
        }
        return (outputs.Count == 1 ? outputs[0] : cat(outputs, 0)).MoveToOuterDisposeScope();
    }

    Tensor ForwardChunk(TargetNetwork target, IReadOnlyList<GeneratedLayer> layers, Tensor x, Tensor? columns, long members, long batch)
    {
        // Intermediates die with this scope (autograd keeps what backward needs), so chunks do not pile up.
        using var scope = NewDisposeScope();
        Tensor h = target.Layers[0] switch // [M, B, ...]
        {
            Conv2dLayer c => FirstConv(c, target.InputShape, layers[0], columns!, members, batch),
            LinearLayer l => FirstLinear(l, layers[0], x, members, batch),
            var other => throw new NotSupportedException($"Layer type {other.GetType().Name} is not supported."),
        };
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

    /// <summary>[B, C, H, W] → [B, output positions, C·k·k], the rows every member's filters multiply.</summary>
    static Tensor Unfold(Tensor x, Conv2dLayer c) =>
        F.unfold(x, c.Kernel, padding: c.Padding, stride: c.Stride).transpose(1, 2).contiguous();

    /// <summary>All members' first conv as one GEMM per block of images; returns [M, B, C, H', W'] (contiguous).</summary>
    Tensor FirstConv(Conv2dLayer c, int[] inputShape, GeneratedLayer gen, Tensor columns, long members, long batch)
    {
        var (outH, outW) = c.ConvolvedSize(inputShape);
        long channels = members * c.OutChannels;
        var filters = gen.Weight.reshape(channels, c.FanIn).t(); // [fan-in, M·C]
        var bias = gen.Bias?.reshape(1, channels, 1, 1);
        long imagesPerBlock = Math.Clamp(FirstLayerBlockFloats / Math.Max(1, outH * outW * channels), 1, batch);
        var blocks = new List<Tensor>();
        // split, not one narrow per block: when the input needs a gradient (attacks, saliency), each narrow's backward
        // writes a zero-filled gradient of the whole column matrix, a large share of the time for many blocks.
        foreach (var part in columns.split(imagesPerBlock, 0))
        {
            long images = part.shape[0];
            using var blockScope = NewDisposeScope(); // frees the pre-pool block at once, so the next reuses its memory
            var y = matmul(part, filters)                                     // [b, H·W, M·C]: channels last
                .view(images, outH, outW, channels).permute(0, 3, 1, 2);    // as [b, M·C, H, W]
            var pooled = TargetOps.Pool(y, c);
            if (bias is not null) pooled = pooled.add(bias, KeptScalars.One); // bias commutes with max-pooling
            var activated = TargetOps.Activate(pooled, c.Activation);
            blocks.Add(activated.reshape(images, members, c.OutChannels,
                activated.shape[2], activated.shape[3]).transpose(0, 1).MoveToOuterDisposeScope());
        }
        return blocks.Count == 1 ? blocks[0].contiguous() : cat(blocks, 1); // cat writes [M, B, …] contiguously
    }

    static Tensor FirstLinear(LinearLayer l, GeneratedLayer gen, Tensor x, long members, long batch)
    {
        long outputs = l.OutputUnits;
        var y = F.linear(x.flatten(1), gen.Weight.reshape(members * outputs, l.InFeatures), gen.Bias?.reshape(members * outputs));
        return TargetOps.Activate(y.view(batch, members, outputs).transpose(0, 1), l.Activation);
    }

    /// <summary>[M, B, in] × per-member weights → [M, B, out].</summary>
    static Tensor MemberLinear(GeneratedLayer gen, Tensor h)
    {
        var y = bmm(h, gen.Weight.transpose(1, 2)); // [M, B, in] × [M, in, out]
        return gen.Bias is null ? y : y.add(gen.Bias.unsqueeze(1), KeptScalars.One);
    }

    Tensor MemberConv(Conv2dLayer c, GeneratedLayer gen, Tensor h, long members, long batch)
    {
        if (TargetOps.InputGradientNeedsIm2col(h, c))
        {
            var tail = TargetOps.ConvTail(TargetOps.Im2colConv(h, gen.Weight, gen.Bias, c).flatten(0, 1), c); // exact gradients
            return tail.view(members, batch, c.OutChannels, tail.shape[2], tail.shape[3]);
        }
        long[] stride = [c.Stride, c.Stride], padding = [c.Padding, c.Padding];
        bool grouped = Convolution == MemberConvolution.Grouped || (Convolution == MemberConvolution.Auto && batch < GroupedBelowImages);
        if (grouped)
        {
            var input = h.transpose(0, 1).reshape(batch, members * c.InChannels, h.shape[3], h.shape[4]);
            var w = gen.Weight.reshape(members * c.OutChannels, c.InChannels, c.Kernel, c.Kernel);
            var y = TargetOps.ConvTail(F.conv2d(input, w, gen.Bias?.reshape(-1), strides: stride, padding: padding, groups: members), c);
            return y.view(batch, members, c.OutChannels, y.shape[2], y.shape[3]).transpose(0, 1);
        }
        var outputs = new Tensor[members];
        for (long m = 0; m < members; m++)
            outputs[m] = TargetOps.Pool(F.conv2d(h[m], gen.Weight[m], gen.Bias?[m], strides: stride, padding: padding), c);
        // The activation is member-independent: apply it once on the stacked (pooled) result.
        return TargetOps.Activate(stack(outputs), c.Activation);
    }
}
