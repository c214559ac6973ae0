using HyperGan.ML.Engine.Native;
using TorchSharp;
using Xunit;

namespace HyperGan.ML.Tests;

public class NativeLoaderTests
{
    static string ShippedLibrary => TorchNativeLoader.Report?.OriginalPath
        ?? throw new InvalidOperationException("The test app ships TorchSharp-cpu, so libLibTorchSharp.so must be found.");

    [Fact]
    public void Shipped_library_needs_GLIBCXX_3_4_32_but_binds_no_symbol_of_it()
    {
        if (!OperatingSystem.IsLinux()) return;
        var elf = ElfSymbolVersions.Read(ShippedLibrary);
        var need = Assert.Single(elf.Needs, n => n.Name == "GLIBCXX_3.4.32");
        Assert.Equal("libstdc++.so.6", need.File);
        Assert.False(need.IsWeak);
        Assert.False(elf.SymbolsBoundByVersionIndex.ContainsKey(need.Index));
        // Versions that are really used (e.g. the base GLIBCXX_3.4) do bind symbols: the check can see usage.
        var basic = Assert.Single(elf.Needs, n => n.Name == "GLIBCXX_3.4");
        Assert.True(elf.SymbolsBoundByVersionIndex.ContainsKey(basic.Index));
        Assert.Contains("libtorch_cpu.so", elf.NeededLibraries);
    }

    [Fact]
    public void Patch_changes_only_the_weak_flag_of_the_missing_versions()
    {
        if (!OperatingSystem.IsLinux()) return;
        var original = File.ReadAllBytes(ShippedLibrary);
        var elf = ElfSymbolVersions.Parse(original);
        var need = elf.Needs.Single(n => n.Name == "GLIBCXX_3.4.32");
        var patched = elf.WithWeakNeeds([need]);
        Assert.Equal(original.Length, patched.Length);
        var changed = Enumerable.Range(0, original.Length).Where(i => original[i] != patched[i]).ToArray();
        Assert.Equal([(int)need.FlagsOffset], changed);
        var reread = ElfSymbolVersions.Parse(patched);
        Assert.True(reread.Needs.Single(n => n.Name == "GLIBCXX_3.4.32").IsWeak);
        Assert.All(reread.Needs.Where(n => n.Name != "GLIBCXX_3.4.32"), n =>
            Assert.Equal(elf.Needs.Single(o => o.Name == n.Name && o.File == n.File).IsWeak, n.IsWeak));
    }

    [Fact]
    public void Loader_patches_exactly_when_the_system_lacks_a_version_and_torch_then_computes()
    {
        if (!OperatingSystem.IsLinux()) return;
        var report = TorchNativeLoader.EnsureLoaded();
        var systemStdCpp = File.ReadLines("/proc/self/maps").Select(l => l[(l.IndexOf('/') is var i && i >= 0 ? i : l.Length)..])
            .First(p => Path.GetFileName(p).StartsWith("libstdc++.so.6", StringComparison.Ordinal));
        bool systemHasIt = ElfSymbolVersions.Read(systemStdCpp).Definitions.Contains("GLIBCXX_3.4.32");
        if (systemHasIt)
        {
            Assert.Equal(NativeLoadAction.NotNeeded, report.Action); // a no-op on new enough systems
        }
        else
        {
            Assert.Equal(NativeLoadAction.LoadedPatchedCopy, report.Action);
            Assert.Equal(["libstdc++.so.6:GLIBCXX_3.4.32"], report.WeakenedVersions);
            Assert.False(report.LoadedPath!.StartsWith(TestData.RepoRoot, StringComparison.Ordinal),
                "the patched copy must live in the cache, not the app folder");
            Assert.DoesNotContain("/.nuget/", report.LoadedPath);
        }
        using var a = torch.arange(6, dtype: torch.float32).view(2, 3);
        using var product = a.matmul(a.t());
        Assert.Equal(new float[] { 5, 14, 14, 50 }, product.data<float>().ToArray());
        using var image = torch.ones(1, 1, 6, 6);
        using var conv = torch.nn.functional.conv2d(image, torch.ones(2, 1, 3, 3));
        Assert.All(conv.data<float>().ToArray(), v => Assert.Equal(9f, v));
    }

    [Fact]
    public void Non_elf_input_is_rejected_clearly()
    {
        var e = Assert.Throws<InvalidDataException>(() => ElfSymbolVersions.Parse(new byte[100]));
        Assert.Contains("Not an ELF", e.Message);
    }
}

public class AllocatorTuningTests
{
    // Each case in a fresh process: the tuning is applied once per process, when the engine assembly loads.
    [Theory]
    [InlineData(null, null, "Applied")]
    [InlineData("HYPERGAN_MALLOC_TUNING", "0", "Disabled")]
    [InlineData("GLIBC_TUNABLES", "glibc.malloc.arena_max=2", "LeftToProcessSettings")]
    [InlineData("MALLOC_TRIM_THRESHOLD_", "4096", "LeftToProcessSettings")]
    [InlineData("MALLOC_MMAP_MAX_", "65536", "LeftToProcessSettings")]
    public void Glibc_thresholds_are_raised_unless_the_process_configures_malloc_or_opts_out(string? variable, string? value, string expected)
    {
        if (!OperatingSystem.IsLinux()) return; // nothing to tune elsewhere; the result there is NotApplicable
        // Start from a clean slate, whatever the machine running the tests sets.
        var environment = new Dictionary<string, string?>
        {
            ["HYPERGAN_MALLOC_TUNING"] = null, ["GLIBC_TUNABLES"] = null,
            ["MALLOC_TRIM_THRESHOLD_"] = null, ["MALLOC_MMAP_THRESHOLD_"] = null, ["MALLOC_MMAP_MAX_"] = null
        };
        if (variable is not null) environment[variable] = value;
        var lines = ChildProcess.RunWith(environment, "allocator-tuning").Trim().Split('\n');
        Assert.Equal(expected, lines[^1].Trim());
        // A 64 MB tensor is alive when the child reads how much memory malloc mapped on its own: tuned, none (the block
        // comes from the heap and is reused by the next step instead of being faulted in afresh).
        ulong mapped = ulong.Parse(lines[^2].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        if (expected == "Applied") Assert.True(mapped < 1UL << 20, $"{mapped} bytes mapped outside the heap");
        if (expected == "Disabled") Assert.True(mapped >= 64UL << 20, $"{mapped} bytes mapped outside the heap");
    }
}
