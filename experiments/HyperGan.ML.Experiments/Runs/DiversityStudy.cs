using System.Diagnostics;
using System.Globalization;
using HyperGan.ML.Engine.Data;
using HyperGan.ML.Engine.Ensembles;
using HyperGan.ML.Engine.Training;
using HyperGan.ML.Evaluation;
using HyperGan.ML.Experiments.Baselines;
using static TorchSharp.torch;

namespace HyperGan.ML.Experiments.Runs;

/// <summary>
/// Issue 14's recipe study. Sweep: every <see cref="DiversityRecipe"/> trained on MNIST-5000 and on a small slice of it
/// (1,000 images, 5× the epochs: the same number of steps), judged on VALIDATION data only (1,000 held-out digits,
/// 1,000 notMNIST letters, 1,000 Fashion-MNIST images) beside a deep ensemble trained in the same run. Selection: the
/// recipe with the best mean validation OOD AUROC among those within 1 pt accuracy of the deep ensemble on both
/// trainings and 0.03 NLL on MNIST-5000. Final: the chosen recipe, the paper's recipe and the
/// deep ensemble over several training seeds, on TEST data (4,000 digits, 2,000 letters, 2,000 Fashion images) once.
/// </summary>
public static class DiversityStudy
{
    /// <summary>One method's figures on one evaluation set.</summary>
    public sealed record Figures(string Method, string Training, int Seed, double Accuracy, double Nll, double Ece, double LettersBelow08,
        double AuRocLetters, double AuRocLettersMutualInformation, double AuRocFashion, double LetterEntropyOne, double LetterEntropyAll,
            int AllMembers, double TrainSeconds,
        double Temperature = double.NaN, double NllCalibrated = double.NaN, double EceCalibrated = double.NaN);

    const int ScoredMembers = 10;          // the product's default EnsembleSize: every metric but the entropy gain
    const int SampledForGain = 100;        // letter entropy with 1 → 100 sampled networks

