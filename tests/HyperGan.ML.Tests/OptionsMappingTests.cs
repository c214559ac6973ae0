using HyperGan.ML.Engine.Model;
using HyperGan.ML.Engine.Training;
using Xunit;

namespace HyperGan.ML.Tests;

/// <summary>The ML.NET options expose the engine's knobs with the engine's defaults, and every one reaches the engine.</summary>
public class OptionsMappingTests
{
    static IEnumerable<(string Name, object? Engine)> EngineDefaults()
    {
        var training = new HyperGanTrainingOptions();
        foreach (var p in typeof(HyperGanTrainingOptions).GetProperties()) yield return (p.Name, p.GetValue(training));
        foreach (var p in typeof(HyperGanArchitecture).GetProperties()) yield return (p.Name, p.GetValue(training.Architecture));
    }

    [Fact]
    public void Every_ML_NET_option_named_like_an_engine_knob_has_the_engine_default()
    {
        var mlnet = new HyperGanEnsembleOptions();
        var shared = EngineDefaults().Where(e => typeof(HyperGanEnsembleOptions).GetProperty(e.Name) is not null).ToList();
        Assert.Contains(shared, e => e.Name == nameof(HyperGanTrainingOptions.Diversity));
        Assert.True(shared.Count >= 17, $"only {shared.Count} knobs shared");
        foreach (var (name, engine) in shared.Where(e => e.Name is not (nameof(HyperGanTrainingOptions.Seed) or nameof(HyperGanTrainingOptions.Task))))
            Assert.True(Equals(engine, typeof(HyperGanEnsembleOptions).GetProperty(name)!.GetValue(mlnet)), $"{name}: engine default {engine}, ML.NET default differs");
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
}
