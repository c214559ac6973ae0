using System.Diagnostics;
using HyperGan.ML.Engine.Ensembles;
using HyperGan.ML.Engine.Model;
using HyperGan.ML.Engine.Targets;
using HyperGan.ML.Engine.Training;
using HyperGan.ML.Experiments.Baselines;
using static TorchSharp.torch;

namespace HyperGan.ML.Experiments.Runs;

/// <summary>
/// HyperGAN and the baselines trained on one problem with one budget: the HyperGAN, <c>DeepEnsembleSize</c>
/// independently trained networks (the single-network baseline is the first; the 5-member ensemble the first five),
/// and one network with dropout for MC dropout. Every method gets the same number of epochs over the same images.
/// </summary>
public sealed class TrainedMethods : IDisposable
{
    /// <summary>The trained generator.</summary>
    public required TrainedHyperGan HyperGan { get; init; }
    /// <summary>Independently trained networks (different seeds and data orders).</summary>
    public required IReadOnlyList<PlainNetwork> Independent { get; init; }
    /// <summary>The network trained with dropout.</summary>
    public required PlainNetwork Dropout { get; init; }
    /// <summary>Training wall time per method, seconds.</summary>
    public required Dictionary<string, double> TrainSeconds { get; init; }
    /// <summary>The budget, stated for the outputs.</summary>
    public required string BudgetText { get; init; }
    /// <summary>The budget.</summary>
    public required ClassificationBudget Budget { get; init; }

    /// <summary>Trains everything for <paramref name="problem"/>.</summary>
    public static TrainedMethods Train(Problem problem, ClassificationBudget budget, int seed, Action<string> log)
    {
        var target = problem.Target;
        var images = problem.Train;
        using var data = TrainingSet.ForClassification(images.Pixels, images.Labels, images.Shape, target.OutputSize);
        var times = new Dictionary<string, double>();
        var clock = Stopwatch.StartNew();
        var hypergan = TrainHyperGan(problem.Name, target, data, budget, seed, log);
        times["HyperGAN"] = clock.Elapsed.TotalSeconds;

        var plain = new TrainingBudget(budget.Epochs);
        clock.Restart();
        var independent = TrainDeepEnsemble(target, data, budget, seed,
            i => log($"trained independent network {i}/{budget.DeepEnsembleSize} ({clock.Elapsed.TotalSeconds:F0} s)"));
        times[$"deep ensemble ({budget.DeepEnsembleSize})"] = clock.Elapsed.TotalSeconds;
        times["single network"] = clock.Elapsed.TotalSeconds / budget.DeepEnsembleSize;
        clock.Restart();
        var dropout = NetworkTraining.Train(target, data, plain, seed * 1000 + 999, budget.DropoutRate);
        times["MC dropout"] = clock.Elapsed.TotalSeconds;
        log($"trained MC-dropout network ({clock.Elapsed.TotalSeconds:F0} s)");
        return new TrainedMethods
        {
            HyperGan = hypergan, Independent = independent, Dropout = dropout, TrainSeconds = times, Budget = budget,
            BudgetText = $"every method: {budget.Epochs} epochs over the same {images.Count:N0} images. HyperGAN: {budget.NetworksPerStep} " +
                $"sampled nets × {budget.HyperGanBatch} images per step, " +
                         $"Adam lr {budget.HyperGanLearningRate:G3} (mixer 2×), generator width {budget.HyperGanHidden}, noise/code " +
                             $"{budget.HyperGanCodes}, {budget.HeadDescription}, " +
                         (budget.Recipe is { } recipe ? $"recipe {recipe.Name}: " : "engine defaults: ")
                             + DiversityRecipe.Describe(HyperGanOptions(budget, seed)) + ". " +
                         $"Baselines: {plain}; MC dropout p = {budget.DropoutRate} before every layer, {budget.DropoutSamples} samples.",
        };
    }

    /// <summary>
    /// The <c>DeepEnsembleSize</c> independently trained networks of <paramref name="budget"/>: network i (from 0) with
    /// seed <paramref name="seed"/> × 1000 + i, so every experiment's deep ensemble of one seed is the same.
    /// <paramref name="trained"/> is called with the count trained so far. On failure the networks trained are disposed.
    /// </summary>
    public static List<PlainNetwork> TrainDeepEnsemble(TargetNetwork target, TrainingSet data, ClassificationBudget budget, int seed,
        Action<int>? trained = null)
    {
        var networks = new List<PlainNetwork>();
        try
        {
            for (int i = 0; i < budget.DeepEnsembleSize; i++)
            {
                networks.Add(NetworkTraining.Train(target, data, new TrainingBudget(budget.Epochs), seed * 1000 + i));
                trained?.Invoke(i + 1);
            }
            return networks;
        }
        catch
        {
            foreach (var n in networks) n.Dispose();
            throw;
        }
    }

