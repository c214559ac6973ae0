using HyperGan.ML.Engine.Native;
using Microsoft.ML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace HyperGan.ML;

/// <summary>
/// Picks the libtorch device the way ML.NET's own TorchSharp trainers do: CUDA device <c>MLContext.GpuDeviceId</c>
/// when set and CUDA is available; otherwise CPU if <c>MLContext.FallbackToCpu</c>, else a clear exception.
/// </summary>
internal static class DeviceSelection
{
    /// <summary>The device for an estimator created from <paramref name="env"/> (CPU when there is no environment).</summary>
    /// <exception cref="InvalidOperationException">A GPU was requested, CUDA is not available and fallback is off.</exception>
    public static Device Resolve(IHostEnvironment? env, IChannel? channel)
    {
        var (gpu, fallback) = Settings(env);
        return Resolve(gpu, fallback, channel, cuda: () =>
        {
            TorchBackend.Initialize();
            return torch.cuda.is_available() ? torch.cuda.device_count() : 0;
        });
    }

    /// <summary>The decision itself, with the CUDA probe injectable (returns the number of CUDA devices).</summary>
    public static Device Resolve(int? gpuDeviceId, bool fallbackToCpu, IChannel? channel, Func<int> cuda)
    {
        if (gpuDeviceId is not int id) return CPU;
        int devices = cuda();
        if (id >= 0 && id < devices) return new Device(DeviceType.CUDA, id);
        string why = devices == 0
            ? "CUDA is not available to TorchSharp (the app references a CPU backend, or no NVIDIA driver is installed)"
            : $"this machine has {devices} CUDA device(s), numbered 0..{devices - 1}";
        if (fallbackToCpu)
        {
            channel?.Warning(MessageSensitivity.None,
                $"HyperGAN: MLContext.GpuDeviceId is {id} but {why}; training and scoring on the CPU because FallbackToCpu is true.");
            return CPU;
        }
        throw new InvalidOperationException(
            $"MLContext.GpuDeviceId is {id} but {why}. Reference TorchSharp-cuda-linux or TorchSharp-cuda-windows in the app (instead of " +
                $"TorchSharp-cpu), " +
            "set GpuDeviceId to an existing device, clear it (null) to use the CPU, or set MLContext.FallbackToCpu = true.");
    }

    static (int? Gpu, bool Fallback) Settings(IHostEnvironment? env) => env is null ? (null, false) : MlNetInternals.DeviceSettings(env);
}
