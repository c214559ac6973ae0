namespace HyperGan.ML.Experiments.Runs;

/// <summary>
/// Which data sets a <c>table4</c>, <c>ood</c> or <c>adversarial</c> run covers, by name: <c>--problems</c> if given,
/// else MNIST-5000 plus what <c>--fashion</c> / <c>--cifar</c> add; and the data of each name at a preset's size.
/// </summary>
public static class ProblemSelection
{
    /// <summary>The data sets <paramref name="experiment"/> can run on (empty: it has one fixed data set).</summary>
    /// <remarks>ood needs outliers (CIFAR-10 has no classes left over); the attacks run on the grey-scale problems.</remarks>
    public static string[] Supported(string experiment) => experiment switch
    {
        "table4" => ["mnist-5000", "fashion-mnist", "cifar-10", "cifar-5"],
        "ood" => ["mnist-5000", "fashion-mnist", "cifar-5"],
        "adversarial" => ["mnist-5000", "fashion-mnist"],
        "decisions" => ["mnist-5000", "fashion-mnist", "cifar-10", "cifar-5"],
        _ => [],
    };

    /// <summary>The names to run, in order: <paramref name="problems"/> if any, else MNIST-5000 plus the flags' additions.</summary>
    public static IReadOnlyList<string> For(string experiment, string[]? problems, bool withFashion, bool withCifar)
    {
        if (problems is { Length: > 0 }) return Names(problems);
        var implied = new List<string> { "mnist-5000" };
        if (withFashion) implied.Add("fashion-mnist");
        if (withCifar) implied.AddRange(experiment switch { "table4" => ["cifar-10", "cifar-5"], "decisions" => ["cifar-10"], _ => ["cifar-5"] });
        return implied.Where(Supported(experiment).Contains).ToList();
    }

    /// <summary>The message for a <c>--problems</c> value <paramref name="experiment"/> cannot run on, or null when all are fine.</summary>
    public static string? Error(string experiment, string[]? problems)
    {
        var unsupported = Names(problems ?? []).Where(n => !Supported(experiment).Contains(n)).ToList();
        if (unsupported.Count == 0) return null;
        return Supported(experiment).Length == 0
            ? $"--problems applies to table4, ood, adversarial and decisions; {experiment} has a fixed data set."
            : $"--problems: '{string.Join("', '", unsupported)}' is not available for {experiment}; choose from " +
                $"{string.Join(", ", Supported(experiment))}.";
    }

    /// <summary>Quick Fashion-MNIST: training images, and validation images after them in the training file.</summary>
    public const int QuickFashionTrain = 10000, QuickFashionValidation = 10000;
    /// <summary>Quick CIFAR-10: training images per class, and validation images per class after them in each class folder.</summary>
    public const int QuickCifar10TrainPerClass = 500, QuickCifar10ValidationPerClass = 500;
    /// <summary>
    /// Validation images the full preset holds out of the training files when asked to evaluate on validation images
    /// (it trains on the rest): Fashion-MNIST 10,000 of 60,000 and CIFAR-5 1,000 of each class's 5,000 — as many as the
    /// test set has; CIFAR-10 500 per class, as its quick validation run, so that it keeps 4,500 per class to train on.
    /// </summary>
    public const int FullFashionValidation = 10000, FullCifar10ValidationPerClass = 500, FullCifar5ValidationPerClass = 1000;

    /// <summary>
    /// The data of each name at the size of <paramref name="preset"/>. <see cref="Preset.Tiny"/> stays independent of the
    /// shared data: both CIFAR names become the one vendored two-class slice (no outliers).
    /// </summary>
    /// <param name="names">Problem names (see <see cref="For"/>).</param>
    /// <param name="preset">The size.</param>
    /// <param name="seed">Seeds the samples.</param>
    /// <param name="datasets">Where the images are.</param>
    /// <param name="evaluation">Which images stand in the problem's Test: the preset's test sample, the whole test set, or
    /// validation images (training images not trained on) for choosing methods without the test split.</param>
    public static IEnumerable<Problem> Load(IEnumerable<string> names, Preset preset, int seed, Datasets datasets,
        EvaluationImages evaluation = EvaluationImages.PresetTestSample)
    {
        var budget = ClassificationBudget.For(preset);
        bool slice = false;
        foreach (var name in names)
        {
            if (preset == Preset.Tiny && name.StartsWith("cifar", StringComparison.Ordinal))
            {
                if (!slice) yield return datasets.CifarSlice(seed);
                slice = true;
                continue;
            }
            bool validation = evaluation == EvaluationImages.Validation;
            // Training images: quick samples 10,000 Fashion-MNIST and 5,000 CIFAR images per problem (keeps table4 --quick
            // --cifar under 10 minutes on 2 cores), full takes every image. Test images: the preset's sample, or every test
            // image (full, or EvaluationImages.WholeTestSet); validation images: as many as the whole test set where the
            // training files have them left over (CIFAR-10 quick: 500 per class). The full preset trains on every training
            // image, so with validation images it trains on the rest of the training file (the Full…Validation counts).
            bool full = preset == Preset.Full, whole = full || evaluation == EvaluationImages.WholeTestSet;
            bool fullValidation = full && validation;
            yield return name switch
            {
                "mnist-5000" => validation
                    ? datasets.Mnist5000WithValidation(budget.TrainCount, 1000, budget.OutlierCount, seed).AsValidationProblem()
                    : datasets.Mnist5000(budget, seed), // its 5,000 held-out digits are all there are: the whole test set
                "fashion-mnist" => datasets.FashionMnist(budget, seed,
                    full ? 60000 - (fullValidation ? FullFashionValidation : 0) : QuickFashionTrain,
                    fullValidation ? FullFashionValidation : whole ? 10000 : validation ? QuickFashionValidation : 5000, validation),
                "cifar-10" => datasets.Cifar(10,
                    full ? 5000 - (fullValidation ? FullCifar10ValidationPerClass : 0) : QuickCifar10TrainPerClass,
                    fullValidation ? FullCifar10ValidationPerClass : whole ? 1000 : validation ? QuickCifar10ValidationPerClass : 300,
                    seed, validation),
                "cifar-5" => datasets.Cifar(5, full ? 5000 - (fullValidation ? FullCifar5ValidationPerClass : 0) : 1000,
                    fullValidation ? FullCifar5ValidationPerClass : whole || validation ? 1000 : 500, seed, validation),
                _ => throw new ArgumentException($"Unknown problem '{name}'; choose from {string.Join(", ", Supported("table4"))}.", nameof(names)),
            };
        }
    }

    static List<string> Names(string[] problems) =>
        problems.SelectMany(p => p.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(p => p.ToLowerInvariant()).Distinct().ToList();
}

/// <summary>Which images a run evaluates on (<see cref="ProblemSelection.Load"/>).</summary>
public enum EvaluationImages
{
    /// <summary>The preset's sample of the test set.</summary>
    PresetTestSample,
    /// <summary>Every test image (quick: Fashion-MNIST 10,000, CIFAR 1,000 per class).</summary>
    WholeTestSet,
    /// <summary>Training images the run does not train on, for choosing methods without the test split (the full preset then
    /// trains on the rest of the training file: <see cref="ProblemSelection.FullFashionValidation"/>).</summary>
    Validation,
}