    /// <summary>The HyperGAN options of <paramref name="budget"/> (with its recipe, if any).</summary>
    public static HyperGanTrainingOptions HyperGanOptions(ClassificationBudget budget, int seed)
    {
        var options = new HyperGanTrainingOptions
        {
            Architecture = new HyperGanArchitecture
            {
                NoiseDim = budget.HyperGanCodes, CodeDim = budget.HyperGanCodes,
                HiddenUnits = budget.HyperGanHidden, Head = budget.Head, ChunkSize = budget.ChunkSize ?? new HyperGanArchitecture().ChunkSize,
            },
            Epochs = budget.Epochs, BatchSize = budget.HyperGanBatch, NetworksPerStep = budget.NetworksPerStep,
            LearningRate = budget.HyperGanLearningRate, MixerLearningRate = 2 * budget.HyperGanLearningRate, Seed = seed,
        };
        return budget.Recipe?.ApplyTo(options) ?? options;
    }

    /// <summary>Trains the HyperGAN of <paramref name="budget"/>, logging one line per epoch.</summary>
    public static TrainedHyperGan TrainHyperGan(string problemName, TargetNetwork target, TrainingSet data, ClassificationBudget budget, int seed,
        Action<string> log)
    {
        var clock = Stopwatch.StartNew();
        log($"training HyperGAN on {problemName}: {data.Count:N0} images, {budget.Epochs} epochs, hidden {budget.HyperGanHidden}, " +
            $"{budget.HeadDescription}, {budget.NetworksPerStep} nets × {budget.HyperGanBatch} per step" +
            (budget.Recipe is { } recipe ? $", recipe {recipe.Name}" : ""));
        // One line per epoch: a --full run trains for tens of minutes.
        return HyperGanTrainer.Fit(target, data, HyperGanOptions(budget, seed),
            epochCompleted: (epoch, _) =>
            {
                log($"HyperGAN epoch {epoch}/{budget.Epochs} ({clock.Elapsed.TotalSeconds:F0} s)");
                return true;
            });
    }

    /// <summary>
    /// The methods compared: HyperGAN with each ensemble size (the first n of one sample drawn with
    /// <paramref name="samplingSeed"/>), the single network, deep ensembles of 5 (when available) and all, MC dropout.
    /// </summary>
    public List<(IMemberLogits Method, SampledEnsemble? Owned)> Methods(long samplingSeed)
    {
        var methods = new List<(IMemberLogits, SampledEnsemble?)>();
        var all = HyperGan.Sample(Budget.EnsembleSizes.Max(), samplingSeed);
        foreach (var n in Budget.EnsembleSizes)
        {
            var part = n == all.Count ? all : all.Take(n);
            methods.Add((new HyperGanMembers(part), part));
        }
        methods.Add((new DeepEnsemble([Independent[0]]), null));
        if (Independent.Count > 5) methods.Add((new DeepEnsemble(Independent.Take(5).ToList()), null));
        methods.Add((new DeepEnsemble(Independent), null));
        methods.Add((new McDropout(Dropout, Budget.DropoutSamples, samplingSeed), null));
        return methods;
    }

    /// <summary>Training wall time behind <paramref name="method"/> (a deep ensemble of n costs n single networks).</summary>
    public double TrainSecondsOf(IMemberLogits method) => method switch
    {
        HyperGanMembers => TrainSeconds["HyperGAN"],
        DeepEnsemble deep => TrainSeconds["single network"] * deep.Members,
        _ => TrainSeconds["MC dropout"],
    };

    /// <summary>Member outputs of <paramref name="method"/> on <paramref name="images"/>, in row chunks to bound memory: [M, N, C].</summary>
    public static Tensor Logits(IMemberLogits method, Engine.Data.LabeledImages images, int chunk = 500)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var x = images.ToTensor();
        var parts = new List<Tensor>();
        for (long start = 0; start < images.Count; start += chunk)
            parts.Add(method.Logits(x.narrow(0, start, Math.Min(chunk, images.Count - start))));
        return cat(parts, 1).MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        HyperGan.Dispose();
        foreach (var n in Independent) n.Dispose();
        Dropout.Dispose();
    }
}
