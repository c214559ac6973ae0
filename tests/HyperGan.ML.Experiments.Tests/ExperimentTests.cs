using System.Runtime.InteropServices;
using System.Text.Json;
using HyperGan.ML.Engine.Data;
using HyperGan.ML.Engine.Ensembles;
using HyperGan.ML.Engine.Model;
using HyperGan.ML.Engine.Targets;
using HyperGan.ML.Engine.Training;
using HyperGan.ML.Experiments.Attacks;
using HyperGan.ML.Experiments.Baselines;
using HyperGan.ML.Experiments.Runs;
using SkiaSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace HyperGan.ML.Tests;

/// <summary>Each experiment's pipeline end to end at the tiny preset (seconds), the baselines' semantics, and the attacks.</summary>
[Trait(Speed.Trait, Speed.Slow)] // trains networks or runs apps: left out of the fast inner loop (CONTRIBUTING.md)
public class ExperimentTests(ITestOutputHelper output) : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("hypergan-experiments-").FullName;
    readonly Datasets _datasets = new(Path.Combine(TestData.RepoRoot, "data"), sharedData: null);

    ExperimentOutput Output(string id) => new(id, Preset.Tiny, 1, Path.Combine(_dir, id), output.WriteLine);

    /// <summary>result.json parses and says tiny; result.md exists; every PNG decodes to a real image.</summary>
    static void CheckFolder(ExperimentOutput run, int expectedFigures)
    {
        run.Finish();
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(run.Folder, "result.json")));
        var meta = json.RootElement.GetProperty("meta");
        Assert.Equal("tiny", meta.GetProperty("preset").GetString());
        Assert.Equal(1, meta.GetProperty("seed").GetInt32());
        Assert.NotEmpty(meta.GetProperty("data").EnumerateArray());
        Assert.True(json.RootElement.GetProperty("results").EnumerateObject().Any());
        Assert.Contains("tiny", File.ReadAllText(Path.Combine(run.Folder, "result.md")));
        var pngs = Directory.GetFiles(run.Folder, "*.png");
        Assert.Equal(expectedFigures, pngs.Length);
        foreach (var png in pngs)
        {
            using var bitmap = SKBitmap.Decode(png);
            Assert.NotNull(bitmap);
            Assert.True(bitmap.Width >= 400 && bitmap.Height >= 400, $"{Path.GetFileName(png)} is {bitmap.Width}×{bitmap.Height}");
            // Not blank: a figure has at least a few distinct colours.
            Assert.True(bitmap.Pixels.Distinct().Take(5).Count() >= 5, $"{Path.GetFileName(png)} looks blank");
        }
    }

    [Fact]
    public void Ood_and_table4_write_their_table_json_and_ecdf_figure()
    {
        var run = Output("ood");
        var rows = Table4Experiment.Run(run, _datasets.Mnist5000(ClassificationBudget.For(Preset.Tiny), 1), withOod: true);
        Assert.Equal(["HyperGAN (1)", "HyperGAN (2)", "single network", "deep ensemble (2)", "MC dropout (4)"], rows.Select(r => r.Method));
        Assert.All(rows, r => Assert.InRange(r.AuRoc, 0, 1));
        // Scored on the images it trained on (labels in the same order): a trained network is far above the 10 % of guessing.
        var single = rows.Single(r => r.Method == "single network");
        Assert.True(single.TrainingAccuracy > 30, $"single network: {single.TrainingAccuracy:F1} % of its training digits");
        CheckFolder(run, 1);
    }

    [Fact]
    public void Ood_on_validation_scores_validation_images_and_says_so()
    {
        var run = Output("ood-validation");
        var problem = ProblemSelection.Load(["mnist-5000"], Preset.Tiny, 1, _datasets, EvaluationImages.Validation).Single();
        // The 1,000 validation digits: none of them is trained on.
        Assert.Equal(1000, problem.Test.Count);
        var trained = Enumerable.Range(0, problem.Train.Count).Select(i => Row(problem.Train, i)).ToHashSet();
        Assert.DoesNotContain(Enumerable.Range(0, problem.Test.Count), i => trained.Contains(Row(problem.Test, i)));
        Table4Experiment.Run(run, problem, withOod: true, EvaluationImages.Validation);
        CheckFolder(run, 1);
        Assert.Contains("VALIDATION figures", File.ReadAllText(Path.Combine(run.Folder, "result.md")));
    }

    [Fact]
    public void Networks_and_images_per_step_replace_the_presets_and_the_budget_line_says_so()
    {
        var run = new ExperimentOutput("table4", Preset.Tiny, 1, Path.Combine(_dir, "table4-n3-b16"), output.WriteLine)
        {
            NetworksPerStep = 3,
            HyperGanBatch = 16,
        };
        var preset = ClassificationBudget.For(Preset.Tiny);
        // a record compares arrays by reference
        Assert.Equal(preset with { NetworksPerStep = 3, HyperGanBatch = 16 }, run.Budget with { EnsembleSizes = preset.EnsembleSizes });
        var unchanged = Output("table4-preset").Budget;
        Assert.Equal((preset.NetworksPerStep, preset.HyperGanBatch), (unchanged.NetworksPerStep, unchanged.HyperGanBatch));
        Table4Experiment.Run(run, _datasets.Mnist5000(run.Budget, 1), withOod: false);
        run.Finish();
        Assert.Contains("HyperGAN: 3 sampled nets × 16 images per step", File.ReadAllText(Path.Combine(run.Folder, "result.md")));
    }

    static string Row(LabeledImages images, int i) =>
        Convert.ToBase64String(MemoryMarshal.AsBytes(images.Pixels.AsSpan(i * Size(images), Size(images))));

    static int Size(LabeledImages images) => images.Channels * images.Height * images.Width;

    [Fact]
    public void Adam_recipes_set_both_betas_and_keep_the_diversity_knobs()
    {
        var options = DiversityRecipe.Named("mi0.1-prior-adam").ApplyTo(new HyperGanTrainingOptions());
        Assert.Equal((0.9, 0.999), (options.AdamBeta1, options.AdamBeta2));
        Assert.Equal((DiversityTerm.MutualInformation, 0.1, 1e-3), (options.Diversity, options.DiversityWeight, options.GeneratedWeightDecay));
        // Recipes without betas keep the paper's betas and β, whatever the engine's defaults: committed runs stay what they were.
        var paper = DiversityRecipe.Paper.ApplyTo(new HyperGanTrainingOptions());
        Assert.Equal((0.5, 0.9, 1.0, 0.0), (paper.AdamBeta1, paper.AdamBeta2, paper.Beta, paper.DiversityAccuracyPower));
        Assert.Contains("Adam betas (0.9, 0.999)", DiversityRecipe.Describe(options));
    }

    [Fact]
    public void The_engine_default_is_the_recipe_chosen_for_digits_and_natural_images()
    {
        static object Knobs(HyperGanTrainingOptions o) => (o.Diversity, o.DiversityWeight, o.GeneratedWeightDecay, o.Beta, o.AdamBeta1,
            o.AdamBeta2, o.DiversityAccuracyPower, o.LearningRateSchedule, o.Architecture.InitialSharedStd, o.Architecture.InitialCodeStd,
            o.Architecture.BaseNetworks);
        // Chosen 2026-12-02 (docs/diversity.md), run in the experiments as --head Chunked --recipe <this>.
        var chosen = DiversityRecipe.Named("mi1-adam-beta0-acc8-bases10-code0.01").ApplyTo(new HyperGanTrainingOptions()).WithResolvedDiversity();
        Assert.Equal(Knobs(new HyperGanTrainingOptions().WithResolvedDiversity()), Knobs(chosen));
        Assert.Equal(GeneratorHead.Chunked, new HyperGanArchitecture().Head);
        Assert.Equal(Knobs(HyperGanTrainingOptions.Paper.WithResolvedDiversity()),
            Knobs(DiversityRecipe.Paper.ApplyTo(new HyperGanTrainingOptions()).WithResolvedDiversity()));
    }

    [Fact]
    public void A_run_of_recipes_keeps_the_paper_head_unless_asked_and_a_run_of_defaults_gets_the_engine_head()
    {
        Assert.Equal(GeneratorHead.Full, DiversityRecipe.Head(null, runsRecipes: true));
        Assert.Equal(new HyperGanArchitecture().Head, DiversityRecipe.Head(null, runsRecipes: false));
        Assert.Equal(GeneratorHead.Chunked, DiversityRecipe.Head(GeneratorHead.Chunked, runsRecipes: true));
        Assert.Equal(GeneratorHead.Full, DiversityRecipe.Head(GeneratorHead.Full, runsRecipes: false));
    }

    [Fact]
    public void Table4_runs_on_cifar_jpegs_with_the_cifar_target()
    {
        var run = Output("table4");
        var problem = _datasets.CifarSlice(1);
        Assert.Equal([3, 32, 32], problem.Train.Shape);
        Assert.Equal((600, 200), (problem.Train.Count, problem.Test.Count));
        Assert.Equal("cifar-cnn", problem.Target.Name);
        var rows = Table4Experiment.Run(run, problem, withOod: false);
        Assert.Equal(5, rows.Count);
        // Two classes: even one tiny epoch must beat the 50 % of guessing for the trained single network.
        Assert.True(rows.Single(r => r.Method == "single network").Accuracy > 55, string.Join(", ", rows.Select(r => $"{r.Method} {r.Accuracy:F1}")));
        CheckFolder(run, 0);
    }

    [Fact]
    public void Problem_selection_follows_the_flags_and_rejects_what_an_experiment_cannot_run()
    {
        Assert.Equal(["mnist-5000"], ProblemSelection.For("table4", null, false, false));
        Assert.Equal(["mnist-5000", "fashion-mnist", "cifar-10", "cifar-5"], ProblemSelection.For("table4", null, true, true));
        Assert.Equal(["mnist-5000", "fashion-mnist", "cifar-5"], ProblemSelection.For("ood", [], true, true)); // CIFAR-10 has no outlier classes
        Assert.Equal(["mnist-5000", "fashion-mnist"], ProblemSelection.For("adversarial", null, true, true));
        Assert.Equal(["mnist-5000", "fashion-mnist", "cifar-10"], ProblemSelection.For("decisions", null, true, true)); // the three data sets
        // --problems replaces the defaults; comma- and space-separated values, any case, duplicates once.
        Assert.Equal(["cifar-5", "mnist-5000"], ProblemSelection.For("ood", ["CIFAR-5,mnist-5000", "cifar-5"], false, false));
        Assert.Null(ProblemSelection.Error("table4", ["cifar-10", "cifar-5"]));
        Assert.Contains("'cifar-10' is not available for ood", ProblemSelection.Error("ood", ["cifar-10"]));
        Assert.Contains("'svhn'", ProblemSelection.Error("table4", ["mnist-5000,svhn"]));
        Assert.Contains("fixed data set", ProblemSelection.Error("regression", ["mnist-5000"]));
    }

    [Fact]
    public void Tiny_problems_use_only_vendored_data_and_the_cifar_slice_once()
    {
        var problems = ProblemSelection.Load(["mnist-5000", "cifar-10", "cifar-5"], Preset.Tiny, 1, _datasets).ToList();
        Assert.Equal(["MNIST-5000", "CIFAR-2 slice"], problems.Select(p => p.Name));
        Assert.Equal(0, problems[1].Outliers.Count);
        Assert.Equal((300, 200), (problems[0].Train.Count, problems[0].Test.Count));
    }

    [Fact]
    public void Decisions_evaluates_both_methods_on_every_split_with_and_without_outliers()
    {
        var run = Output("decisions");
        var results = DecisionsExperiment.Run(run, _datasets, ["mnist-5000", "cifar-10"], trainingSeeds: 1, splits: 2);
        run.Finish();
        Assert.Equal(2 * 2 * 2, results.Count); // 2 problems × 2 methods × 2 splits
        Assert.All(results, r => Assert.InRange(r.Coverage90, 0, 1));
        Assert.All(results, r => Assert.InRange(r.EceFloor, 1e-4, 1)); // a finite test set always has some floor
        Assert.All(results.Where(r => r.Problem == "MNIST-5000"), r => Assert.InRange(r.OutliersFlagged, 0, 1));
        // the CIFAR slice has no outliers
        Assert.All(results.Where(r => r.Problem != "MNIST-5000"), r => Assert.True(double.IsNaN(r.OutliersFlagged)));
        var markdown = File.ReadAllText(Path.Combine(run.Folder, "result.md"));
        Assert.Contains("notMNIST flagged %", markdown);
        Assert.Contains("ECE floor", markdown);
        Assert.Contains("| — |", markdown);
    }

    [Fact]
    public void Regression_writes_a_band_per_ensemble_size()
    {
        var run = Output("regression");
        var bands = RegressionExperiment.Run(run);
        Assert.Equal([10, 100], bands.Select(b => b.Networks));
        CheckFolder(run, 2);
    }

    [Fact]
    public void Adversarial_diversity_filters_and_calibration_write_well_formed_output()
    {
        var adversarial = Output("adversarial");
        var cells = AdversarialExperiment.Run(adversarial, _datasets.Mnist5000(ClassificationBudget.For(Preset.Tiny), 1));
        Assert.Equal(3 * 2 * 2, cells.Count); // 3 settings × FGSM/PGD × 2 ε
        Assert.All(cells, c => Assert.InRange(c.MeanEntropy, 0, Math.Log(10) + 1e-6));
        CheckFolder(adversarial, 5); // detection ×2, entropy ×2 (Fig. 5), member agreement (Fig. 4)
        // Fig. 4's data: one vote count per attacked image, between 0 and N = 2 (0 only if no member picks the mean's class).
        var agreement = JsonDocument.Parse(File.ReadAllText(Path.Combine(adversarial.Folder, "result.json"))).RootElement
            .GetProperty("results").GetProperty("MNIST-5000: agreement");
        Assert.Equal(["clean", "FGSM, ε 0.1", "PGD, ε 0.1"], agreement.EnumerateObject().Select(p => p.Name));
        Assert.All(agreement.EnumerateObject(), p =>
            Assert.All(p.Value.EnumerateArray().Select(v => v.GetInt32()).ToList(), v => Assert.InRange(v, 0, 2)));
        Assert.All(agreement.EnumerateObject(), p => Assert.Equal(20, p.Value.GetArrayLength()));

        var filters = Output("filters");
        var norms = DiversityExperiment.Run(filters, _datasets, filters: true);
        Assert.Equal(6, norms.Count); // 3 layers × (HyperGAN, independent)
        CheckFolder(filters, 2);

        var calibration = Output("calibration");
        var reliability = CalibrationExperiment.Run(calibration, _datasets.Mnist5000(ClassificationBudget.For(Preset.Tiny), 1));
        Assert.All(reliability, r => Assert.InRange(r.Ece, 0, 1));
        CheckFolder(calibration, 1);
    }

    [Fact]
    public void A_plain_network_computes_exactly_what_the_ensemble_executor_computes_with_its_weights()
    {
        foreach (var target in new[] { TargetNetworks.MnistCnn(), TargetNetworks.CifarCnn(), TargetNetworks.Regression1D() })
        {
            random.manual_seed(3);
            using var net = new PlainNetwork(target);
            net.eval();
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var x = rand([4, .. target.InputShape.Select(d => (long)d)]);
            var direct = net.forward(x);
            var viaExecutor = PerMemberExecutor.ForwardOne(target, net.AsLayers(), x, 0);
            Assert.True(direct.allclose(viaExecutor, rtol: 1e-5, atol: 1e-6), $"{target.Name}: plain network and executor disagree");
        }
    }

    [Fact]
    public void Fgsm_and_pgd_increase_the_attacked_models_loss_and_stay_in_the_epsilon_ball()
    {
        var (train, test) = Fixtures.MnistSlice(600, 100);
        using var data = TrainingSet.ForClassification(train.Pixels, train.Labels, train.Shape, 10);
        using var net = NetworkTraining.Train(TargetNetworks.MnistCnn(), data, new TrainingBudget(2), seed: 5);
        using var hypergan = HyperGanTrainer.Fit(TargetNetworks.MnistCnn(), data, new HyperGanTrainingOptions
        {
            Architecture = Fixtures.SmallArchitecture, Epochs = 2, BatchSize = 32, NetworksPerStep = 4, LearningRate = 1e-3, MixerLearningRate = 1e-3,
            Seed = 5,
        });
        using var sampled = hypergan.Sample(5, seed: 1);
        using var x = test.ToTensor();
        using var y = tensor(test.Labels.Select(l => (long)l).ToArray());
        foreach (IMemberLogits model in new IMemberLogits[] { new DeepEnsemble([net]), new HyperGanMembers(sampled) })
        {
            double clean = LossOf(model, x, y);
            foreach (var eps in new[] { 0.03, 0.1 })
            {
                using var fgsm = Attacks.Fgsm(model, x, y, eps);
                using var pgd = Attacks.Pgd(model, x, y, eps, steps: 5);
                double lossFgsm = LossOf(model, fgsm, y), lossPgd = LossOf(model, pgd, y);
                output.WriteLine($"{model.Name}, ε {eps}: loss clean {clean:F3}, FGSM {lossFgsm:F3}, PGD {lossPgd:F3}");
                Assert.True(lossFgsm > clean, $"{model.Name}: FGSM ε {eps} did not increase the loss");
                Assert.True(lossPgd > clean, $"{model.Name}: PGD ε {eps} did not increase the loss");
                foreach (var adv in new[] { fgsm, pgd })
                {
                    Assert.True((adv - x).abs().max().item<float>() <= eps + 1e-6, "perturbation leaves the ε ball");
                    Assert.True(adv.min().item<float>() >= 0 && adv.max().item<float>() <= 1, "pixels leave [0, 1]");
                }
            }
        }
    }

    [Fact]
    public void Attacks_in_image_chunks_take_the_same_steps_as_one_batch()
    {
        var (train, _) = Fixtures.MnistSlice(450, 10);
        using var data = TrainingSet.ForClassification(train.Pixels, train.Labels, train.Shape, 10);
        using var hypergan = HyperGanTrainer.Fit(TargetNetworks.MnistCnn(), data, new HyperGanTrainingOptions
        {
            Architecture = Fixtures.SmallArchitecture, Epochs = 1, BatchSize = 32, NetworksPerStep = 4, LearningRate = 1e-3, MixerLearningRate = 1e-3,
            Seed = 3,
        });
        using var sampled = hypergan.Sample(3, seed: 2);
        var model = new HyperGanMembers(sampled);
        using var x = train.ToTensor(); // 450 images: two full chunks of 200 and a partial one
        using var y = tensor(train.Labels.Select(l => (long)l).ToArray());
        using var chunked = Attacks.Fgsm(model, x, y, 0.1);
        using var scope = NewDisposeScope();
        Tensor expected;
        using (enable_grad())
        {
            var xi = x.detach().requires_grad_(true);
            Attacks.Loss(model, xi, y).backward();
            expected = (x + xi.grad!.sign() * 0.1).clamp(0, 1);
        }
        // Signs can differ only where the gradient is ~0 and rounding differs between batch sizes.
        double differing = chunked.ne(expected).sum().item<long>() / (double)x.numel();
        output.WriteLine($"pixels stepped differently: {differing:P4}");
        Assert.True(differing < 1e-3, $"{differing:P3} of pixels stepped differently in chunks");
    }

    static double LossOf(IMemberLogits model, TorchSharp.torch.Tensor x, TorchSharp.torch.Tensor y)
    {
        using var _ = no_grad();
        using var loss = Attacks.Loss(model, x, y);
        return loss.item<float>();
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
