using Microsoft.ML;
using Xunit;

namespace HyperGan.ML.Tests;

/// <summary>Every ML.NET member reached by reflection resolves against the Microsoft.ML this repository builds with.</summary>
public class MlNetInternalsTests
{
    [Fact]
    public void Every_ML_NET_member_reached_by_reflection_resolves_and_carries_the_MLContext_settings()
    {
        MlNetInternals.CheckAll();
        var ml = new MLContext(seed: 7) { GpuDeviceId = 3, FallbackToCpu = true };
        var env = MlNetInternals.EnvironmentOf(ml.Transforms);
        Assert.Equal((3, true), MlNetInternals.DeviceSettings(env));
        Assert.Equal((null, false), MlNetInternals.DeviceSettings(MlNetInternals.EnvironmentOf(new MLContext().Transforms)));
        Assert.StartsWith("5.", MlNetInternals.Version);
    }
}
