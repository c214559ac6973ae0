using HyperGan.ML.Engine.Model;
using HyperGan.ML.Engine.Training;
using Xunit;

namespace HyperGan.ML.Tests;

/// <summary>The ML.NET options expose the engine's knobs with the engine's defaults, and every one reaches the engine.</summary>
public class OptionsMappingTests
{
    static IEnumerable<(string Name, object? Engine)> EngineDefaults() => EngineDefaultsOf(new HyperGanTrainingOptions());

    [Fact]
    public void Every_ML_NET_option_named_like_an_engine_knob_has_the_engine_default()
    {
        var mlnet = new HyperGanEnsembleOptions();
        var shared = EngineDefaults().Where(e => typeof(HyperGanEnsembleOptions).GetProperty(e.Name) is not null).ToList();
        Assert.Contains(shared, e => e.Name == nameof(HyperGanTrainingOptions.Diversity));
        Assert.True(shared.Count >= 17, $"only {shared.Count} knobs shared");
        foreach (var (name, engine) in shared.Where(e =>
            e.Name is not (nameof(HyperGanTrainingOptions.Seed) or nameof(HyperGanTrainingOptions.Task))))
            Assert.True(Equals(engine, typeof(HyperGanEnsembleOptions).GetProperty(name)!.GetValue(mlnet)), $"{name}: engine default {engine}, " +
                $"ML.NET default differs");
    }

    [Fact]
    public void Diversity_knobs_set_in_ML_NET_reach_the_engine()
    {
        var o = new HyperGanEnsembleOptions
        {
            Diversity = DiversityTerm.Svgd, DiversityWeight = 7, GeneratedWeightDecay = 0.002, InitialSharedStd = 0, InitialCodeStd = 1, Beta = 0,
        };
        var engine = HyperGanEnsembleEstimator.TrainingOptions(o, TaskKind.Classification, seed: 3);
        Assert.Equal(DiversityTerm.Svgd, engine.Diversity);
        Assert.Equal(7, engine.DiversityWeight);
        Assert.Equal(0.002, engine.GeneratedWeightDecay);
        Assert.Equal(0, engine.Architecture.InitialSharedStd);
        Assert.Equal(1, engine.Architecture.InitialCodeStd);
        Assert.Equal(0, engine.Beta);
    }

    // Engine settings that are not training knobs of one fit: the architecture record itself (its knobs are listed one
    // by one), the task (from the label) and seed (from the MLContext), and the executor (an engine plug-in for benchmarks).
    static readonly string[] NotOptions = [nameof(HyperGanTrainingOptions.Architecture), nameof(HyperGanTrainingOptions.Task),
        nameof(HyperGanTrainingOptions.Seed), nameof(HyperGanTrainingOptions.Executor)];

    [Fact]
    public void Every_engine_knob_is_an_ML_NET_option_and_a_changed_value_reaches_the_engine()
    {
        var o = new HyperGanEnsembleOptions();
        var knobs = EngineDefaults().Where(e => !NotOptions.Contains(e.Name)).ToList();
        foreach (var (name, engineDefault) in knobs)
        {
            var property = typeof(HyperGanEnsembleOptions).GetProperty(name);
            Assert.True(property is not null, $"engine knob {name} cannot be set from ML.NET");
            property!.SetValue(o, Changed(property.PropertyType, engineDefault));
        }
        var engine = HyperGanEnsembleEstimator.TrainingOptions(o, TaskKind.Classification, seed: 3);
        var reached = EngineDefaultsOf(engine).ToDictionary(e => e.Name, e => e.Engine);
        foreach (var (name, engineDefault) in knobs)
        {
            var set = typeof(HyperGanEnsembleOptions).GetProperty(name)!.GetValue(o);
            Assert.True(Equals(set, reached[name]), $"{name}: set {set} in ML.NET, the engine got {reached[name]}");
            Assert.False(Equals(engineDefault, reached[name]), $"{name}: the test did not change it");
        }
    }

    [Fact]
    public void The_options_table_in_docs_lists_every_ML_NET_option()
    {
        var doc = File.ReadAllText(Path.Combine(TestData.RepoRoot, "docs", "options.md"));
        var missing = typeof(HyperGanEnsembleOptions).GetProperties().Select(p => p.Name).Where(n => !doc.Contains($"`{n}`")).ToList();
        Assert.True(missing.Count == 0, $"docs/options.md does not list: {string.Join(", ", missing)}");
    }

    static IEnumerable<(string Name, object? Engine)> EngineDefaultsOf(HyperGanTrainingOptions training)
    {
        const System.Reflection.BindingFlags publicInstance = System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public;
        foreach (var p in typeof(HyperGanTrainingOptions).GetProperties(publicInstance)) yield return (p.Name, p.GetValue(training));
        foreach (var p in typeof(HyperGanArchitecture).GetProperties(publicInstance)) yield return (p.Name, p.GetValue(training.Architecture));
    }

    // A valid value different from the engine's default.
    static object Changed(Type type, object? value) => type switch
    {
        _ when type == typeof(int) => (int)value! + 1,
        _ when type == typeof(double) => (double)value! * 0.5 + 0.3125, // a fixed point only at 0.625, which no default is
        _ when type == typeof(double?) => 0.003,
        _ when type == typeof(bool) => !(bool)value!,
        _ when type.IsEnum => Enum.GetValues(type).Cast<object>().First(v => !v.Equals(value)),
        _ => throw new NotSupportedException($"no changed value for {type}"),
    };
}
