using System.Diagnostics;
using HyperGan.ML.Engine.Ensembles;
using HyperGan.ML.Engine.Model;
using HyperGan.ML.Evaluation;
using static TorchSharp.torch;

namespace HyperGan.ML;

/// <summary>
/// Measures held-out rows after every epoch (the trainer's epoch hook) and keeps the history. Draws its networks with its
/// own generator, so training draws exactly what it would without it.
/// </summary>
internal sealed class EpochValidation(TrainingExamples heldOut, int members, int seed, int batch, bool keepBest, int patience, Action<string> log)
{
    readonly List<EpochMetrics> _history = [];
    Dictionary<string, Tensor>? _best; // a copy of the generator's weights at the best epoch so far (keepBest)
    readonly Stopwatch _clock = Stopwatch.StartNew();
    TimeSpan _measuring;

    /// <summary>The metrics of every epoch so far.</summary>
    public IReadOnlyList<EpochMetrics> History => _history;

    /// <summary>The epoch with the lowest held-out NLL (regression: RMSE); 0 before the first.</summary>
    public int BestEpoch { get; private set; }

    /// <summary>With keepBest, puts the weights of <see cref="BestEpoch"/> back into <paramref name="model"/> and logs it.</summary>
    public void RestoreBest(TrainedHyperGan model)
    {
        if (_best is null) return;
        if (BestEpoch != _history.Count)
        {
            model.Model.load_state_dict(_best);
            log($"HyperGAN: kept epoch {BestEpoch} of {_history.Count} (lowest held-out {LossName})");
        }
        foreach (var t in _best.Values) t.Dispose();
        _best = null;
    }

    string LossName => heldOut.Targets is null ? "NLL" : "RMSE";

    static double Loss(EpochMetrics m) => m.NegativeLogLikelihood ?? m.RootMeanSquaredError ?? double.PositiveInfinity;

    /// <summary>The trainer's epoch hook: measures, and returns false once <c>patience</c> epochs passed without improvement.</summary>
    public bool OnEpoch(int epoch, HyperGanModel model)
    {
        var started = _clock.Elapsed;
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var ensemble = model.Sample(members, seed);
        var x = tensor(heldOut.Features, [heldOut.Count, .. model.Target.InputShape.Select(d => (long)d)]).to(model.Device);
        var outputs = ensemble.Forward(x, batchSize: batch).cpu(); // [M, N, outputs], in batches of ScoringBatchSize rows
        double seconds = (started - _measuring).TotalSeconds;
        EpochMetrics metrics;
        if (heldOut.Targets is { } targets)
        {
            var mean = outputs.squeeze(-1).mean([0]).data<float>().ToArray();
            metrics = new EpochMetrics(epoch, seconds, null, null, null, Math.Sqrt(mean.Select((m, i) => Math.Pow(m - targets[i], 2)).Average()));
            log($"HyperGAN: epoch {epoch} held-out RMSE {metrics.RootMeanSquaredError:G4}");
        }
        else
        {
            var p = EnsemblePrediction.FromLogits(outputs).Probabilities;
            var labels = heldOut.ClassLabels!;
            metrics = new EpochMetrics(epoch, seconds,
                ClassificationMetrics.Accuracy(p, labels), ClassificationMetrics.NegativeLogLikelihood(p, labels),
                ClassificationMetrics.ExpectedCalibrationError(p, labels), null);
            log($"HyperGAN: epoch {epoch} held-out accuracy {metrics.Accuracy:P2}, NLL {metrics.NegativeLogLikelihood:F4}, ECE " +
                $"{metrics.ExpectedCalibrationError:F4}");
        }
        _history.Add(metrics);
        if (BestEpoch == 0 || Loss(metrics) < Loss(_history[BestEpoch - 1]))
        {
            BestEpoch = epoch;
            if (keepBest)
            {
                // outlives this epoch
                var copy = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone().DetachFromDisposeScope());
                if (_best is not null) foreach (var t in _best.Values) t.Dispose();
                _best = copy;
            }
        }
        _measuring += _clock.Elapsed - started;
        if (patience == 0 || epoch - BestEpoch < patience) return true;
        log($"HyperGAN: stopped after epoch {epoch}: held-out {LossName} has not improved for {patience} epoch(s) since epoch {BestEpoch}");
        return false;
    }
}
