using System.Globalization;
using HyperGan.ML.Engine.Ensembles;
using HyperGan.ML.Engine.Targets;
using HyperGan.ML.Evaluation;

namespace HyperGan.ML.Experiments.Runs;

/// <summary>
/// Table 4 (ICLR 2019) / Table 2 (ICML 2019): accuracy, NLL, ECE and Brier of 1 / 5 / 10 / 100 sampled networks next
/// to a single network, deep ensembles and MC dropout, all trained here on the same data with the same epochs — plus
/// out-of-distribution detection by predictive entropy (the ood experiment's table and Fig. 3 ECDFs).
/// </summary>
public static class Table4Experiment
{
    /// <summary>The paper's accuracy columns (ICML 2019 Table 2 = ICLR Table 4), by problem name, then method name.</summary>
    public static readonly Dictionary<string, Dictionary<string, double>> PaperReports = new()
    {
        ["MNIST-5000"] = new()
        {
            ["HyperGAN (1)"] = 96.69, ["HyperGAN (5)"] = 97.24, ["HyperGAN (10)"] = 97.33, ["HyperGAN (100)"] = 97.71,
            ["MC dropout (100)"] = 95.58
        },
        ["CIFAR-5"] = new()
        {
            ["HyperGAN (1)"] = 84.50, ["HyperGAN (5)"] = 85.51, ["HyperGAN (10)"] = 85.54, ["HyperGAN (100)"] = 85.81,
            ["MC dropout (100)"] = 84.00
        },
        ["CIFAR-10"] = new()
        {
            ["HyperGAN (1)"] = 76.32, ["HyperGAN (5)"] = 76.84, ["HyperGAN (10)"] = 77.52, ["HyperGAN (100)"] = 77.71,
            ["MC dropout (100)"] = 72.75
        },
    };

    /// <summary>One method's figures on one problem.</summary>
    public sealed record Row(string Method, int Members, double Accuracy, double Nll, double Ece, double Brier,
        double EntropyInliers, double EntropyOutliers, double OutliersBelow08, double AuRoc, double AuPr, double FprAt95,
            double AuRocMutualInformation, double? Paper)
    {
        /// <summary>Accuracy on <see cref="TrainingRowsScored"/> evenly spaced training images: with the test accuracy, tells a
        /// method that fits the training images less (underfits) from one that fits them but generalises less.</summary>
        public double TrainingAccuracy { get; init; }
    }

    /// <summary>Training images scored for <see cref="Row.TrainingAccuracy"/>.</summary>
    public const int TrainingRowsScored = 2000;

