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
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001",
    Justification = "Lives as long as the transformer, which ML.NET does not dispose; finalizers release the generator.")]
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
    /// <summary>The temperature and thresholds fitted on held-out rows, applied to every block; null = raw scores only.
    /// Set once, by Fit or when loading, before the transformer is handed out.</summary>
    public HeldOutCalibration? Calibration { get; set; }

    EnsembleScorer(TrainedHyperGan model, int members, int[] inputShape, SampledEnsemble? frozen, int seed)
    {
        _model = model;
        Members = members;
        _shape = inputShape.Select(d => (long)d).ToArray();
        Frozen = frozen;
        Seed = seed;
        if (frozen is null) _fresh = new Generator((ulong)seed, model.Model.Device);
    }

    /// <summary>A scorer that freezes <paramref name="members"/> networks drawn with <paramref name="seed"/>, or samples fresh ones per
    /// call.</summary>
    public static EnsembleScorer Create(TrainedHyperGan model, int members, bool freeze, int[] inputShape, int seed) =>
        new(model, members, inputShape, freeze ? model.Sample(members, seed) : null, seed);

    /// <summary>A scorer over the same networks (the same frozen ensemble, or fresh ones drawn with the same seed), without calibration.</summary>
    public EnsembleScorer WithSameNetworks() => new(_model, Members, _shape.Select(d => (int)d).ToArray(), Frozen, Seed);

    /// <summary>A scorer over an ensemble loaded from a file.</summary>
    public static EnsembleScorer FromFrozen(TrainedHyperGan model, SampledEnsemble frozen, int[] inputShape, int seed) =>
        new(model, frozen.Count, inputShape, frozen, seed);

    /// <summary>
    /// Scores <paramref name="rows"/> rows held back to back in <paramref name="features"/>.
    /// <paramref name="firstNonFinite"/>[r] is the position of row r's first NaN/∞ feature, or −1: such a row is not
    /// fed to the networks (zeros go in its place) and comes back with missing outputs and its problem stated, as does
    /// a row whose networks' outputs are not finite.
    /// </summary>
    public ScoredBlock Score(float[] features, int rows, int[] firstNonFinite)
    {
        int size = (int)_shape.Aggregate(1L, (a, b) => a * b);
        var input = features.AsSpan(0, rows * size).ToArray();
        var problems = new string?[rows];
        for (int r = 0; r < rows; r++)
            if (firstNonFinite[r] >= 0)
            {
                problems[r] = $"feature {firstNonFinite[r]} is {input[r * size + firstNonFinite[r]]}";
                input.AsSpan(r * size, size).Clear();
            }
        lock (_gate) // fresh sampling advances one generator; libtorch calls are serialised per transformer
        {
            using var scope = NewDisposeScope();
            var x = tensor(input, [rows, .. _shape]).to(_model.Model.Device);
            var ensemble = Frozen ?? _model.Sample(Members, _fresh!);
            try
            {
                var outputs = ensemble.Forward(x); // [M, B, outputs]
                var block = _model.Task == TaskKind.Regression ? Regression(outputs, rows, problems) : Classification(outputs, rows, problems);
                Calibration?.Apply(block, _model.Task == TaskKind.Regression);
                return block;
            }
            finally
            {
                if (Frozen is null) ensemble.Dispose();
            }
        }
    }

    /// <summary>The members' raw outputs (logits for classification) [M, rows, outputs] for rows held back to back in
    /// <paramref name="features"/>, on the CPU; the caller disposes the tensor.</summary>
    public Tensor MemberOutputs(float[] features, int rows)
    {
        lock (_gate)
        {
            using var scope = NewDisposeScope();
            int values = rows * (int)_shape.Aggregate(1L, (a, b) => a * b);
            var x = tensor(features.AsSpan(0, values).ToArray(), [rows, .. _shape]).to(_model.Model.Device);
            var ensemble = Frozen ?? _model.Sample(Members, _fresh!);
            try { return ensemble.Forward(x).cpu().MoveToOuterDisposeScope(); }
            finally
            {
                if (Frozen is null) ensemble.Dispose();
            }
        }
    }

    static ScoredBlock Regression(Tensor outputs, int rows, string?[] problems)
    {
        var values = outputs.squeeze(-1);
        // Population std (divide by M): one network has no spread, not an undefined one.
        var mean = values.mean([0]).cpu().data<float>().ToArray();
        var std = values.std(0, unbiased: false).cpu().data<float>().ToArray();
        for (int r = 0; r < rows; r++)
            if (MarkUnscorable(problems, r, float.IsFinite(mean[r]) && float.IsFinite(std[r])))
                mean[r] = std[r] = float.NaN;
        return ScoredBlock.Regression(mean, std, problems);
    }

    ScoredBlock Classification(Tensor logits, int rows, string?[] problems)
    {
        var prediction = EnsemblePrediction.FromLogits(logits);
        int classes = _model.Target.OutputSize;
        var probabilities = new float[rows * classes];
        // Calibrated: Score and PredictiveEntropy come from the calibrated p̄; Disagreement stays the networks' own mutual
        // information. The identity map skips it, so an uncalibrated model scores bit-identically to one without calibration.
        if (Calibration?.Fitted is { IsIdentity: false } fitted)
        {
            fitted.Probabilities(logits).CopyTo(probabilities);
            using var calibrated = tensor(probabilities, [rows, classes]);
            EnsemblePrediction.EntropyOf(calibrated).data<float>().CopyTo(prediction.Entropy);
        }
        else Buffer.BlockCopy(prediction.Probabilities, 0, probabilities, 0, probabilities.Length * sizeof(float));
        for (int r = 0; r < rows; r++)
        {
            var p = probabilities.AsSpan(r * classes, classes);
            bool finite = float.IsFinite(prediction.Entropy[r]) && float.IsFinite(prediction.MutualInformation[r]);
            foreach (var v in p) finite &= float.IsFinite(v);
            if (MarkUnscorable(problems, r, finite))
            {
                p.Fill(float.NaN);
                prediction.Entropy[r] = prediction.MutualInformation[r] = float.NaN;
            }
        }
        return ScoredBlock.Classification(probabilities, prediction.Entropy, prediction.MutualInformation, classes, problems);
    }

    // True when row r must get missing outputs: its features were not finite, or its outputs are not.
    static bool MarkUnscorable(string?[] problems, int r, bool outputsFinite)
    {
        if (problems[r] is null && !outputsFinite)
            problems[r] = "the networks' outputs are not finite (features far outside the training range? scale them as in training)";
        return problems[r] is not null;
    }
}
