using System.Runtime.InteropServices;
using HyperGan.ML.Engine.Native;
using static TorchSharp.torch;

namespace HyperGanBench;

/// <summary>Where the figures were measured: every figure is only comparable with others from the same run.</summary>
public sealed record MachineInfo(string Cpu, int Cores, int TorchThreads, string Os, string Dotnet, string TorchSharp, string NativeLoad,
    string Allocator, DateTime StartedUtc)
{
    /// <summary>Describes this machine (call after <see cref="TorchBackend.Initialize"/>).</summary>
    public static MachineInfo Current()
    {
        string cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
                ?? "unknown"
            : RuntimeInformation.ProcessArchitecture.ToString();
        return new MachineInfo(cpu, Environment.ProcessorCount, get_num_threads(), RuntimeInformation.OSDescription,
            RuntimeInformation.FrameworkDescription, typeof(TorchSharp.torch).Assembly.GetName().Version?.ToString() ?? "?",
            TorchNativeLoader.Report?.Action.ToString() ?? "default", AllocatorTuning.Apply().ToString(), DateTime.UtcNow);
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Cpu}, {Cores} cores, libtorch threads {TorchThreads}, {Os}, {Dotnet}, TorchSharp {TorchSharp} (CPU, native load: {NativeLoad}), " +
            $"glibc allocator tuning: {Allocator}, started {StartedUtc:yyyy-MM-dd HH:mm} UTC";
}
