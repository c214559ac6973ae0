using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using TorchSharp;

namespace HyperGan.ML.Engine.Native;

/// <summary>What <see cref="TorchNativeLoader.EnsureLoaded"/> found and did.</summary>
public enum NativeLoadAction
{
    /// <summary>Not Linux: nothing to do (Windows and macOS builds of TorchSharp have no such version need).</summary>
    NotLinux,
    /// <summary>libLibTorchSharp.so was not found next to the app; TorchSharp will report the missing backend itself.</summary>
    BackendNotFound,
    /// <summary>The system's libraries provide every version libLibTorchSharp.so needs: loaded as shipped (no-op).</summary>
    NotNeeded,
    /// <summary>A copy with the unused, missing version requirements marked weak was written and loaded.</summary>
    LoadedPatchedCopy,
}

/// <summary>Outcome of preparing TorchSharp's native backend.</summary>
/// <param name="Action">What was done.</param>
/// <param name="OriginalPath">The libLibTorchSharp.so the app ships, when found.</param>
/// <param name="LoadedPath">The file actually loaded when a patched copy was needed.</param>
/// <param name="WeakenedVersions">Version requirements marked weak, e.g. <c>libstdc++.so.6:GLIBCXX_3.4.32</c>.</param>
public sealed record NativeLoadReport(NativeLoadAction Action, string? OriginalPath, string? LoadedPath, IReadOnlyList<string> WeakenedVersions)
{
    // The compiler's record printer would show the list's type name instead of its items.
    bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append(System.Globalization.CultureInfo.InvariantCulture, $"Action = {Action}, OriginalPath = {OriginalPath}, LoadedPath = " +
            $"{LoadedPath}, WeakenedVersions = [{string.Join(", ", WeakenedVersions)}]");
        return true;
    }
}

/// <summary>Thrown when TorchSharp's native backend cannot be loaded; the message says why and how to fix it.</summary>
public sealed class TorchNativeLoadException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TorchNativeLoadException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>
/// Makes TorchSharp's native library load on Linux systems whose libstdc++ is older than the one it was built with.
/// </summary>
/// <remarks>
/// TorchSharp 0.107's <c>libLibTorchSharp.so</c> declares a need for <c>GLIBCXX_3.4.32</c> (GCC 13) although no
/// relocation binds a symbol of that version; Debian 12's libstdc++ stops at 3.4.30, so <c>dlopen</c> refuses it.
/// This loader compares the library's version needs with what the loaded system libraries define. When something is
/// missing and provably unused it writes a copy with those needs marked weak (VER_FLG_WEAK) into a per-user cache —
/// never touching the app folder or the NuGet cache — loads it, and routes TorchSharp's <c>LibTorchSharp</c>
/// P/Invokes to it. Where libstdc++ is new enough, it does nothing. It runs automatically when this assembly is first
/// used; call <see cref="EnsureLoaded"/> yourself before touching <c>TorchSharp.torch</c> if your app uses TorchSharp
/// directly before any HyperGan.ML type.
/// </remarks>
public static class TorchNativeLoader
{
    /// <summary>Environment variable that overrides the folder where the patched copy is cached.</summary>
    public const string CacheDirectoryVariable = "HYPERGAN_ML_NATIVE_CACHE";
    const string LibraryFile = "libLibTorchSharp.so";

    static readonly object Gate = new();
    static NativeLoadReport? _report;
    static IntPtr _patchedHandle;

    /// <summary>The result of the first successful <see cref="EnsureLoaded"/> call, or null before it.</summary>
    public static NativeLoadReport? Report => _report;

    /// <summary>
    /// Prepares the native backend once per process (thread-safe, idempotent). Must run before TorchSharp's
    /// <c>torch</c> class initialises; afterwards it can only report.
    /// </summary>
    /// <exception cref="TorchNativeLoadException">A needed version is missing and a relocation uses it, or the
    /// patched copy could not be written or loaded.</exception>
    public static NativeLoadReport EnsureLoaded()
    {
        lock (Gate)
        {
            return _report ??= Prepare();
        }
    }

