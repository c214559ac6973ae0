using HyperGan.ML.Engine.Ensembles;
using HyperGan.ML.Engine.Targets;
using HyperGan.ML.Experiments.Baselines;
using static TorchSharp.torch;

namespace HyperGan.ML.Experiments.Runs;

/// <summary>
/// Adversarial-example detection (the paper's Sec. 5.3): FGSM and PGD on [0, 1] pixels, crafted against one sampled
/// network or against an ensemble of N sampled networks, then judged by a <em>fresh</em> ensemble of N; the same
/// attacks against deep ensembles of N (judged by themselves). Detection = predictive entropy above the threshold that
/// flags 5% of clean test images.
/// </summary>
public static class AdversarialExperiment
{
    /// <summary>The paper's ε grid for [0, 1] pixels.</summary>
    public static readonly double[] Epsilons = [0.01, 0.03, 0.08, 0.1, 0.3];

    /// <summary>One (attack, crafted-against, N, ε) cell. <paramref name="MeanEntropy"/>: the judging ensemble's mean predictive entropy on the
    /// adversarial images.</summary>
    public sealed record Cell(string Attack, string Setting, int Networks, double Epsilon, double AccuracyOnAdversarial, double DetectionRate,
        double LossClean, double LossAdversarial, double MeanEntropy);

    /// <summary>ε at which the member-agreement histogram (Fig. 4) is drawn.</summary>
    public const double AgreementEpsilon = 0.1;

