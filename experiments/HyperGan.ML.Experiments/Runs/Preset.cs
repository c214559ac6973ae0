namespace HyperGan.ML.Experiments.Runs;

/// <summary>How big an experiment run is. Every output records the preset it ran with.</summary>
public enum Preset
{
    /// <summary>Seconds: a few hundred images and one epoch — for CI, checks that the pipeline produces well-formed output. Numbers mean
    /// nothing.</summary>
    Tiny,
    /// <summary>≤ 10 minutes on a 2-core CPU: full MNIST-5000 split, small generators, few epochs. Indicative numbers, labelled as such.</summary>
    Quick,
    /// <summary>The paper's protocol as far as this machine allows (paper-sized generators, more epochs): 10–30 minutes per MNIST-5000 experiment
    /// on 2 cores, hours for CIFAR and Fashion-MNIST (every image).</summary>
    Full,
}

/// <summary>Sizes and budgets of a classification run, by preset.</summary>
/// <param name="TrainCount">Training images (MNIST-5000: taken from the vendored test set).</param>
/// <param name="TestCount">Test images.</param>
/// <param name="OutlierCount">Out-of-distribution images.</param>
/// <param name="Epochs">Epochs for every method (the shared budget).</param>
/// <param name="HyperGanHidden">Generator width (paper: 512).</param>
/// <param name="HyperGanCodes">Noise and code dimension (paper: 256 / 128).</param>
/// <param name="HyperGanLearningRate">Generator learning rate (mixer: 2×).</param>
/// <param name="NetworksPerStep">HyperGAN networks per step.</param>
/// <param name="HyperGanBatch">HyperGAN examples per step.</param>
/// <param name="EnsembleSizes">Sampled-network counts reported (paper: 1, 5, 10, 100).</param>
/// <param name="DeepEnsembleSize">Independently trained networks (the 5-member ensemble is their first five).</param>
/// <param name="DropoutSamples">MC-dropout forward passes.</param>
public sealed record ClassificationBudget(int TrainCount, int TestCount, int OutlierCount, int Epochs, int HyperGanHidden, int HyperGanCodes,
    double HyperGanLearningRate, int NetworksPerStep, int HyperGanBatch, int[] EnsembleSizes, int DeepEnsembleSize, int DropoutSamples)
{
    /// <summary>MC-dropout probability before every layer.</summary>
    public double DropoutRate { get; init; } = 0.1;
    /// <summary>HyperGAN's generator head (the experiments CLI's --head).</summary>
    public HyperGan.ML.Engine.Model.GeneratorHead Head { get; init; } = HyperGan.ML.Engine.Model.GeneratorHead.Full;
    /// <summary>The chunked head's values per chunk (the experiments CLI's --chunk-size); null = the engine's default.</summary>
    public int? ChunkSize { get; init; }
    /// <summary>HyperGAN's diversity knobs (the experiments CLI's --recipe); null = the engine's defaults.</summary>
    public DiversityRecipe? Recipe { get; init; }
    /// <summary>The head in words, for budget lines: "Full head", "Chunked head (chunks of 64)".</summary>
    public string HeadDescription => $"{Head} head" + (ChunkSize is { } c ? $" (chunks of {c})" : "");

    /// <summary>The budget for <paramref name="preset"/> on an MNIST-sized problem.</summary>
    public static ClassificationBudget For(Preset preset) => preset switch
    {
        Preset.Tiny => new(TrainCount: 300, TestCount: 200, OutlierCount: 200, Epochs: 1, HyperGanHidden: 64, HyperGanCodes: 16,
            HyperGanLearningRate: 1e-3, NetworksPerStep: 4, HyperGanBatch: 32, EnsembleSizes: [1, 2], DeepEnsembleSize: 2, DropoutSamples: 4),
        Preset.Quick => new(TrainCount: 5000, TestCount: 5000, OutlierCount: 2000, Epochs: 5, HyperGanHidden: 128, HyperGanCodes: 32,
            HyperGanLearningRate: 1e-3, NetworksPerStep: 8, HyperGanBatch: 32, EnsembleSizes: [1, 5, 10, 100], DeepEnsembleSize: 10,
                DropoutSamples: 50),
        // Batch 32 like every baseline: at 64 each base network got half a deep-ensemble member's Adam steps (docs/diversity.md).
        _ => new(TrainCount: 5000, TestCount: 5000, OutlierCount: 5000, Epochs: 10, HyperGanHidden: 512, HyperGanCodes: 128,
            HyperGanLearningRate: 3e-4, NetworksPerStep: 16, HyperGanBatch: 32, EnsembleSizes: [1, 5, 10, 100], DeepEnsembleSize: 10,
                DropoutSamples: 100),
    };
}
