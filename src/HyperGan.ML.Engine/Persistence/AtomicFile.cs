namespace HyperGan.ML.Engine.Persistence;

/// <summary>
/// Writes a file under a temporary name in the same folder and renames it over the target, so an interrupted or
/// failed write leaves any previous file intact and no temporary file behind. Used by every saver in HyperGan.ML.
/// </summary>
internal static class AtomicFile
{
    /// <summary>Creates <paramref name="path"/>'s folder if needed, lets <paramref name="write"/> fill the file, then renames it into
    /// place.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        var temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = File.Create(temp)) write(stream);
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }
}
