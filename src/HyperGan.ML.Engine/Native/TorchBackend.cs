using System.Runtime.CompilerServices;
using TorchSharp;

namespace HyperGan.ML.Engine.Native;

/// <summary>
/// Single entry point that makes TorchSharp usable: prepares the native library (see <see cref="TorchNativeLoader"/>)
/// and initialises libtorch, turning load failures into one exception that says what to do.
/// </summary>
public static class TorchBackend
{
    static Exception? _moduleInitFailure;

    // Runs when this assembly is first touched, so apps that only use HyperGan.ML never see the load problem.
    // It must not throw (that would poison every type in the assembly), so a failure is kept and rethrown by Initialize.
#pragma warning disable CA2255 // ModuleInitializer in a library is intended here: it must run before TorchSharp's static constructor.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void PrepareOnLoad()
    {
        try { TorchNativeLoader.EnsureLoaded(); }
        catch (Exception e) { _moduleInitFailure = e; }
        AllocatorTuning.Apply(); // before libtorch allocates anything big; never throws
    }

    /// <summary>
    /// Loads the native backend and initialises libtorch for <paramref name="device"/> (CPU when null); on Linux also
    /// applies <see cref="AllocatorTuning"/> (opt out with <c>HYPERGAN_MALLOC_TUNING=0</c>).
    /// Idempotent and cheap after the first call.
    /// </summary>
    /// <exception cref="TorchNativeLoadException">The backend cannot load; the message names the cause and the fix.</exception>
    public static void Initialize(DeviceType device = DeviceType.CPU)
    {
        if (_moduleInitFailure is TorchNativeLoadException known) throw known;
        AllocatorTuning.Apply();
        NativeLoadReport report;
        try { report = TorchNativeLoader.EnsureLoaded(); }
        catch (TorchNativeLoadException) { throw; }
        catch (Exception e) { throw new TorchNativeLoadException($"Preparing TorchSharp's native library failed: {e.Message}", e); }

        try
        {
            torch.InitializeDeviceType(device);
        }
        catch (Exception e)
        {
            var inner = e is TypeInitializationException { InnerException: { } ie } ? ie : e;
            var hint = report.Action == NativeLoadAction.BackendNotFound
                ? "No libLibTorchSharp.so was found next to the app: reference exactly one backend package in the app " +
                  "(TorchSharp-cpu, TorchSharp-cuda-linux or TorchSharp-cuda-windows)."
                : $"Native load report: {report}. If TorchSharp was used before any HyperGan.ML type, call " +
                  "HyperGan.ML.Engine.Native.TorchNativeLoader.EnsureLoaded() first.";
            throw new TorchNativeLoadException($"TorchSharp could not initialise the {device} backend: {FirstLine(inner.Message)} {hint}", e);
        }
    }

    static string FirstLine(string s) => s.Split('\n', 2)[0].Trim();
}
