using HyperGan.ML.Engine.Data;

namespace HyperGan.ML.Experiments.Runs;

/// <summary>A classification problem: training and test images plus out-of-distribution images, with provenance.</summary>
public sealed record Problem(string Name, LabeledImages Train, LabeledImages Test, LabeledImages Outliers, string OutlierName, string Provenance);

/// <summary>Loads the experiments' data. <paramref name="repoData"/> is the repository's <c>data/</c>; <paramref name="sharedData"/> the team's larger copies.</summary>
public sealed class Datasets(string repoData, string? sharedData)
{
    static LabeledImages Idx(string folder, string prefix) =>
        LabeledImages.LoadIdx(Path.Combine(folder, $"{prefix}-images-idx3-ubyte.gz"), Path.Combine(folder, $"{prefix}-labels-idx1-ubyte.gz"));

    static LabeledImages Take(LabeledImages images, int count, int seed) =>
        count >= images.Count ? images : images.Subset(StratifiedSplit.Split(images.Labels, count, seed).Train);

    /// <summary>
    /// MNIST-5000 as run here: a seeded stratified 5,000 / 5,000 split of the vendored MNIST test set (the training
    /// images are not vendored), notMNIST letters as outliers. The paper used 5,000 training images and the full test set.
    /// </summary>
    public Problem Mnist5000(ClassificationBudget budget, int seed)
    {
        var mnist = Idx(Path.Combine(repoData, "mnist"), "t10k");
        var (trainIdx, testIdx) = StratifiedSplit.Split(mnist.Labels, 5000, seed);
        var train = Take(mnist.Subset(trainIdx), budget.TrainCount, seed);
        var test = Take(mnist.Subset(testIdx), budget.TestCount, seed);
        var letters = Take(Idx(Path.Combine(repoData, "notmnist"), "t10k"), budget.OutlierCount, seed);
        return new Problem("MNIST-5000", train, test, letters, "notMNIST",
            $"MNIST test set (data/mnist, see PROVENANCE.txt), seeded stratified split: {train.Count:N0} train / {test.Count:N0} test (seed {seed}); notMNIST sample (data/notmnist): {letters.Count:N0} letters");
    }

    /// <summary>Fashion-MNIST (60k/10k, from the shared data folder) with MNIST digits as outliers.</summary>
    public Problem FashionMnist(ClassificationBudget budget, int seed, int trainCount, int testCount)
    {
        if (sharedData is null || !Directory.Exists(Path.Combine(sharedData, "fashion-mnist")))
            throw new DirectoryNotFoundException($"Fashion-MNIST not found under '{sharedData}'; pass --shared-data <folder containing fashion-mnist/>.");
        var folder = Path.Combine(sharedData, "fashion-mnist");
        var train = Take(Idx(folder, "train"), trainCount, seed);
        var test = Take(Idx(folder, "t10k"), testCount, seed);
        var digits = Take(Idx(Path.Combine(repoData, "mnist"), "t10k"), budget.OutlierCount, seed);
        return new Problem("Fashion-MNIST", train, test, digits, "MNIST",
            $"Fashion-MNIST ({folder}, see its PROVENANCE.txt): {train.Count:N0} train / {test.Count:N0} test (stratified, seed {seed}); MNIST test digits (data/mnist) as outliers: {digits.Count:N0}");
    }
}
