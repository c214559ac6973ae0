using HyperGan.ML.Engine.Ensembles;
using HyperGan.ML.Engine.Model;
using HyperGan.ML.Engine.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace HyperGan.ML;

/// <summary>
/// Scores rows of flattened examples with an ensemble: the one place the adapter calls the engine. Either one frozen
/// ensemble (reproducible scores, saved with the model) or fresh networks per call. Not disposable, like the
/// transformer that owns it: its tensors are released by TorchSharp's finalizers.
/// </summary>
internal sealed class EnsembleScorer
{
    readonly TrainedHyperGan _model;
    readonly Generator? _fresh;
    readonly long[] _shape;
    readonly object _gate = new();

    /// <summary>The frozen ensemble, or null when each call samples fresh networks.</summary>
    public SampledEnsemble? Frozen { get; }
    /// <summary>Networks per call.</summary>
    public int Members { get; }
    /// <summary>Seed of the frozen ensemble or of the fresh-sampling generator.</summary>
    public int Seed { get; }

    EnsembleScorer(TrainedHyperGan model, int members, int[] inputShape, SampledEnsemble? frozen, int seed)
    {
        _model = model;
        Members = members;
        _shape = inputShape.Select(d => (long)d).ToArray();
        Frozen = frozen;
        Seed = seed;
        if (frozen is null) _fresh = new Generator((ulong)seed, model.Model.Device);
    }

    /// <summary>A scorer that freezes <paramref name="members"/> networks drawn with <paramref name="seed"/>, or samples fresh ones per call.</summary>
    public static EnsembleScorer Create(TrainedHyperGan model, int members, bool freeze, int[] inputShape, int seed) =>
        new(model, members, inputShape, freeze ? model.Sample(members, seed) : null, seed);

    /// <summary>A scorer over an ensemble loaded from a file.</summary>
    public static EnsembleScorer FromFrozen(TrainedHyperGan model, SampledEnsemble frozen, int[] inputShape, int seed) =>
        new(model, frozen.Count, inputShape, frozen, seed);

    /// <summary>Scores <paramref name="rows"/> rows held back to back in <paramref name="features"/>.</summary>
    public ScoredBlock Score(float[] features, int rows)
    {
        lock (_gate) // fresh sampling advances one generator; libtorch calls are serialised per transformer
        {
            using var scope = NewDisposeScope();
            int size = (int)_shape.Aggregate(1L, (a, b) => a * b);
            var x = tensor(features.AsSpan(0, rows * size).ToArray()).view([rows, .. _shape]).to(_model.Model.Device);
            var ensemble = Frozen ?? _model.Sample(Members, _fresh!);
            try
            {
                var outputs = ensemble.Forward(x); // [M, B, outputs]
                if (_model.Task == TaskKind.Regression)
                {
                    var values = outputs.squeeze(-1);
                    // Population std (divide by M): one network has no spread, not an undefined one.
                    return ScoredBlock.Regression(values.mean([0]).cpu().data<float>().ToArray(), values.std(0, unbiased: false).cpu().data<float>().ToArray());
                }
                var prediction = EnsemblePrediction.FromLogits(outputs);
                var probabilities = new float[rows * _model.Target.OutputSize];
                Buffer.BlockCopy(prediction.Probabilities, 0, probabilities, 0, probabilities.Length * sizeof(float));
                return ScoredBlock.Classification(probabilities, prediction.Entropy, prediction.MutualInformation, _model.Target.OutputSize);
            }
            finally
            {
                if (Frozen is null) ensemble.Dispose();
            }
        }
    }
}