    /// <summary>Runs the sweep and the final comparison; returns the chosen recipe.</summary>
    public static DiversityRecipe Run(ExperimentOutput output, Datasets datasets, IReadOnlyList<DiversityRecipe> recipes, int finalSeeds)
    {
        bool tiny = output.Preset == Preset.Tiny;
        var budget = output.Budget;
        var split = datasets.Mnist5000WithValidation(budget.TrainCount, tiny ? 200 : 1000, tiny ? 200 : 2000, output.Seed);
        output.Data(split.Problem.Provenance);
        var small = split.Problem.Train.Subset(StratifiedSplit.Split(split.Problem.Train.Labels, Math.Min(1000, split.Problem.Train.Count / 5),
            output.Seed).Train);
        var smallBudget = budget with { Epochs = budget.Epochs * split.Problem.Train.Count / small.Count };
        TrainingSet Examples(LabeledImages images) =>
            TrainingSet.ForClassification(images.Pixels, images.Labels, images.Shape, split.Problem.Target.OutputSize);
        using var mainData = Examples(split.Problem.Train); // the sweep's first training and the final's
        using var sliceData = Examples(small);
        var trainings = new (string Name, TrainingSet Data, ClassificationBudget Budget)[]
        {
            ($"MNIST-5000 ({split.Problem.Train.Count:N0} images, {budget.Epochs} epochs)", mainData, budget),
            ($"slice ({small.Count:N0} images, {smallBudget.Epochs} epochs)", sliceData, smallBudget),
        };
        var validation = new EvaluationSet(split.Validation, split.ValidationLetters, split.ValidationFashion, Calibration: null);
        var sweep = new List<Figures>();
        foreach (var (name, data, trainBudget) in trainings)
        {
            sweep.Add(DeepEnsembleFigures(split.Problem, data, trainBudget, name, output.Seed, validation, output.Log));
            foreach (var recipe in recipes)
                sweep.Add(HyperGanFigures(split.Problem, data, trainBudget with { Recipe = recipe }, recipe.Name, name, output.Seed, validation,
                    output.Log));
        }
        output.Result("sweep (validation)", sweep);
        var chosen = Choose(sweep, recipes, trainings[0].Name, trainings[1].Name, out var rule);
        output.Log($"chosen on validation: {chosen}");
        output.Result("chosen", chosen.ToString());

        // Final: test data, several training seeds, same split.
        var test = new EvaluationSet(split.Problem.Test, split.Problem.Outliers, split.TestFashion, Calibration: split.Validation);
        var final = new List<Figures>();
        foreach (var seed in Enumerable.Range(output.Seed, finalSeeds))
        {
            final.Add(DeepEnsembleFigures(split.Problem, mainData, budget, trainings[0].Name, seed, test, output.Log));
            foreach (var recipe in new[] { DiversityRecipe.Paper, chosen }.Distinct())
                final.Add(HyperGanFigures(split.Problem, mainData, budget with { Recipe = recipe }, recipe.Name, trainings[0].Name, seed, test,
                    output.Log));
        }
        output.Result("final (test)", final);

        output.Markdown($"Budget (every method, both trainings): {budget.Epochs} epochs on MNIST-5000, {smallBudget.Epochs} on the slice; " +
            $"HyperGAN: {budget.NetworksPerStep} nets × {budget.HyperGanBatch} images per step, " +
                        $"Adam lr {budget.HyperGanLearningRate:G3} (mixer 2×), generator width {budget.HyperGanHidden}, noise/code " +
                            $"{budget.HyperGanCodes}, {budget.HeadDescription}; deep ensemble: {budget.DeepEnsembleSize} networks, Adam lr 1e-3, " +
                            $"batch 32.\n");
        output.Markdown("### Sweep on VALIDATION data (training seed " + output.Seed + ")\n");
        output.Markdown("Metrics of " + ScoredMembers + " networks (the deep ensemble: all " + budget.DeepEnsembleSize
            + "); OOD scores are predictive entropy unless marked MI (mutual information); " +
                        "letter entropy 1 → N: mean entropy on notMNIST letters with the first network alone and with all N sampled ("
                            + SampledForGain + " for HyperGAN).\n");
        output.Markdown(Table(sweep, withSeed: false));
        output.Markdown($"Selection rule: {rule}\n\n**Chosen: {chosen}**\n");
        output.Markdown($"### Final on TEST data, {finalSeeds} training seeds (mean ± std)\n");
        output.Markdown(Summary(final));
        return chosen;
    }

    /// <summary>Where a method is judged; with <paramref name="Calibration"/>, a temperature is also fitted there (never on the judged
    /// data).</summary>
    sealed record EvaluationSet(LabeledImages Inliers, LabeledImages Letters, LabeledImages? Fashion, LabeledImages? Calibration);

    static Figures DeepEnsembleFigures(Problem problem, TrainingSet data, ClassificationBudget budget, string training, int seed, EvaluationSet set,
        Action<string> log)
    {
        var clock = Stopwatch.StartNew();
        var networks = TrainedMethods.TrainDeepEnsemble(problem.Target, data, budget, seed);
        try
        {
            double seconds = clock.Elapsed.TotalSeconds;
            var figures = Measure(new DeepEnsemble(networks), $"deep ensemble ({networks.Count})", training, seed, set, networks.Count, seconds);
            log($"{training}, {figures.Method}: accuracy {figures.Accuracy:F2} %, NLL {figures.Nll:F3}, letters AUROC {figures.AuRocLetters:F3} " +
                $"({seconds:F0} s)");
            return figures;
        }
        finally
        {
            foreach (var n in networks) n.Dispose();
        }
    }

    static Figures HyperGanFigures(Problem problem, TrainingSet data, ClassificationBudget budget, string name, string training, int seed,
        EvaluationSet set, Action<string> log)
    {
        var clock = Stopwatch.StartNew();
        using var model = TrainedMethods.TrainHyperGan(problem.Name, problem.Target, data, budget, seed, _ => { });
        double seconds = clock.Elapsed.TotalSeconds;
        using var ensemble = model.Sample(SampledForGain, seed + 17);
        var figures = Measure(new HyperGanMembers(ensemble), $"HyperGAN {name}", training, seed, set, ScoredMembers, seconds);
        log($"{training}, {figures.Method}: accuracy {figures.Accuracy:F2} %, NLL {figures.Nll:F3}, letters AUROC {figures.AuRocLetters:F3}, " +
            $"letter H {figures.LetterEntropyOne:F2} → {figures.LetterEntropyAll:F2} ({seconds:F0} s)");
        return figures;
    }

