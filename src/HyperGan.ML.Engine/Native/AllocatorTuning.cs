using System.Runtime.InteropServices;

namespace HyperGan.ML.Engine.Native;

/// <summary>What <see cref="AllocatorTuning.Apply"/> did.</summary>
public enum AllocatorTuningResult
{
    /// <summary>glibc's thresholds were raised (see <see cref="AllocatorTuning"/>).</summary>
    Applied,
    /// <summary>Not Linux/glibc: nothing to do.</summary>
    NotApplicable,
    /// <summary>The process configures malloc itself (GLIBC_TUNABLES malloc.* or MALLOC_*_ variables): left alone.</summary>
    LeftToProcessSettings,
    /// <summary>Switched off with <c>HYPERGAN_MALLOC_TUNING=0</c>.</summary>
    Disabled,
    /// <summary>glibc refused a setting; defaults remain.</summary>
    Refused,
}

/// <summary>
/// Keeps libtorch's large CPU buffers in the heap between steps instead of returning them to the OS and faulting
/// fresh zeroed pages back in on the next step. With glibc's defaults (dynamic mmap threshold, 128 KB trim
/// threshold) every multi-megabyte activation, gradient and Adam temporary is a new mapping, faulted back in zeroed on
/// the next step; on a 2-core machine that about doubled training time at the same peak memory (figures in
/// docs/performance.md, "The allocator"). PyTorch users get the same effect from jemalloc/tcmalloc; this is the
/// dependency-free equivalent.
/// </summary>
/// <remarks>
/// Sets M_MMAP_THRESHOLD = 32 MB (glibc's maximum), M_TRIM_THRESHOLD = 1 GB (freed memory at the top of the heap is
/// kept up to that size) and M_MMAP_MAX = 0, so that blocks above 32 MB — the full head's 52–67 MB weight gradients —
/// come from the heap too instead of a fresh mapping per step (paper-sized CIFAR training step 655–694 → 397–460 ms,
/// same peak memory; docs/performance.md). All are process-wide. Applied once by <see cref="TorchBackend"/>; skipped
/// when the process sets its own malloc configuration, and switched off by the environment variable
/// <c>HYPERGAN_MALLOC_TUNING=0</c>. Setting only one of the thresholds makes things worse than neither
/// (docs/performance.md), so all are set or none.
/// </remarks>
public static class AllocatorTuning
{
    const int M_TRIM_THRESHOLD = -1, M_MMAP_THRESHOLD = -3, M_MMAP_MAX = -4;
    /// <summary>The mmap threshold (glibc's cap on 64-bit); with M_MMAP_MAX = 0 larger blocks stay in the heap too.</summary>
    public const int MmapThresholdBytes = 32 << 20;
    /// <summary>Free memory kept at the top of the heap before it is returned to the OS.</summary>
    public const int TrimThresholdBytes = 1 << 30;

    static readonly Lazy<AllocatorTuningResult> _result = new(ApplyOnce);

    /// <summary>The outcome of the one-time tuning (applies it if not done yet).</summary>
    public static AllocatorTuningResult Apply() => _result.Value;

    [DllImport("libc", EntryPoint = "mallopt")]
    static extern int mallopt(int param, int value);

    static AllocatorTuningResult ApplyOnce()
    {
        if (!OperatingSystem.IsLinux()) return AllocatorTuningResult.NotApplicable;
        if (Environment.GetEnvironmentVariable("HYPERGAN_MALLOC_TUNING") is "0" or "off" or "false") return AllocatorTuningResult.Disabled;
        if ((Environment.GetEnvironmentVariable("GLIBC_TUNABLES") ?? "").Contains("malloc", StringComparison.Ordinal) ||
            Environment.GetEnvironmentVariable("MALLOC_TRIM_THRESHOLD_") is not null ||
            Environment.GetEnvironmentVariable("MALLOC_MMAP_THRESHOLD_") is not null ||
            Environment.GetEnvironmentVariable("MALLOC_MMAP_MAX_") is not null)
            return AllocatorTuningResult.LeftToProcessSettings;
        try
        {
            // Trim first: mmap alone (measured) is worse than neither; mallopt returns 1 on success.
            if (mallopt(M_TRIM_THRESHOLD, TrimThresholdBytes) != 1) return AllocatorTuningResult.Refused;
            if (mallopt(M_MMAP_THRESHOLD, MmapThresholdBytes) != 1) return AllocatorTuningResult.Refused;
            return mallopt(M_MMAP_MAX, 0) == 1 ? AllocatorTuningResult.Applied : AllocatorTuningResult.Refused;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return AllocatorTuningResult.NotApplicable; // not glibc (e.g. a libc without mallopt)
        }
    }
}
