using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace HyperGanBench;

/// <summary>
/// Peak resident memory, measured in a child process so nothing the benchmark did before (large scoring buffers,
/// cached allocator pages) counts against the figure. The child is this same program with a hidden sub-command.
/// </summary>
public static class PeakMemory
{
    /// <summary>Peak resident set size of this process so far (Linux VmHWM), in MB; null where /proc is absent.</summary>
    public static double? OwnPeakMb()
    {
        const string path = "/proc/self/status";
        if (!File.Exists(path)) return null;
        var line = File.ReadLines(path).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? null : double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
    }

    /// <summary>Runs <c>this-program child &lt;args&gt;</c>, streams its stderr, and parses the JSON object it prints last on stdout.</summary>
    public static JsonElement RunChild(params string[] args)
    {
        var entry = Environment.GetCommandLineArgs()[0]; // the .dll when started by `dotnet`
        var start = new ProcessStartInfo(entry.EndsWith(".dll", StringComparison.Ordinal) ? "dotnet" : entry) { RedirectStandardOutput = true };
        if (entry.EndsWith(".dll", StringComparison.Ordinal)) start.ArgumentList.Add(entry);
        start.ArgumentList.Add("child");
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"Child '{string.Join(' ', args)}' exited with {process.ExitCode}: {stdout}");
        var last = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
        return JsonDocument.Parse(last).RootElement.Clone();
    }
}
