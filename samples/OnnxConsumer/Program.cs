// Scores rows with a HyperGan.ML ensemble exported by transformer.ExportToOnnx(...) — without TorchSharp or libtorch.
// Usage: OnnxConsumer <model.onnx | pipeline.zip> <rows.bin> <features> [scores.bin]
//   model.onnx   : the exported ensemble; the app builds ApplyOnnxModel around it and saves that pipeline with
//                  mlContext.Model.Save next to it (model.onnx.zip), an ordinary ML.NET model file
//   pipeline.zip : such a saved pipeline, loaded with mlContext.Model.Load
//   rows.bin     : rows of <features> little-endian floats, back to back
//   scores.bin   : optional; Score, PredictiveEntropy and Disagreement of every row as floats, back to back
using System.Runtime.InteropServices;
using Microsoft.ML;
using Microsoft.ML.Data;

if (args.Length < 3) { Console.Error.WriteLine("usage: OnnxConsumer <model.onnx | pipeline.zip> <rows.bin> <features> [scores.bin]"); return 2; }
int features = int.Parse(args[2]);
var values = MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(args[1])).ToArray();
var rows = Enumerable.Range(0, values.Length / features).Select(i => new Row { Features = values.AsSpan(i * features, features).ToArray() }).ToList();

var ml = new MLContext(seed: 1);
var schema = SchemaDefinition.Create(typeof(Row));
schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, features);
var data = ml.Data.LoadFromEnumerable(rows, schema);
string[] outputs = ["Score", "PredictiveEntropy", "Disagreement"];
ITransformer model;
if (args[0].EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
{
    model = ml.Transforms.ApplyOnnxModel(outputs, ["Features"], args[0]).Fit(data);
    ml.Model.Save(model, data.Schema, args[0] + ".zip");   // an ordinary ML.NET model: mlContext.Model.Load reads it
}
else model = ml.Model.Load(args[0], out _);

var scored = model.Transform(data);
var all = new List<float>();
using (var cursor = scored.GetRowCursor(outputs.Select(n => scored.Schema[n])))
{
    var getters = outputs.Select(n => cursor.GetGetter<VBuffer<float>>(scored.Schema[n])).ToArray();
    VBuffer<float> v = default;
    int row = 0;
    while (cursor.MoveNext())
    {
        var line = new List<string>();
        for (int o = 0; o < outputs.Length; o++)
        {
            getters[o](ref v);
            all.AddRange(v.DenseValues());
            var slots = v.DenseValues().ToArray();
            line.Add(o == 0
                ? $"{outputs[o]} top class {Array.IndexOf(slots, slots.Max())} ({slots.Max():F3})"
                : $"{outputs[o]} {v.GetItemOrDefault(0):F4}");
        }
        if (row++ < 3) Console.WriteLine($"row {row}: {string.Join(", ", line)}");
    }
}
if (args.Length > 3) File.WriteAllBytes(args[3], MemoryMarshal.AsBytes(all.ToArray().AsSpan()).ToArray());
// The point of this app: nothing of libtorch in the process.
var torch = File.Exists("/proc/self/maps")
    ? File.ReadLines("/proc/self/maps").Where(l =>
        l.Contains("torch", StringComparison.OrdinalIgnoreCase)).Select(l => l.Split(' ').Last()).Distinct().ToList()
    : System.Diagnostics.Process.GetCurrentProcess().Modules.Cast<System.Diagnostics.ProcessModule>().Select(m =>
        m.FileName).Where(f => f.Contains("torch", StringComparison.OrdinalIgnoreCase)).ToList();
Console.WriteLine($"scored {rows.Count} rows; libtorch libraries loaded: {(torch.Count == 0 ? "none" : string.Join(", ", torch))}");
return torch.Count == 0 ? 0 : 1;

/// <summary>One row: the feature vector the ensemble was trained on.</summary>
public sealed class Row
{
    public float[] Features { get; set; } = [];
}
