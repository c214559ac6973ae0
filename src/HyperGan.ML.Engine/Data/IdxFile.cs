using System.Buffers.Binary;
using System.IO.Compression;

namespace HyperGan.ML.Engine.Data;

/// <summary>Reader for the IDX format of MNIST-style datasets (optionally gzip-compressed, detected by content).</summary>
public static class IdxFile
{
    /// <summary>Reads an image file (magic 0x803): returns the count, rows, columns and the raw bytes (N·rows·cols).</summary>
    /// <exception cref="InvalidDataException">Not an IDX image file, or shorter than its header says.</exception>
    public static (int Count, int Rows, int Columns, byte[] Pixels) ReadImages(string path)
    {
        var bytes = ReadAll(path);
        CheckMagic(bytes, 0x803, path, "image");
        int count = Int(bytes, 4), rows = Int(bytes, 8), cols = Int(bytes, 12);
        long size = (long)count * rows * cols;
        if (count < 0 || rows <= 0 || cols <= 0 || bytes.Length - 16 < size)
            throw new InvalidDataException(
                $"'{path}' declares {count}×{rows}×{cols} pixels but holds {bytes.Length - 16} bytes of data (truncated?).");
        return (count, rows, cols, bytes.AsSpan(16, (int)size).ToArray());
    }

    /// <summary>Reads a label file (magic 0x801).</summary>
    /// <exception cref="InvalidDataException">Not an IDX label file, or truncated.</exception>
    public static int[] ReadLabels(string path)
    {
        var bytes = ReadAll(path);
        CheckMagic(bytes, 0x801, path, "label");
        int count = Int(bytes, 4);
        if (count < 0 || bytes.Length - 8 < count)
            throw new InvalidDataException($"'{path}' declares {count} labels but holds {bytes.Length - 8} (truncated?).");
        return bytes.AsSpan(8, count).ToArray().Select(b => (int)b).ToArray();
    }

    static byte[] ReadAll(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"IDX file not found: '{path}'.", path);
        var raw = File.ReadAllBytes(path);
        if (raw.Length < 2 || raw[0] != 0x1f || raw[1] != 0x8b) return raw; // not gzip
        using var gz = new GZipStream(new MemoryStream(raw), CompressionMode.Decompress);
        using var output = new MemoryStream();
        gz.CopyTo(output);
        return output.ToArray();
    }

    static void CheckMagic(byte[] bytes, int magic, string path, string kind)
    {
        if (bytes.Length < 8 || Int(bytes, 0) != magic)
            throw new InvalidDataException($"'{path}' is not an IDX {kind} file (expected magic 0x{magic:X8}).");
    }

    static int Int(byte[] b, int at) => BinaryPrimitives.ReadInt32BigEndian(b.AsSpan(at, 4));
}