    /// <summary>Scores with the first <paramref name="scored"/> members; letter entropy also with the first and all members.</summary>
    static Figures Measure(IMemberLogits method, string name, string training, int seed, EvaluationSet set, int scored, double seconds)
    {
        using var inLogits = TrainedMethods.Logits(method, set.Inliers);
        using var letterLogits = TrainedMethods.Logits(method, set.Letters);
        using var fashionLogits = set.Fashion is null ? null : TrainedMethods.Logits(method, set.Fashion);
        using var inScored = inLogits.narrow(0, 0, scored);
        EnsemblePrediction First(Tensor logits, long n) { using var part = logits.narrow(0, 0, n); return EnsemblePrediction.FromLogits(part); }
        var inP = EnsemblePrediction.FromLogits(inScored);
        var letters = First(letterLogits, scored);
        var fashion = fashionLogits is null ? null : First(fashionLogits, scored);
        var labels = set.Inliers.Labels;
        double[] D(float[] v) => v.Select(x => (double)x).ToArray();
        double temperature = double.NaN, nllT = double.NaN, eceT = double.NaN;
        if (set.Calibration is { } calibration)
        {
            using var calibrationLogits = TrainedMethods.Logits(method, calibration);
            using var calibrationPart = calibrationLogits.narrow(0, 0, scored);
            temperature = TemperatureScaling.Fit(calibrationPart, calibration.Labels);
            using var scaled = TemperatureScaling.Calibrated(inScored, temperature);
            var p = EnsemblePrediction.ToMatrix(scaled);
            nllT = ClassificationMetrics.NegativeLogLikelihood(p, labels);
            eceT = ClassificationMetrics.ExpectedCalibrationError(p, labels);
        }
        return new Figures(name, training, seed,
            100 * ClassificationMetrics.Accuracy(inP.Probabilities, labels), ClassificationMetrics.NegativeLogLikelihood(inP.Probabilities, labels),
            ClassificationMetrics.ExpectedCalibrationError(inP.Probabilities, labels),
            100.0 * letters.Entropy.Count(h => h < 0.8) / letters.Count,
            OodDetection.AuRoc(D(inP.Entropy), D(letters.Entropy)), OodDetection.AuRoc(D(inP.MutualInformation), D(letters.MutualInformation)),
            fashion is null ? double.NaN : OodDetection.AuRoc(D(inP.Entropy), D(fashion.Entropy)),
            First(letterLogits,
                1).Entropy.Average(), EnsemblePrediction.FromLogits(letterLogits).Entropy.Average(), (int)letterLogits.shape[0], seconds,
            temperature, nllT, eceT);
    }

    // Selection tolerances (validation noise on 1,000 digits; see the rule text).
    const double AccuracyTolerance = 1.0, NllTolerance = 0.03;

    static double OodScore(Figures f) => double.IsNaN(f.AuRocFashion) ? f.AuRocLetters : (f.AuRocLetters + f.AuRocFashion) / 2;

