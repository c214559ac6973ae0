using Microsoft.ML.Data;

namespace HyperGanBench;

/// <summary>One MNIST digit as an ML.NET row, for the figures that score through ML.NET.</summary>
internal sealed class DigitRow
{
    [VectorType(784)] public float[] Features { get; set; } = [];
    public uint Label { get; set; }
}
