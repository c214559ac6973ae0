using System.Text;
using HyperGan.ML.Engine.Ensembles;
using HyperGan.ML.Engine.Model;
using HyperGan.ML.Engine.Targets;
using static TorchSharp.torch;

namespace HyperGan.ML.Engine.Persistence;

/// <summary>
/// Stores the generated weights of a <see cref="SampledEnsemble"/> so that a frozen ensemble scores bit-identically
/// after loading, whatever thread count or BLAS the loading process uses. Format: "HGENSMBL", version, member count,
/// layer count, then per layer the weight and bias as shape + raw little-endian float32. Plain numbers only — reading
/// never runs code from the stream.
/// </summary>
public static class EnsembleFile
{
    static readonly byte[] Magic = "HGENSMBL"u8.ToArray();
    /// <summary>The versions of the ensemble format this library writes and reads.</summary>
    public static FormatVersions Versions { get; } = new("ensemble", Current: 1, OldestReadable: 1);

    /// <summary>Writes <paramref name="ensemble"/>'s weights to <paramref name="stream"/>.</summary>
    public static void Write(SampledEnsemble ensemble, Stream stream)
    {
        ensemble.ThrowIfNotPlainNetworks("Saving an ensemble");
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        writer.Write(Magic);
        writer.Write(Versions.Current);
        writer.Write(ensemble.Count);
        writer.Write(ensemble.Layers.Count);
        foreach (var layer in ensemble.Layers)
        {
            WriteTensor(writer, layer.Weight);
            writer.Write(layer.Bias is not null);
            if (layer.Bias is not null) WriteTensor(writer, layer.Bias);
        }
    }

    /// <summary>Reads an ensemble written by <see cref="Write"/> and checks every shape against <paramref name="target"/>.</summary>
    /// <exception cref="InvalidDataException">The stream is not an ensemble, is truncated, or does not fit <paramref name="target"/>.</exception>
    public static SampledEnsemble Read(Stream stream, TargetNetwork target, Device? device = null)
    {
        using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        var layers = new List<GeneratedLayer>();
        try
        {
            if (!reader.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic))
                throw new InvalidDataException("Not a HyperGan.ML ensemble (missing 'HGENSMBL' signature).");
            int version = reader.ReadInt32();
            Versions.CheckReadable(version, "The stored ensemble");
            int members = reader.ReadInt32(), layerCount = reader.ReadInt32();
            if (members <= 0 || layerCount != target.Layers.Count)
                throw new InvalidDataException(
                    $"The stored ensemble has {layerCount} layers and {members} members; target '{target.Name}' has {target.Layers.Count} layers.");
            foreach (var spec in target.Layers)
            {
                var weight = ReadTensor(reader, [members, .. spec.WeightShape], device);
                bool hasBias = reader.ReadBoolean();
                if (hasBias != spec.HasBias)
                {
                    weight.Dispose();
                    throw new InvalidDataException($"Layer {spec} bias presence does not match the target.");
                }
                layers.Add(new GeneratedLayer(weight, hasBias ? ReadTensor(reader, [members, spec.OutputUnits], device) : null));
            }
            return new SampledEnsemble(target, layers);
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException)
        {
            foreach (var l in layers) { l.Weight.Dispose(); l.Bias?.Dispose(); }
            throw e as InvalidDataException ?? new InvalidDataException("The stored ensemble is truncated.", e);
        }
    }

    static void WriteTensor(BinaryWriter writer, Tensor t)
    {
        writer.Write(t.shape.Length);
        foreach (var d in t.shape) writer.Write(d);
        using var cpu = t.detach().cpu().contiguous();
        writer.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(cpu.data<float>().ToArray().AsSpan()));
    }

    static Tensor ReadTensor(BinaryReader reader, long[] expectedShape, Device? device)
    {
        int rank = reader.ReadInt32();
        if (rank != expectedShape.Length) throw new InvalidDataException(
            $"A stored tensor has rank {rank}; expected shape [{string.Join(", ", expectedShape)}].");
        var shape = Enumerable.Range(0, rank).Select(_ => reader.ReadInt64()).ToArray();
        if (!shape.SequenceEqual(expectedShape))
            throw new InvalidDataException(
                $"A stored tensor has shape [{string.Join(", ", shape)}]; the target needs [{string.Join(", ", expectedShape)}].");
        long count = shape.Aggregate(1L, (a, b) => a * b);
        var bytes = reader.ReadBytes(checked((int)(count * sizeof(float))));
        if (bytes.Length != count * sizeof(float)) throw new EndOfStreamException();
        var values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes).ToArray();
        var t = tensor(values, shape);
        if (device is null || device.type == t.device_type) return t;
        using (t) return t.to(device);
    }
}