    static DiversityRecipe Choose(List<Figures> sweep, IReadOnlyList<DiversityRecipe> recipes, string main, string slice, out string rule)
    {
        rule = $"among recipes whose validation accuracy is ≥ the deep ensemble's − {AccuracyTolerance} pt on MNIST-5000 and on the slice, and " +
            $"whose NLL on MNIST-5000 is " +
               $"≤ the deep ensemble's + {NllTolerance}, the highest mean validation OOD AUROC on MNIST-5000 (entropy; mean of notMNIST and " +
                   $"Fashion-MNIST when present); " +
               "the paper's recipe if none qualifies. The tolerances are about two standard errors of a difference measured on 1,000 validation " +
                   "digits " +
               "(accuracy ≈ 98 %: SE of one accuracy ≈ 0.44 pt).";
        Figures Of(string training, string method) => sweep.Single(f => f.Training == training && f.Method == method);
        var deepMain = sweep.Single(f => f.Training == main && f.Method.StartsWith("deep ensemble", StringComparison.Ordinal));
        var deepSlice = sweep.Single(f => f.Training == slice && f.Method.StartsWith("deep ensemble", StringComparison.Ordinal));
        var eligible = recipes.Where(r =>
        {
            var a = Of(main, $"HyperGAN {r.Name}");
            var b = Of(slice, $"HyperGAN {r.Name}");
            return a.Accuracy >= deepMain.Accuracy - AccuracyTolerance && a.Nll <= deepMain.Nll + NllTolerance
                && b.Accuracy >= deepSlice.Accuracy - AccuracyTolerance;
        }).ToList();
        return eligible.Count == 0 ? DiversityRecipe.Paper : eligible.MaxBy(r => OodScore(Of(main, $"HyperGAN {r.Name}")))!;
    }

    static string Table(IEnumerable<Figures> rows, bool withSeed) =>
        $"| training | method |{(withSeed ? " seed |" : "")} accuracy % | NLL | ECE | letters H < 0.8 | AUROC letters | AUROC letters (MI) | " +
            $"AUROC Fashion | letter H, 1 → N | train s |\n" +
        $"|---|---|{(withSeed ? "---|" : "")}---|---|---|---|---|---|---|---|---|\n" +
        string.Join("\n", rows.Select(f =>
            $"| {f.Training} | {f.Method} |{(withSeed ? $" {f.Seed} |" : "")} {f.Accuracy:F2} | {f.Nll:F3} | {f.Ece:F3} | {f.LettersBelow08:F1} " +
                $"% | {f.AuRocLetters:F3} | {f.AuRocLettersMutualInformation:F3} | " +
            $"{(double.IsNaN(f.AuRocFashion) ? "—" : f.AuRocFashion.ToString("F3", CultureInfo.InvariantCulture))} | {f.LetterEntropyOne:F2} → " +
                $"{f.LetterEntropyAll:F2} (N = {f.AllMembers}) | {f.TrainSeconds:F0} |")) + "\n";

    static string Summary(List<Figures> final)
    {
        static string Ms(IEnumerable<double> values, string format) => MeanAndStd.Format(values, format);
        var text = "| method | seeds | accuracy % | NLL | ECE | temperature (fitted on validation) | NLL, scaled | ECE, scaled | letters H < " +
            "0.8 % | AUROC letters | AUROC letters (MI) | AUROC Fashion | letter H gain 1 → N | train s " +
            "|\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
        foreach (var group in final.GroupBy(f => f.Method))
        {
            var g = group.ToList();
            text += $"| {group.Key} | {g.Count} | {Ms(g.Select(f => f.Accuracy), "F2")} | {Ms(g.Select(f => f.Nll), "F3")} | " +
                $"{Ms(g.Select(f => f.Ece), "F3")} | " +
                    $"{Ms(g.Select(f => f.Temperature), "F2")} | {Ms(g.Select(f => f.NllCalibrated), "F3")} | " +
                        $"{Ms(g.Select(f => f.EceCalibrated), "F3")} | {Ms(g.Select(f => f.LettersBelow08), "F1")} | " +
                    $"{Ms(g.Select(f => f.AuRocLetters), "F3")} | {Ms(g.Select(f => f.AuRocLettersMutualInformation), "F3")} | " +
                    $"{(g.Any(f => double.IsNaN(f.AuRocFashion)) ? "—" : Ms(g.Select(f => f.AuRocFashion), "F3"))} | " +
                        $"{Ms(g.Select(f => f.LetterEntropyAll - f.LetterEntropyOne), "F2")} (N = {g[0].AllMembers}) | " +
                        $"{Ms(g.Select(f => f.TrainSeconds), "F0")} |\n";
        }
        return text + "\nPer seed:\n\n" + Table(final, withSeed: true);
    }
}
