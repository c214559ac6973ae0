using System.IO.Compression;

namespace HyperGan.ML;

/// <summary>
/// Zip plumbing of pipeline files that keeps them byte-identical for identical models: every entry carries one fixed
/// timestamp (a zip entry otherwise records the time it was written), and ML.NET's own model streams — zips with
/// timestamps of their own — are re-packed the same way. Reading checks each entry's size and CRC-32, which .NET's
/// ZipArchive records but does not verify (a flipped bit in a stored block loads silently otherwise).
/// </summary>
internal static class PipelineZip
{
    // The earliest time a zip (DOS) timestamp can hold is 1980; any fixed value will do.
    static readonly DateTimeOffset FixedTime = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Creates entry <paramref name="name"/> with the fixed timestamp.</summary>
    public static ZipArchiveEntry CreateEntry(ZipArchive zip, string name, CompressionLevel level = CompressionLevel.Optimal)
    {
        var entry = zip.CreateEntry(name, level);
        entry.LastWriteTime = FixedTime;
        return entry;
    }

    /// <summary>The zip in <paramref name="source"/> re-written with fixed timestamps (same entries, names and contents, in order).</summary>
    public static MemoryStream Repack(Stream source)
    {
        var result = new MemoryStream();
        using (var input = new ZipArchive(source, ZipArchiveMode.Read, leaveOpen: true))
        using (var output = new ZipArchive(result, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var entry in input.Entries)
            {
                using var from = entry.Open();
                using var to = CreateEntry(output, entry.FullName).Open();
                from.CopyTo(to);
            }
        result.Position = 0;
        return result;
    }

    /// <summary>
    /// The whole content of <paramref name="entry"/>, read in chunks so that memory follows the data actually present,
    /// not the size the entry declares. A damaged entry (its CRC-32 or size does not match), or one declaring more than
    /// <paramref name="maxBytes"/>, throws <see cref="InvalidDataException"/> naming it.
    /// </summary>
    public static byte[] ReadAll(ZipArchiveEntry entry, string source, long maxBytes = int.MaxValue)
    {
        if (entry.Length > maxBytes)
            throw new InvalidDataException($"'{source}': entry '{entry.FullName}' declares {entry.Length:N0} bytes, more than the {maxBytes:N0} " +
                $"it may hold; the file is damaged.");
        using var s = entry.Open();
        using var content = new MemoryStream();
        var crc = new System.IO.Hashing.Crc32();
        var chunk = new byte[81920];
        int read;
        while ((read = s.Read(chunk)) > 0)
        {
            if (content.Length + read > entry.Length)
                throw new InvalidDataException(
                    $"'{source}': entry '{entry.FullName}' holds more data than the {entry.Length:N0} bytes it declares; the file is damaged.");
            content.Write(chunk, 0, read);
            crc.Append(chunk.AsSpan(0, read));
        }
        if (content.Length != entry.Length)
            throw new InvalidDataException(
                $"'{source}': entry '{entry.FullName}' holds {content.Length:N0} bytes but declares {entry.Length:N0}; the file is damaged.");
        if (crc.GetCurrentHashAsUInt32() != entry.Crc32)
            throw new InvalidDataException($"'{source}': entry '{entry.FullName}' fails its CRC-32 check; the file is damaged.");
        return content.ToArray();
    }
}
