using HyperGan.ML.Experiments.Runs;
using Xunit;

namespace HyperGan.ML.Experiments.Tests;

// docs/results.md's "Means over seeds", read by the README: groups by the -sN suffix, averages per method, refuses to average
// runs of different settings.
public class SeedGroupsTests
{
    static void Run(string root, string folder, int seed, double accuracy, double auroc, string budget = "same budget")
    {
        var output = new ExperimentOutput("ood", Preset.Quick, seed, Path.Combine(root, folder));
        output.Result("P: budget", budget);
        output.Result("P: trainSeconds", new Dictionary<string, double> { ["HyperGAN"] = 10 * seed, ["deep ensemble (10)"] = 5 });
        output.Result("P: rows", new[]
        {
            new { Method = "HyperGAN (10)", Accuracy = accuracy, Nll = 0.1, Ece = 0.01, OutliersBelow08 = 30.0, AuRoc = auroc,
                AuRocMutualInformation = double.NaN },
            new { Method = "deep ensemble (10)", Accuracy = 90.0, Nll = 0.2, Ece = 0.02, OutliersBelow08 = 50.0, AuRoc = 0.9,
                AuRocMutualInformation = 0.8 },
        });
        output.Finish();
    }

    [Fact]
    public void Seeds_of_one_setting_are_averaged_per_method_and_runs_of_different_settings_are_not()
    {
        var root = Directory.CreateTempSubdirectory("seed-groups").FullName;
        try
        {
            Run(root, "ood-quick-x", 1, 97, 0.95);
            Run(root, "ood-quick-x-s2", 2, 99, 0.97);
            Run(root, "ood-quick-y-s1", 1, 97, 0.95);
            Run(root, "ood-quick-y-s2", 2, 99, 0.97, budget: "another budget");
            Run(root, "ood-quick-z", 1, 97, 0.95);
            var text = SeedGroups.Markdown(Directory.GetDirectories(root));

            Assert.Contains("### ood-quick-x: seeds 1, 2 (ood-quick-x, ood-quick-x-s2)", text);
            // Mean ± sample std of 97 and 99 = 98 ± 1.41; AUROC 0.96 ± 0.014; MI AUROC NaN on HyperGAN's rows → "—".
            const string hypergan =
                "| HyperGAN (10) | 98.00 ± 1.41 | 0.100 ± 0.000 | 0.010 ± 0.000 | 30.0 ± 0.0 | 0.960 ± 0.014 | — | 15 ± 7 |";
            Assert.Contains(hypergan, text);
            const string ensemble =
                "| deep ensemble (10) | 90.00 ± 0.00 | 0.200 ± 0.000 | 0.020 ± 0.000 | 50.0 ± 0.0 | 0.900 ± 0.000 | 0.800 ± 0.000 | 5 ± 0 |";
            Assert.Contains(ensemble, text);
            Assert.Contains("### ood-quick-y: seeds 1, 2", text);
            Assert.Contains("Not averaged: the runs' budget lines differ", text);
            Assert.DoesNotContain("ood-quick-z", text); // one seed: no group
        }
        finally { Directory.Delete(root, recursive: true); }
    }
}
