using HyperGan.ML.Engine.Persistence;
using HyperGan.ML.Engine.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace HyperGan.ML.Tests;

/// <summary>The code-tied Bayesian bootstrap's weights: their distribution and how they depend on the noise.</summary>
public class CodeTiedBootstrapTests
{
    const int Examples = 4000, NoiseDim = 32;

    static float[,] Weights(double strength, Tensor noise, int seed = 9)
    {
        using var bootstrap = new CodeTiedBootstrap(Examples, NoiseDim, strength, seed, CPU);
        using var rows = arange(Examples, ScalarType.Int64);
        using var weights = bootstrap.Weights(noise, rows);
        var flat = weights.data<float>().ToArray();
        var result = new float[noise.shape[0], Examples];
        Buffer.BlockCopy(flat, 0, result, 0, flat.Length * sizeof(float));
        return result;
    }

    static double[] Row(float[,] w, int m) => Enumerable.Range(0, w.GetLength(1)).Select(i => (double)w[m, i]).ToArray();

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.5)]
    public void Weights_have_mean_one_and_the_spread_of_exponential_weights_scaled_by_the_strength(double strength)
    {
        using var noise = randn([16, NoiseDim], generator: new Generator(4));
        var w = Weights(strength, noise);
        var all = w.Cast<float>().Select(v => (double)v).ToArray(); // 64,000 weights
        double mean = all.Average(), variance = all.Select(v => (v - mean) * (v - mean)).Average();
        Assert.InRange(mean, 0.97, 1.03);                                 // Exp(1) has mean 1
        Assert.InRange(variance, 0.9 * strength * strength, 1.1 * strength * strength); // and variance 1
        Assert.True(all.Min() >= 1 - strength - 1e-6, $"the smallest weight {all.Min():F4} is below 1 − ρ = {1 - strength}");
    }

    [Fact]
    public void The_same_noise_weighs_alike_nearby_noises_nearly_alike_and_independent_noises_independently()
    {
        using var scope = NewDisposeScope();
        var rng = new Generator(5);
        var s = randn([1, NoiseDim], generator: rng);
        var noise = cat([s, s, s + randn([1, NoiseDim], generator: rng).mul(0.05), randn([1, NoiseDim], generator: rng)], 0);
        var w = Weights(1, noise);
        Assert.Equal(Row(w, 0), Row(w, 1));
        double near = Correlation(Row(w, 0), Row(w, 2)), independent = Correlation(Row(w, 0), Row(w, 3));
        Assert.True(near > 0.9, $"a noise 0.05 away weighs the examples with correlation {near:F3}");
        Assert.InRange(independent, -0.1, 0.1); // 4,000 examples: the standard error of r is ≈ 0.016
        Assert.NotEqual(Row(w, 0), Row(Weights(1, noise, seed: 10), 0)); // the seed draws the directions
    }

    [Fact]
    public void The_task_loss_weighs_each_row_of_each_network_by_its_weight()
    {
        using var scope = NewDisposeScope();
        var rng = new Generator(6);
        var logits = randn([3, 5, 4], generator: rng);
        var labels = tensor(new long[] { 0, 1, 2, 3, 1 });
        var weights = rand([3, 5], generator: rng).mul(2);
        var perRow = nn.functional.cross_entropy(logits.reshape(-1, 4), labels.repeat(3), reduction: nn.Reduction.None).view(3, 5);
        double expected = (perRow * weights).sum().item<float>() / 15;
        Assert.Equal(expected, HyperGanTrainer.TaskLoss(logits, labels, TaskKind.Classification, weights).item<float>(), 5);
        Assert.Equal(perRow.mean().item<float>(), HyperGanTrainer.TaskLoss(logits, labels, TaskKind.Classification, null).item<float>(), 5);
        var values = randn([5], generator: rng);
        var squared = (logits.narrow(2, 0, 1).squeeze(-1) - values.unsqueeze(0)).pow(2);
        Assert.Equal((squared * weights).mean().item<float>(),
            HyperGanTrainer.TaskLoss(logits.narrow(2, 0, 1), values, TaskKind.Regression, weights).item<float>(), 5);
    }

    [Fact]
    public void Bootstrap_strength_outside_zero_to_one_is_refused_naming_the_option()
    {
        foreach (var bad in new[] { -0.1, 1.5, double.NaN })
            Assert.Equal("BootstrapStrength", Assert.Throws<ArgumentOutOfRangeException>(
                () => (new HyperGanTrainingOptions { BootstrapStrength = bad }).Validate()).ParamName);
    }

    [Fact]
    public void The_internal_strength_is_stored_with_the_options_and_an_absent_one_reads_as_off()
    {
        var json = System.Text.Json.JsonSerializer.Serialize(new HyperGanTrainingOptions { BootstrapStrength = 0.5 }, ModelFile.Json);
        Assert.Contains("\"BootstrapStrength\":0.5", json);
        Assert.Equal(0.5, System.Text.Json.JsonSerializer.Deserialize<HyperGanTrainingOptions>(json, ModelFile.Json)!.BootstrapStrength);
        var without = json.Replace("\"BootstrapStrength\":0.5,", "").Replace(",\"BootstrapStrength\":0.5", "");
        Assert.DoesNotContain("BootstrapStrength", without);
        Assert.Equal(0, System.Text.Json.JsonSerializer.Deserialize<HyperGanTrainingOptions>(without, ModelFile.Json)!.BootstrapStrength);
    }

    static double Correlation(double[] a, double[] b)
    {
        double ma = a.Average(), mb = b.Average();
        double cov = a.Zip(b, (x, y) => (x - ma) * (y - mb)).Sum();
        return cov / Math.Sqrt(a.Sum(x => (x - ma) * (x - ma)) * b.Sum(y => (y - mb) * (y - mb)));
    }
}
