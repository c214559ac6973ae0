using HyperGan.ML.Engine.Ensembles;
using HyperGan.ML.Engine.Targets;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace HyperGan.ML.Experiments.Baselines;

/// <summary>
/// A target architecture as an ordinary trainable network — the baselines' building block. Same layers and
/// activations as the generated networks (<see cref="TargetOps"/>), PyTorch's default initialisation, and optional
/// dropout before every layer (for MC dropout).
/// </summary>
public sealed class PlainNetwork : nn.Module<Tensor, Tensor>
{
    readonly List<Parameter> _weights = [];
    readonly List<Parameter?> _biases = []; // null for a layer without bias

    /// <summary>The architecture.</summary>
    public TargetNetwork Target { get; }
    /// <summary>Dropout probability before every layer (0 = none).</summary>
    public double Dropout { get; }
    /// <summary>Keep dropout active outside training (MC dropout sampling).</summary>
    public bool SampleDropout { get; set; }

    /// <summary>Creates the network with PyTorch's default init (Kaiming-uniform, a = √5; biases U(±1/√fan-in)) from torch's global RNG.</summary>
    public PlainNetwork(TargetNetwork target, double dropout = 0) : base($"plain-{target.Name}")
    {
        if (dropout is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(dropout), dropout, "Dropout must be in [0, 1).");
        Target = target;
        Dropout = dropout;
        for (int i = 0; i < target.Layers.Count; i++)
        {
            var spec = target.Layers[i];
            using var _ = no_grad();
            var w = new Parameter(empty(spec.WeightShape));
            nn.init.kaiming_uniform_(w, Math.Sqrt(5)); // in place; returns w itself
            register_parameter($"weight{i}", w);
            _weights.Add(w);
            if (spec.HasBias)
            {
                double bound = 1 / Math.Sqrt(spec.FanIn);
                var b = new Parameter(empty(spec.OutputUnits));
                nn.init.uniform_(b, -bound, bound);
                register_parameter($"bias{i}", b);
                _biases.Add(b);
            }
            else _biases.Add(null);
        }
    }

    /// <summary>Logits (or regression outputs) [B, outputs].</summary>
    public override Tensor forward(Tensor x)
    {
        var h = x;
        for (int i = 0; i < Target.Layers.Count; i++)
        {
            if (Dropout > 0) h = F.dropout(h, Dropout, training || SampleDropout);
            var (w, b) = (_weights[i], _biases[i]);
            h = Target.Layers[i] switch
            {
                Conv2dLayer c => TargetOps.ConvTail(TargetOps.Conv2d(h, w, b, c), c),
                LinearLayer l => TargetOps.Activate(F.linear(h.flatten(1), w, b), l.Activation),
                var other => throw new NotSupportedException($"Layer type {other.GetType().Name} is not supported."),
            };
        }
        return h;
    }

    /// <summary>This network's weights in the generated-layer layout (one member), for diversity and filter comparisons.</summary>
    public IReadOnlyList<GeneratedLayer> AsLayers() =>
        _weights.Select((w, i) => new GeneratedLayer(w.detach().unsqueeze(0), _biases[i]?.detach().unsqueeze(0))).ToList();
}