    /// <summary>Trains all methods on <paramref name="problem"/> and writes its table (and, with <paramref name="withOod"/>, the OOD part and
    /// ECDF figure). <paramref name="evaluation"/> says which images <paramref name="problem"/> holds as test images (for the labels).</summary>
    public static List<Row> Run(ExperimentOutput output, Problem problem, bool withOod,
        EvaluationImages evaluation = EvaluationImages.PresetTestSample)
    {
        var budget = output.Budget;
        output.Data(problem.Provenance);
        if (evaluation == EvaluationImages.Validation)
            output.Markdown($"**{problem.Name}: VALIDATION figures** — every accuracy, NLL, ECE and OOD figure below is measured on training " +
                "images the methods did not train on (and outliers disjoint from the test outliers), for choosing a recipe; they are not test " +
                "figures.\n");
        using var methods = TrainedMethods.Train(problem, budget, output.Seed, output.Log);
        output.Result($"{problem.Name}: budget", methods.BudgetText);
        output.Result($"{problem.Name}: trainSeconds", methods.TrainSeconds);

        var rows = new List<Row>();
        var entropies = new Dictionary<string, (double[] In, double[] Out)>();
        var trainSeconds = new Dictionary<string, double>();
        // Evenly spaced, not the first rows: the CIFAR training images are stored class by class.
        int scored = Math.Min(TrainingRowsScored, problem.Train.Count);
        var trainingSample = problem.Train.Subset(Enumerable.Range(0, scored).Select(i => (int)((long)i * problem.Train.Count / scored)).ToList());
        foreach (var (method, owned) in methods.Methods(output.Seed + 17))
        {
            using var _ = owned;
            trainSeconds[method.Name] = methods.TrainSecondsOf(method);
            using var logits = TrainedMethods.Logits(method, problem.Test);
            var p = EnsemblePrediction.FromLogits(logits);
            var labels = problem.Test.Labels;
            var inH = p.Entropy.Select(v => (double)v).ToArray();
            var inMi = p.MutualInformation.Select(v => (double)v).ToArray();
            double[] outH = [], outMi = [];
            if (withOod)
            {
                using var outLogits = TrainedMethods.Logits(method, problem.Outliers);
                var q = EnsemblePrediction.FromLogits(outLogits);
                outH = q.Entropy.Select(v => (double)v).ToArray();
                outMi = q.MutualInformation.Select(v => (double)v).ToArray();
            }
            var ood = withOod ? OodDetection.Evaluate(inH, outH) : new OodDetectionResult(double.NaN, double.NaN, double.NaN);
            double miAuroc = withOod && method.Members > 1 ? OodDetection.AuRoc(inMi, outMi) : double.NaN;
            var row = new Row(method.Name, method.Members,
                100 * ClassificationMetrics.Accuracy(p.Probabilities, labels), ClassificationMetrics.NegativeLogLikelihood(p.Probabilities, labels),
                ClassificationMetrics.ExpectedCalibrationError(p.Probabilities, labels), ClassificationMetrics.Brier(p.Probabilities, labels),
                inH.Average(), withOod ? outH.Average() : double.NaN, withOod ? 100.0 * outH.Count(h => h < 0.8) / outH.Length : double.NaN,
                ood.AuRoc, ood.AuPr, 100 * ood.FprAt95Tpr, miAuroc, PaperReports.TryGetValue(problem.Name, out var column)
                    && column.TryGetValue(method.Name, out var paper) ? paper : null)
            {
                TrainingAccuracy = 100 * TrainingAccuracyOf(method, trainingSample),
            };
            rows.Add(row);
            entropies[method.Name] = (inH, outH);
            output.Log($"{row.Method}: accuracy {row.Accuracy:F2} %, NLL {row.Nll:F3}, ECE {row.Ece:F3}"
                + (withOod ? $", AUROC {row.AuRoc:F3}" : ""));
        }
        output.Result($"{problem.Name}: rows", rows);

        output.Markdown($"**{problem.Name}** — budget: {methods.BudgetText}\n");
        output.Markdown("| method | accuracy % | paper reports % | NLL | ECE | Brier | accuracy on training images % | train s |\n" +
            "|---|---|---|---|---|---|---|---|\n"
            + string.Join("\n", rows.Select(r =>
            $"| {r.Method} | {r.Accuracy:F2} | {(r.Paper is { } v ? v.ToString("F2", CultureInfo.InvariantCulture) : "")} | {r.Nll:F3} | " +
                $"{r.Ece:F3} | {r.Brier:F3} | {r.TrainingAccuracy:F2} | {trainSeconds[r.Method]:F0} |")) + "\n");
        output.Markdown("NLL: mean −ln p̄(true class); ECE: 15 equal-width confidence bins; Brier: mean squared error of p̄ against the one-hot " +
            $"label (sum over classes). Accuracy on training images: {trainingSample.Count:N0} evenly spaced images of those the methods " +
                        "trained on. " +
                        "Paper column: ICML 2019 Table 2 — MNIST-5000 there is 5,000 training images and the full test set, CIFAR-5/CIFAR-10 " +
                            "the full CIFAR training and test sets, so indicative only where our data differ. " +
                        "HyperGAN rows with n networks are the first n of one sample; single network = the first independent network; deep " +
                            "ensemble (5) = the first five.\n");
        if (withOod)
        {
            output.Markdown($"Out-of-distribution: {problem.Test.Count:N0} held-out {problem.Name} images (inliers) vs " +
                $"{problem.Outliers.Count:N0} {problem.OutlierName} images (outliers = positive class), score = predictive entropy (natural log).\n");
            output.Markdown("| method | mean H inliers | mean H outliers | outliers with H < 0.8 | AUROC | AUPR | FPR@95%TPR | AUROC (mutual " +
                "information) |\n|---|---|---|---|---|---|---|---|\n" + string.Join("\n", rows.Select(r =>
                $"| {r.Method} | {r.EntropyInliers:F3} | {r.EntropyOutliers:F3} | {r.OutliersBelow08:F1} % | {r.AuRoc:F3} | {r.AuPr:F3} | " +
                    $"{r.FprAt95:F1} % | " +
                    $"{(double.IsNaN(r.AuRocMutualInformation) ? "—" : r.AuRocMutualInformation.ToString("F3", CultureInfo.InvariantCulture))} |"))
                    + "\n");
            output.Markdown("The paper claims no HyperGAN outlier gets entropy below 0.8 (its Fig. 3); the column above tests that.\n");
            var hyper = rows.Where(r => r.Method.StartsWith("HyperGAN", StringComparison.Ordinal)).MaxBy(r => r.Members)!.Method;
            var deep = rows.Where(r => r.Method.StartsWith("deep ensemble", StringComparison.Ordinal)).MaxBy(r => r.Members)!.Method;
            output.Figure($"ood-entropy-ecdf-{problem.Name.ToLowerInvariant()}.png",
                Plots.Charts.Ecdf($"Predictive entropy, {problem.Name} (dashed) vs {problem.OutlierName} (solid)", "entropy (nats)",
            [
                ($"{hyper}, inliers", entropies[hyper].In, true), ($"{hyper}, outliers", entropies[hyper].Out, false),
                ($"{deep}, inliers", entropies[deep].In, true), ($"{deep}, outliers", entropies[deep].Out, false),
            ]), $"Empirical CDF of predictive entropy (like the paper's Fig. 3): {hyper} vs {deep}; inliers dashed, outliers solid. A curve " +
                $"further right = higher entropy.");
        }
        return rows;
    }

    static double TrainingAccuracyOf(Baselines.IMemberLogits method, Engine.Data.LabeledImages images)
    {
        using var logits = TrainedMethods.Logits(method, images);
        return ClassificationMetrics.Accuracy(EnsemblePrediction.FromLogits(logits).Probabilities, images.Labels);
    }
}
