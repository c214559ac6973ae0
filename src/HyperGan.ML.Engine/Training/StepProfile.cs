using System.Diagnostics;

namespace HyperGan.ML.Engine.Training;

/// <summary>
/// Where the time of <see cref="HyperGanTrainer.Fit"/>'s training steps goes: wall time per phase, summed over steps.
/// Pass one to Fit to fill it. On the CPU libtorch runs each call to completion, so a phase's time is its own work; on
/// CUDA, kernels run asynchronously and the times would shift to the next synchronising call.
/// </summary>
public sealed class StepProfile
{
    readonly Stopwatch _clock = new();
    readonly Dictionary<string, TimeSpan> _totals = [];
    readonly List<string> _order = [];

    /// <summary>Training steps measured.</summary>
    public int Steps { get; private set; }

    /// <summary>Total time of each phase, in the order the phases first ran.</summary>
    public IReadOnlyList<(string Phase, TimeSpan Total)> Phases => _order.Select(p => (p, _totals[p])).ToList();

    /// <summary>Total time of all phases.</summary>
    public TimeSpan Total => _order.Aggregate(TimeSpan.Zero, (sum, p) => sum + _totals[p]);

    internal void StartStep() => _clock.Restart();

    internal void Mark(string phase)
    {
        if (!_totals.ContainsKey(phase)) _order.Add(phase);
        _totals[phase] = _totals.GetValueOrDefault(phase) + _clock.Elapsed;
        _clock.Restart();
    }

    internal void EndStep() => Steps++;
}
