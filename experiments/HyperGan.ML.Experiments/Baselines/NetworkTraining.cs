using System.Diagnostics;
using HyperGan.ML.Engine.Training;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace HyperGan.ML.Experiments.Baselines;

/// <summary>The optimiser budget every baseline network gets (stated in each experiment's output).</summary>
/// <param name="Epochs">Passes over the training data.</param>
/// <param name="BatchSize">Examples per step.</param>
/// <param name="LearningRate">Adam learning rate (betas 0.9, 0.999).</param>
public sealed record TrainingBudget(int Epochs, int BatchSize = 32, double LearningRate = 1e-3)
{
    /// <inheritdoc/>
    public override string ToString() => $"Adam lr {LearningRate:G3}, batch {BatchSize}, {Epochs} epochs";
}

/// <summary>Trains a <see cref="PlainNetwork"/> the ordinary way: cross-entropy (or MSE), Adam, shuffled mini-batches.</summary>
public static class NetworkTraining
{
    /// <summary>Creates a network with torch seeded by <paramref name="seed"/> and trains it; returns it in eval mode.</summary>
    public static PlainNetwork Train(Engine.Targets.TargetNetwork target, TrainingSet data, TrainingBudget budget, int seed,
        double dropout = 0, CancellationToken cancellationToken = default)
    {
        data.CheckFits(target);
        random.manual_seed(seed);
        var net = new PlainNetwork(target, dropout);
        var order = Enumerable.Range(0, data.Count).ToArray();
        var shuffle = new Random(seed);
        // torch.optim.Adam's betas; InPlaceAdam computes the same bits with its Scalars held (see KeptScalars).
        using var optimizer = new InPlaceAdam(net.parameters(), budget.LearningRate, beta1: 0.9, beta2: 0.999);
        net.train();
        for (int epoch = 0; epoch < budget.Epochs; epoch++)
        {
            shuffle.Shuffle(order);
            for (int start = 0; start < order.Length; start += budget.BatchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var index = tensor(order.AsSpan(start, Math.Min(budget.BatchSize, order.Length - start)).ToArray().Select(i => (long)i).ToArray());
                var output = net.forward(data.Features.index_select(0, index));
                var y = data.Targets.index_select(0, index);
                var loss = data.Task == TaskKind.Classification ? F.cross_entropy(output, y) : F.mse_loss(output.squeeze(-1), y);
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
            }
        }
        net.eval();
        return net;
    }
}
