using System.Globalization;
using HyperGan.ML.Engine.Ensembles;
using HyperGan.ML.Engine.Targets;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace HyperGanBench.Figures;

/// <summary>
/// conv-gradient: how often this machine's libtorch CPU convolution returns a wrong gradient with respect to its input,
/// by number of output channels, and the same for <see cref="TargetOps.Conv2d"/>, which every executor trains through.
/// The reference is the float64 convolution, which libtorch does not run through oneDNN.
/// </summary>
public static class ConvolutionGradient
{
    static readonly long[] OutChannels = [1, 2, 5, 6, 8, 10, 16, 20, 32, 48, 64];

    /// <summary>Adds conv-gradient: per output-channel count, one random draw for each of input channels 1/3/4/16/32,
    /// kernels 2/3/5, strides 1/2 and batches 1/7/32 (90 calls).</summary>
    public static void Measure(BenchmarkReport report)
    {
        var wrongLibtorch = new Dictionary<long, int>();
        var wrongTargetOps = new Dictionary<long, int>();
        int calls = 0;
        random.manual_seed(0);
        foreach (long oc in OutChannels)
        {
            calls = 0;
            foreach (int ic in new[] { 1, 3, 4, 16, 32 })
                foreach (int k in new[] { 2, 3, 5 })
                    foreach (int stride in new[] { 1, 2 })
                        foreach (long batch in new long[] { 1, 7, 32 })
                        {
                            var (libtorch, targetOps) = Compare(new Conv2dLayer(ic, (int)oc, k) { Stride = stride, Padding = k / 2 }, batch);
                            if (libtorch) wrongLibtorch[oc] = wrongLibtorch.GetValueOrDefault(oc) + 1;
                            if (targetOps) wrongTargetOps[oc] = wrongTargetOps.GetValueOrDefault(oc) + 1;
                            calls++;
                        }
        }
        string Row(Dictionary<long, int> wrong) => string.Join(", ", OutChannels.Select(oc => $"{oc}: {wrong.GetValueOrDefault(oc)}"));
        Dictionary<string, int> Values(Dictionary<long, int> wrong) =>
            OutChannels.ToDictionary(oc => oc.ToString(CultureInfo.InvariantCulture), oc => wrong.GetValueOrDefault(oc));
        report.Add(new Figure("conv-gradient",
            "float32 convolution input gradients that differ from float64 by > 1e-4 of its largest entry, " +
            $"per output-channel count, of {calls} calls each",
            $"libtorch F.conv2d {{{Row(wrongLibtorch)}}}; TargetOps.Conv2d {{{Row(wrongTargetOps)}}}", "TargetOps.Conv2d: none wrong",
            wrongTargetOps.Values.Sum() == 0,
            new Dictionary<string, object>
            {
                ["callsPerChannelCount"] = calls, ["wrongLibtorch"] = Values(wrongLibtorch), ["wrongTargetOps"] = Values(wrongTargetOps),
            }));
    }

    /// <summary>Whether libtorch's <c>F.conv2d</c> and <see cref="TargetOps.Conv2d"/> get one random input gradient wrong.</summary>
    static (bool Libtorch, bool TargetOps) Compare(Conv2dLayer layer, long batch)
    {
        using var scope = NewDisposeScope();
        var (height, width) = layer.ConvolvedSize([layer.InChannels, 12, 12]);
        var (x, w) = (randn(batch, layer.InChannels, 12, 12), randn(layer.WeightShape));
        var direction = randn(batch, layer.OutChannels, height, width);
        Tensor LibtorchConv(Tensor a, Tensor b) =>
            F.conv2d(a, b, null, strides: [layer.Stride, layer.Stride], padding: [layer.Padding, layer.Padding]);
        Tensor InputGradient(Func<Tensor, Tensor, Tensor> conv, ScalarType type)
        {
            var input = x.detach().to(type).requires_grad_(); // a fresh leaf: x.to(float32) would be x itself
            conv(input, w.to(type)).mul(direction.to(type)).sum().backward();
            return input.grad!.to(float64);
        }
        var reference = InputGradient(LibtorchConv, float64);
        double tolerance = 1e-4 * reference.abs().max().item<double>();
        bool Wrong(Tensor g) => (g - reference).abs().nan_to_num(1e30).max().item<double>() > tolerance;
        return (Wrong(InputGradient(LibtorchConv, float32)), Wrong(InputGradient((a, b) => TargetOps.Conv2d(a, b, null, layer), float32)));
    }
}
