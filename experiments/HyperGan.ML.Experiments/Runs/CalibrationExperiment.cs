using HyperGan.ML.Engine.Ensembles;
using HyperGan.ML.Engine.Targets;
using HyperGan.ML.Evaluation;

namespace HyperGan.ML.Experiments.Runs;

/// <summary>
/// Calibration (beyond the paper): reliability diagrams and ECE of HyperGAN vs the baselines on Fashion-MNIST —
/// does a stated confidence of 80% come true 80% of the time?
/// </summary>
public static class CalibrationExperiment
{
    /// <summary>Reliability of one method: per confidence bin, mean confidence, accuracy and share of examples.</summary>
    public sealed record Reliability(string Method, double Ece, double[] Confidence, double[] Accuracy, double[] Share);

    /// <summary>Runs on <paramref name="problem"/> (Fashion-MNIST for quick/full).</summary>
    public static List<Reliability> Run(ExperimentOutput output, Problem problem, int bins = 15)
    {
        var budget = output.Budget;
        output.Data(problem.Provenance);
        using var methods = TrainedMethods.Train(problem, budget, output.Seed, output.Log);
        output.Result("budget", methods.BudgetText);
        var results = new List<Reliability>();
        foreach (var (method, owned) in methods.Methods(output.Seed + 17))
        {
            using var _ = owned;
            if (method.Name.StartsWith("HyperGAN", StringComparison.Ordinal) && method.Members != budget.EnsembleSizes.Max()
                && method.Members != 1) continue;
            using var logits = TrainedMethods.Logits(method, problem.Test);
            var p = EnsemblePrediction.FromLogits(logits);
            var labels = problem.Test.Labels;
            var reliability = ClassificationMetrics.Reliability(p.Probabilities, labels, bins);
            var r = new Reliability(method.Name, ClassificationMetrics.ExpectedCalibrationError(reliability),
                reliability.Select(b => b.MeanConfidence).ToArray(), reliability.Select(b =>
                    b.Accuracy).ToArray(), reliability.Select(b => b.Share).ToArray());
            results.Add(r);
            output.Log($"{r.Method}: ECE {r.Ece:F4}");
        }
        output.Result("reliability", results);
        output.Markdown($"**{problem.Name}** — budget: {methods.BudgetText}\n\n| method | ECE (15 bins) |\n|---|---|\n"
            + string.Join("\n", results.Select(r => $"| {r.Method} | {r.Ece:F4} |")) + "\n");
        output.Markdown(
            "Reference (other work, LeNet-5-class nets on Fashion-MNIST): a 10-model deep ensemble ECE 0.010, single model ~0.02–0.05.\n");
        output.Figure("reliability.png", Plots.Charts.Lines($"Reliability on {problem.Name}", "mean confidence in bin", "accuracy in bin",
            results.Select(r => new Plots.Series($"{r.Method} (ECE {r.Ece:F3})", r.Confidence, r.Accuracy))
                .Append(new Plots.Series("perfect calibration", [0.0, 1.0], [0.0, 1.0], Dashed: true)), 0, 1),
            $"Reliability diagram on {problem.Name}: points on the dashed diagonal are perfectly calibrated; below it = over-confident.");
        return results;
    }
}
