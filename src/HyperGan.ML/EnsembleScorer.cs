using HyperGan.ML.Engine.Ensembles;
using HyperGan.ML.Engine.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace HyperGan.ML;

/// <summary>
/// Scores rows of flattened images with an ensemble: the one place the adapter calls the engine. Not disposable, like
/// the transformer that owns it: its tensors are released by TorchSharp's finalizers.
/// </summary>
internal sealed class EnsembleScorer
{
    readonly TrainedHyperGan _model;
    readonly SampledEnsemble? _frozen;
    readonly Generator? _fresh;
    readonly int _members;
    readonly long[] _shape;
    readonly object _gate = new();

    public EnsembleScorer(TrainedHyperGan model, int members, bool freeze, int[] imageShape, int seed)
    {
        _model = model;
        _members = members;
        _shape = imageShape.Select(d => (long)d).ToArray();
        if (freeze) _frozen = model.Sample(members, seed);
        else _fresh = new Generator((ulong)seed);
    }

    public int Classes => _model.Target.OutputSize;

    /// <summary>Scores <paramref name="rows"/> rows held back to back in <paramref name="features"/>.</summary>
    public (float[] Probabilities, float[] Entropy, float[] Disagreement) Score(float[] features, int rows)
    {
        lock (_gate) // fresh sampling advances one generator; libtorch calls are serialised per transformer
        {
            using var scope = NewDisposeScope();
            var x = tensor(features.AsSpan(0, rows * (int)_shape.Aggregate(1L, (a, b) => a * b)).ToArray()).view([rows, .. _shape]);
            var ensemble = _frozen ?? _model.Sample(_members, _fresh!);
            try
            {
                var prediction = EnsemblePrediction.FromLogits(ensemble.Forward(x));
                var probabilities = new float[rows * Classes];
                Buffer.BlockCopy(prediction.Probabilities, 0, probabilities, 0, probabilities.Length * sizeof(float));
                return (probabilities, prediction.Entropy, prediction.MutualInformation);
            }
            finally
            {
                if (_frozen is null) ensemble.Dispose();
            }
        }
    }
}