    /// <summary>Runs the experiment on <paramref name="problem"/> (the paper: MNIST-5000 and Fashion-MNIST).</summary>
    public static List<Cell> Run(ExperimentOutput output, Problem problem)
    {
        var budget = output.Budget;
        string slug = problem.Name.ToLowerInvariant();
        output.Data(problem.Provenance);
        using var methods = TrainedMethods.Train(problem, budget, output.Seed, output.Log);
        output.Result($"{problem.Name}: budget", methods.BudgetText);
        int count = output.Preset switch { Preset.Tiny => 20, Preset.Quick => 200, _ => 1000 };
        int steps = output.Preset switch { Preset.Tiny => 2, Preset.Quick => 5, _ => 10 };
        int[] sizes = output.Preset switch { Preset.Tiny => [2], Preset.Quick => [5, 10], _ => [5, 10, 100] };
        double[] epsilons = output.Preset == Preset.Tiny ? [0.1, 0.3] : Epsilons;
        output.Result($"{problem.Name}: protocol", $"{count} test images attacked; PGD: {steps} steps of 2.5ε/{steps}, no random start; " +
            $"threshold = 95th percentile of clean-test entropy of the judging ensemble");

        var test = problem.Test.Subset(Enumerable.Range(0, count).ToArray());
        using var x = test.ToTensor();
        using var y = tensor(test.Labels.Select(l => (long)l).ToArray());
        var cells = new List<Cell>();
        // Fig. 4: for the largest HyperGAN ensemble crafted on N nets, how many of the judge's N members vote with the ensemble, per image.
        var agreement = new Dictionary<string, int[]>();
        int agreementNetworks = sizes.Max();
        foreach (var n in sizes)
        {
            using var attackedEnsemble = methods.HyperGan.Sample(n, output.Seed + 1000 + n);
            using var attackedSingle = methods.HyperGan.Sample(1, output.Seed + 2000 + n);
            using var judge = methods.HyperGan.Sample(n, output.Seed + 3000 + n); // fresh networks the attacker never saw
            var fresh = new HyperGanMembers(judge);
            var deep = new DeepEnsemble(methods.Independent.Take(Math.Min(n, methods.Independent.Count)).ToList());
            bool drawAgreement = n == agreementNetworks;
            // Names carry N: each names one line in the figures and one row group in the table.
            var settings = new List<(string Name, IMemberLogits Attacked, IMemberLogits Judge, bool Agreement)>
            {
                ($"HyperGAN ({n} fresh), crafted on 1 sampled net", new HyperGanMembers(attackedSingle), fresh, false),
                ($"HyperGAN ({n} fresh), crafted on {n} other sampled nets", new HyperGanMembers(attackedEnsemble), fresh, drawAgreement),
            };
            if (n <= methods.Independent.Count) settings.Add(($"deep ensemble ({n}), crafted on itself", deep, deep, false));
            // One clean-data threshold per judging ensemble (both HyperGAN settings share the fresh one).
            var thresholds = settings.Select(s => s.Judge).Distinct().ToDictionary(j => j, j => Threshold(j, problem.Test));
            if (drawAgreement)
            {
                using var _ = no_grad();
                using var clean = fresh.Logits(x);
                agreement["clean"] = Agreement(clean);
            }
            foreach (var (name, attacked, judging, recordAgreement) in settings)
            {
                double threshold = thresholds[judging];
                double lossClean = Loss(attacked, x, y);
                foreach (var attack in new[] { "FGSM", "PGD" })
                    foreach (var eps in epsilons)
                    {
                        using var adversarial = attack == "FGSM" ? Attacks.Attacks.Fgsm(attacked, x, y, eps)
                            : Attacks.Attacks.Pgd(attacked, x, y, eps, steps);
                        using var scope = NewDisposeScope();
                        using var _ = no_grad();
                        var memberLogits = judging.Logits(adversarial);
                        var p = EnsemblePrediction.FromLogits(memberLogits);
                        double accuracy = 100.0 * Enumerable.Range(0, count).Count(i => p.PredictedClass(i) == test.Labels[i]) / count;
                        double detected = 100.0 * p.Entropy.Count(h => h > threshold) / count;
                        if (recordAgreement && Math.Abs(eps - AgreementEpsilon) < 1e-9)
                            agreement[$"{attack}, ε {eps}"] = Agreement(memberLogits);
                        var cell = new Cell(attack, name, n, eps, accuracy, detected, lossClean, Loss(attacked, adversarial, y), p.Entropy.Average());
                        cells.Add(cell);
                        output.Log($"{attack} ε {eps}: {name}: accuracy {accuracy:F1} %, detected {detected:F1} %");
                    }
            }
        }
        output.Result($"{problem.Name}: cells", cells);
        output.Markdown($"**{problem.Name}** — budget: {methods.BudgetText}\n\nDetection rate = share of adversarial images whose predictive " +
            $"entropy (judging ensemble) exceeds the threshold that flags 5% of clean test images. " +
                        "HyperGAN attacks are judged by a fresh ensemble of the same size; deep-ensemble attacks by the attacked ensemble " +
                            "itself (there is no fresh one).\n");
        output.Markdown("| attack | judging ensemble, crafted on | ε | accuracy on adversarial % | detected % | attacked model's loss clean → " +
            "adversarial |\n|---|---|---|---|---|---|\n" +
            string.Join("\n", cells.Select(c => $"| {c.Attack} | {c.Setting} | {c.Epsilon} | {c.AccuracyOnAdversarial:F1} | " +
                $"{c.DetectionRate:F1} | {c.LossClean:F3} → {c.LossAdversarial:F3} |")) + "\n");
        output.Result($"{problem.Name}: agreement", agreement);
        foreach (var attack in new[] { "FGSM", "PGD" })
            output.Figure($"adversarial-detection-{attack.ToLowerInvariant()}-{slug}.png",
                Plots.Charts.Lines($"{attack} on {problem.Name}: detection rate at 5% false positives", "ε", "detected %",
                cells.Where(c => c.Attack == attack).GroupBy(c => c.Setting).Select(g =>
                    new Plots.Series(g.Key, g.Select(c => c.Epsilon).ToArray(), g.Select(c => c.DetectionRate).ToArray(),
                        Dashed: g.Key.StartsWith("deep", StringComparison.Ordinal))), 0, 100),
                $"{attack} detection rate vs ε on {problem.Name} (entropy threshold at 5% FPR on clean data).");
        foreach (var attack in new[] { "FGSM", "PGD" })
            output.Figure($"adversarial-entropy-{attack.ToLowerInvariant()}-{slug}.png",
                Plots.Charts.Lines($"{attack} on {problem.Name}: mean predictive entropy on adversarial images", "ε", "mean entropy (nats)",
                cells.Where(c => c.Attack == attack).GroupBy(c => c.Setting).Select(g =>
                    new Plots.Series(g.Key, g.Select(c => c.Epsilon).ToArray(), g.Select(c => c.MeanEntropy).ToArray(),
                        Dashed: g.Key.StartsWith("deep", StringComparison.Ordinal))), 0, Math.Log(problem.Target.OutputSize)),
                $"Like the paper's Fig. 5: the judging ensemble's mean predictive entropy on {attack} images vs ε (max ln " +
                    $"{problem.Target.OutputSize} = {Math.Log(problem.Target.OutputSize):F2}).");
        output.Figure($"adversarial-member-agreement-{slug}.png", Plots.Charts.Lines(
            $"{problem.Name}: members voting with the ensemble ({agreementNetworks} fresh sampled nets)", "members agreeing", "images %",
            agreement.Select(a => new Plots.Series(a.Key, Enumerable.Range(0, agreementNetworks + 1).Select(k => (double)k).ToArray(),
                Enumerable.Range(0, agreementNetworks + 1).Select(k =>
                    100.0 * a.Value.Count(v => v == k) / a.Value.Length).ToArray(), Dashed: a.Key == "clean")), 0, 100),
            $"Like the paper's Fig. 4: per image, how many of the {agreementNetworks} networks of a fresh HyperGAN ensemble predict the " +
                $"ensemble's class — clean test images (dashed) vs FGSM/PGD images crafted on {agreementNetworks} other sampled networks at ε = " +
                $"{AgreementEpsilon}. Diverse networks spread to the left on attacked images.");
        return cells;
    }

    /// <summary>Per image, the number of members whose top class is the ensemble's (mean-softmax) top class. <paramref name="logits"/>: [M, B,
    /// C].</summary>
    static int[] Agreement(Tensor logits)
    {
        using var scope = NewDisposeScope();
        var ensembleClass = logits.softmax(2).mean([0]).argmax(1);          // [B]
        var votes = logits.argmax(2).eq(ensembleClass.unsqueeze(0)).sum([0]); // [B] (a bare 0 would bind to sum(ScalarType))
        return votes.to(ScalarType.Int32).data<int>().ToArray();
    }

    static double Threshold(IMemberLogits judge, Engine.Data.LabeledImages clean)
    {
        using var logits = TrainedMethods.Logits(judge, clean);
        var entropy = EnsemblePrediction.FromLogits(logits).Entropy.Order().ToArray();
        return entropy[(int)Math.Ceiling(0.95 * entropy.Length) - 1];
    }

    static double Loss(IMemberLogits model, Tensor x, Tensor y)
    {
        using var _ = no_grad();
        using var loss = Attacks.Attacks.Loss(model, x, y);
        return loss.item<float>();
    }
}
