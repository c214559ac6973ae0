namespace HyperGan.ML.Engine.Persistence;

/// <summary>
/// The versions of one file format: the one this library writes and the oldest it still reads, as ML.NET's
/// <c>VersionInfo</c> declares them. A file outside that range is refused with a message that names the range, so a
/// newer format can stay readable by a later library without pretending older libraries read it.
/// </summary>
/// <param name="Format">The format's name in messages, e.g. "model".</param>
/// <param name="Current">The version this library writes.</param>
/// <param name="OldestReadable">The oldest version this library reads.</param>
public sealed record FormatVersions(string Format, int Current, int OldestReadable)
{
    /// <summary>Throws <see cref="InvalidDataException"/> unless <paramref name="version"/> is in the readable range.</summary>
    /// <param name="version">The version the file declares.</param>
    /// <param name="source">The file or part, named in the message.</param>
    /// <param name="writtenBy">Optional: which library wrote the file, when the file says so.</param>
    public void CheckReadable(int version, string source, string? writtenBy = null)
    {
        if (version >= OldestReadable && version <= Current) return;
        var range = OldestReadable == Current ? $"version {Current}" : $"versions {OldestReadable}–{Current}";
        var by = writtenBy is null ? "" : $" (written by HyperGan.ML {writtenBy})";
        var fix = version > Current ? "Load it with the HyperGan.ML version that wrote it, or a later one."
                                    : "Load it with an earlier HyperGan.ML and save it again with this one.";
        throw new InvalidDataException($"{source} has {Format} format version {version}{by}; this library reads {range}. {fix}");
    }
}