    static NativeLoadReport Prepare()
    {
        if (!OperatingSystem.IsLinux())
            return new NativeLoadReport(NativeLoadAction.NotLinux, null, null, []);

        var searchDirs = NativeSearchDirectories();
        var original = searchDirs.Select(d => Path.Combine(d, LibraryFile)).FirstOrDefault(File.Exists);
        if (original is null)
            return new NativeLoadReport(NativeLoadAction.BackendNotFound, null, null, []);

        var elf = ElfSymbolVersions.Read(original);
        var missing = MissingVersionNeeds(elf);
        if (missing.Count == 0)
            return new NativeLoadReport(NativeLoadAction.NotNeeded, original, null, []);

        var used = missing.Where(n => elf.SymbolsBoundByVersionIndex.ContainsKey(n.Index)).ToList();
        if (used.Count > 0)
        {
            var detail = string.Join("; ", used.Select(n =>
                $"{n.Name} from {n.File} (used by {string.Join(", ", elf.SymbolsBoundByVersionIndex[n.Index].Distinct().Take(3))})"));
            throw new TorchNativeLoadException(
                $"{original} needs symbol versions this system does not provide and that it really uses: {detail}. " +
                "Install a newer libstdc++ (GCC 13 or later, e.g. from your distribution's backports), or use a TorchSharp build made for this " +
                    "system.");
        }

        var weakened = missing.Select(n => $"{n.File}:{n.Name}").ToList();
        string patched;
        try
        {
            patched = WritePatchedCopy(original, elf.WithWeakNeeds(missing));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TorchNativeLoadException(
                $"{original} needs {string.Join(", ", weakened)}, which this system's libraries lack, and a patched copy could not be written " +
                $"to the cache folder ({e.Message}). Set {CacheDirectoryVariable} to a writable folder.", e);
        }

        // The patched copy lives in another folder, so its $ORIGIN run-path no longer finds libtorch: load the
        // dependencies the app ships first, by full path, and the loader then reuses them by soname.
        var notShipped = new List<string>();
        foreach (var needed in elf.NeededLibraries)
        {
            var shipped = searchDirs.Select(d => Path.Combine(d, needed)).FirstOrDefault(File.Exists);
            if (shipped is not null) NativeLibrary.Load(shipped);
            else notShipped.Add(needed);
        }
        try
        {
            _patchedHandle = NativeLibrary.Load(patched);
        }
        catch (DllNotFoundException e)
        {
            // The usual cause: the app references TorchSharp (or this library) but no backend package, so libtorch is absent.
            var absent = notShipped.Where(n => n.StartsWith("libtorch", StringComparison.Ordinal)
                || n.StartsWith("libc10", StringComparison.Ordinal)).ToList();
            var hint = absent.Count > 0
                ? $" Not found next to it: {string.Join(", ", absent)}. Add a TorchSharp backend package to the app (TorchSharp-cpu, or " +
                    $"TorchSharp-cuda-linux for a GPU)."
                : "";
            throw new TorchNativeLoadException(
                $"Loading the patched copy {patched} of {original} (weakened: {string.Join(", ", weakened)}) failed: {e.Message}{hint}", e);
        }
        RouteTorchSharpImports();
        return new NativeLoadReport(NativeLoadAction.LoadedPatchedCopy, original, patched, weakened);
    }

    /// <summary>Requirements that are strong and not defined by the system library the loader would bind.</summary>
    static List<ElfVersionNeed> MissingVersionNeeds(ElfSymbolVersions elf)
    {
        var missing = new List<ElfVersionNeed>();
        foreach (var group in elf.Needs.Where(n => !n.IsWeak).GroupBy(n => n.File))
        {
            var systemLibrary = LoadedPathOf(group.Key);
            if (systemLibrary is null) continue; // not a system library we can inspect; let the loader decide
            var defined = ElfSymbolVersions.Read(systemLibrary).Definitions;
            missing.AddRange(group.Where(n => !defined.Contains(n.Name)));
        }
        return missing;
    }

    /// <summary>Loads a library by soname the way the dynamic loader would and returns the file it mapped.</summary>
    static string? LoadedPathOf(string soname)
    {
        if (!NativeLibrary.TryLoad(soname, out _)) return null;
        foreach (var line in File.ReadLines("/proc/self/maps"))
        {
            int slash = line.IndexOf('/');
            if (slash < 0) continue;
            var path = line[slash..];
            if (Path.GetFileName(path).StartsWith(soname, StringComparison.Ordinal)) return path;
        }
        return null;
    }

    static string WritePatchedCopy(string original, byte[] patchedBytes)
    {
        var hash = Convert.ToHexString(SHA256.HashData(patchedBytes))[..16].ToLowerInvariant();
        var dir = Path.Combine(CacheRoot(), hash);
        var target = Path.Combine(dir, LibraryFile);
        if (File.Exists(target) && File.ReadAllBytes(target).AsSpan().SequenceEqual(patchedBytes))
            return target;
        Directory.CreateDirectory(dir);
        // Write then rename: a concurrent process or an interrupted write never leaves a half-written library.
        var temp = Path.Combine(dir, $"{LibraryFile}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        File.WriteAllBytes(temp, patchedBytes);
        File.Move(temp, target, overwrite: true);
        return target;
    }

    static string CacheRoot()
    {
        var configured = Environment.GetEnvironmentVariable(CacheDirectoryVariable);
        if (!string.IsNullOrWhiteSpace(configured)) return configured;
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var baseDir = !string.IsNullOrWhiteSpace(xdg) ? xdg
            : !string.IsNullOrWhiteSpace(home) ? Path.Combine(home, ".cache")
            : Path.GetTempPath();
        return Path.Combine(baseDir, "hypergan-ml", "native");
    }

    /// <summary>Where the host resolves native assets: the deps.json probe folders, then TorchSharp's own folder.</summary>
    static List<string> NativeSearchDirectories()
    {
        var dirs = new List<string>();
        if (AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") is string probe)
            dirs.AddRange(probe.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));
        var torchSharpDir = Path.GetDirectoryName(typeof(torch).Assembly.Location); // typeof does not run torch's static constructor
        if (!string.IsNullOrEmpty(torchSharpDir))
        {
            var rid = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "linux-arm64" : "linux-x64";
            dirs.Add(torchSharpDir);
            dirs.Add(Path.Combine(torchSharpDir, "runtimes", rid, "native"));
            dirs.Add(Path.GetFullPath(Path.Combine(torchSharpDir, "..", "..", "runtimes", rid, "native"))); // NuGet package layout
        }
        return dirs.Where(Directory.Exists).Distinct().ToList();
    }

    static void RouteTorchSharpImports()
    {
        try
        {
            NativeLibrary.SetDllImportResolver(typeof(torch).Assembly, ResolveTorchSharpImport);
        }
        catch (InvalidOperationException)
        {
            // Someone else owns TorchSharp's resolver. The patched copy is loaded under the soname
            // libLibTorchSharp.so, so the runtime's by-name probing still finds it.
        }
    }

    static IntPtr ResolveTorchSharpImport(string name, Assembly assembly, DllImportSearchPath? path) =>
        name is "LibTorchSharp" or "libLibTorchSharp" or LibraryFile ? _patchedHandle : IntPtr.Zero;
}
