using Google.Protobuf;
using HyperGan.ML.Engine.Ensembles;
using HyperGan.ML.Engine.Model;
using HyperGan.ML.Engine.Persistence;
using HyperGan.ML.Engine.Targets;
using HyperGan.ML.Engine.Training;
using Onnx;
using static TorchSharp.torch;

namespace HyperGan.ML;

/// <summary>
/// Writes a fitted transformer's frozen ensemble as one ONNX model (opset 13) whose outputs are the transformer's score
/// columns, so it can be scored without TorchSharp or libtorch: through ML.NET's <c>ApplyOnnxModel</c> (package
/// Microsoft.ML.OnnxTransformer) or ONNX Runtime directly. The M networks run batched inside the graph — one
/// convolution with M groups per conv layer (the first one with M·filters outputs), one batched MatMul per linear
/// layer — not as M copies. Input: the features column's name, float [batch, features] (dynamic batch). Outputs:
/// classification — Score [batch, classes] (calibrated when the transformer is), PredictiveEntropy [batch, 1],
/// Disagreement [batch, 1]; regression — Score [batch, 1], StdDev [batch, 1]. Written with OnnxSharp's ONNX schema types.
/// </summary>
internal static class OnnxExport
{
    const int Opset = 13;

    public static void Write(HyperGanEnsembleTransformer transformer, string path)
    {
        var frozen = transformer.Scorer.Frozen ?? throw new InvalidOperationException(
            "ONNX export needs a frozen ensemble (the networks are written into the file), but this transformer samples fresh networks per " +
                "batch (FreezeEnsemble = false). Fit with FreezeEnsemble = true to export.");
        var o = transformer.Options;
        var model = new Builder(frozen, o.FeatureColumnName, transformer.FeatureSize).Build(transformer.Task,
            transformer.Calibration ?? new HeldOutCalibration(), o);
        AtomicFile.Write(path, stream => model.WriteTo(stream));
    }

    sealed class Builder(SampledEnsemble ensemble, string inputName, int featureSize)
    {
        readonly GraphProto _graph = new() { Name = "hypergan-ensemble" };
        int _next;
        readonly int _members = ensemble.Count;

        string Name(string stem) => $"{stem}_{_next++}";

        string Node(string op, string[] inputs, params AttributeProto[] attributes)
        {
            var output = Name(op);
            var node = new NodeProto { OpType = op, Name = output };
            node.Input.AddRange(inputs);
            node.Output.Add(output);
            node.Attribute.AddRange(attributes);
            _graph.Node.Add(node);
            return output;
        }

        string Constant(string stem, float[] values, params long[] dims)
        {
            var t = new TensorProto
            {
                Name = Name(stem), DataType = (int)TensorProto.Types.DataType.Float,
                RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()))
            };
            t.Dims.AddRange(dims);
            _graph.Initializer.Add(t);
            return t.Name;
        }

        string Int64s(string stem, params long[] values)
        {
            var t = new TensorProto { Name = Name(stem), DataType = (int)TensorProto.Types.DataType.Int64 };
            t.Dims.Add(values.Length);
            t.Int64Data.AddRange(values);
            _graph.Initializer.Add(t);
            return t.Name;
        }

        static AttributeProto Ints(string name, params long[] values)
        {
            var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
            a.Ints.AddRange(values);
            return a;
        }

        static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };
        static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

        static float[] Values(Tensor t) => t.contiguous().cpu().data<float>().ToArray();

        static ValueInfoProto Info(string name, params object[] dims)
        {
            var shape = new TensorShapeProto();
            foreach (var d in dims)
                shape.Dim.Add(d is string symbol ? new TensorShapeProto.Types.Dimension { DimParam = symbol }
                    : new TensorShapeProto.Types.Dimension { DimValue = Convert.ToInt64(d, System.Globalization.CultureInfo.InvariantCulture) });
            return new ValueInfoProto
            {
                Name = name,
                Type = new TypeProto
                {
                    TensorType = new TypeProto.Types.Tensor
                    {
                        ElemType = (int)TensorProto.Types.DataType.Float,
                        Shape = shape
                    }
                }
            };
        }

        string Activate(string x, Activation activation) => activation switch
        {
            Activation.None => x,
            Activation.LeakyRelu => Node("LeakyRelu", [x], Float("alpha", 0.01f)),
            Activation.Relu => Node("Relu", [x]),
            Activation.Elu => Node("Elu", [x], Float("alpha", 1f)),
            Activation.Tanh => Node("Tanh", [x]),
            _ => throw new NotSupportedException($"Activation {activation} has no ONNX export."),
        };

        /// <summary>The members' outputs [M, batch, outputs] for the input [batch, features].</summary>
        string Networks()
        {
            ensemble.ThrowIfNotPlainNetworks("ONNX export");
            var target = ensemble.Target;
            string x = inputName;
            var shape = target.InputShape.ToArray();
            bool grouped = false;   // x is [batch, M·C, H, W], member-major channels
            bool stacked = false;   // x is [M, batch, features]
            if (target.Layers[0] is Conv2dLayer)
                x = Node("Reshape", [x, Int64s("image_shape", [-1, .. shape.Select(d => (long)d)])]);
            for (int k = 0; k < target.Layers.Count; k++)
            {
                var layer = ensemble.Layers[k];
                switch (target.Layers[k])
                {
                    case Conv2dLayer c when !stacked:
                    {
                        var w = Constant("conv_w", Values(layer.Weight), _members * c.OutChannels, c.InChannels, c.Kernel, c.Kernel);
                        var inputs = layer.Bias is { } b ? new[] { x, w, Constant("conv_b", Values(b), _members * c.OutChannels) } : [x, w];
                        x = Node("Conv", inputs, Ints("kernel_shape", c.Kernel, c.Kernel), Ints("strides", c.Stride, c.Stride),
                            Ints("pads", c.Padding, c.Padding, c.Padding, c.Padding), Int("group", grouped ? _members : 1));
                        if (c.MaxPool > 1) x = Node("MaxPool", [x], Ints("kernel_shape", c.MaxPool, c.MaxPool),
                            Ints("strides", c.MaxPool, c.MaxPool));
                        x = Activate(x, c.Activation);
                        grouped = true;
                        shape = c.OutputShape(shape);
                        break;
                    }
                    case LinearLayer l:
                    {
                        if (grouped) // [batch, M·C, H, W] → [M, batch, C·H·W], each member's features in PyTorch's flatten order
                        {
                            x = Node("Reshape", [x, Int64s("per_member", 0, _members, shape.Aggregate(1L, (a, d) => a * d))]);
                            x = Node("Transpose", [x], Ints("perm", 1, 0, 2));
                            grouped = false;
                        }
                        // [batch, in] or [M, batch, in] × [M, in, out] → [M, batch, out] (MatMul broadcasts the first over M)
                        var w = Constant("linear_w", Values(layer.Weight.transpose(1, 2)), _members, l.InFeatures, l.OutFeatures);
                        x = Node("MatMul", [x, w]);
                        if (layer.Bias is { } b) x = Node("Add", [x, Constant("linear_b", Values(b), _members, 1, l.OutFeatures)]);
                        x = Activate(x, l.Activation);
                        stacked = true;
                        shape = [l.OutFeatures];
                        break;
                    }
                    default:
                        throw new NotSupportedException($"Target '{target.Name}' layer {k} ({target.Layers[k].GetType().Name} after a linear " +
                            $"layer) has no ONNX export: a convolution must come before every linear layer.");
                }
            }
            return x;
        }

        public ModelProto Build(TaskKind task, HeldOutCalibration calibration, HyperGanEnsembleOptions o)
        {
            double temperature = calibration.Temperature;
            _graph.Input.Add(Info(inputName, "batch", featureSize));
            var z = Networks(); // [M, batch, outputs]
            if (task == TaskKind.Regression)
            {
                var values = Node("Squeeze", [z, Int64s("axis", 2)]);                                    // [M, batch]
                var mean = Node("ReduceMean", [values], Ints("axes", 0), Int("keepdims", 1));              // [1, batch]
                var centred = Node("Sub", [values, mean]);
                var variance = Node("ReduceMean", [Node("Mul", [centred, centred])], Ints("axes", 0), Int("keepdims", 0));
                Output(Node("Transpose", [mean], Ints("perm", 1, 0)), o.ScoreColumnName, 1);
                Output(Node("Unsqueeze", [Node("Sqrt", [variance]), Int64s("axis", 1)]), o.StdDevColumnName, 1);
            }
            else
            {
                long classes = ensemble.Target.OutputSize;
                var logP = Node("LogSoftmax", [z], Int("axis", 2));
                var p = Node("Exp", [logP]);
                var mean = Node("ReduceMean", [p], Ints("axes", 0), Int("keepdims", 0));                  // p̄ [batch, C]
                var memberEntropy = Node("ReduceMean",
                    [Node("Neg", [Node("ReduceSum", [Node("Mul", [p, logP]), Int64s("axis", 2)], Int("keepdims", 1))])],
                    Ints("axes", 0), Int("keepdims", 0));                                                      // [batch, 1]
                var rawEntropy = Entropy(mean);
                var score = temperature == 1 ? mean
                    : Node("Softmax", [Node("Div", [Node("Log", [mean]), Constant("temperature", [(float)temperature], 1)])], Int("axis", 1));
                if (!calibration.TopLabel.IsIdentity) score = TopLabel(score, calibration.TopLabel);
                Output(score, o.ScoreColumnName, classes);
                Output(score == mean ? rawEntropy : Entropy(score), o.PredictiveEntropyColumnName, 1);
                Output(Node("Relu", [Node("Sub", [rawEntropy, memberEntropy])]), o.DisagreementColumnName, 1); // clamped at 0
            }
            var model = new ModelProto
            {
                IrVersion = 7, ProducerName = "HyperGan.ML",
                ProducerVersion = typeof(OnnxExport).Assembly.GetName().Version?.ToString() ?? "", Graph = _graph
            };
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
            return model;
        }

        // TopLabelScaling.ApplyInPlace on [batch, C]: the top probability c becomes max(σ(a·logit c + b), TopLabelScaling.Floor), the
        // others share 1 − c' in proportion; rows with a tied top or no mass outside it are kept.
        string TopLabel(string p, TopLabelScaling map)
        {
            var zero = Constant("zero", [0f], 1);
            var top = Node("ReduceMax", [p], Ints("axes", 1), Int("keepdims", 1));                    // c [batch, 1]
            var isTop = Node("Equal", [p, top]);
            var others = Node("Where", [isTop, zero, p]);
            var rest = Node("ReduceSum", [others, Int64s("axis", 1)], Int("keepdims", 1));              // 1 − c
            var second = Node("ReduceMax", [others], Ints("axes", 1), Int("keepdims", 1));              // p₂
            var limit = Constant("max_logit", [30f], 1);
            var logit = Node("Clip", [Node("Sub", [Node("Log", [top]), Node("Log", [rest])]), Node("Neg", [limit]), limit]);
            var z = Node("Add", [Node("Mul", [logit, Constant("slope", [(float)map.Slope], 1)]), Constant("intercept", [(float)map.Intercept], 1)]);
            var tie = Node("Div", [second, Node("Add", [rest, second])]);
            var floor = Node("Add", [tie, Node("Mul", [Node("Sub", [top, tie]), Constant("tie_margin", [(float)TopLabelScaling.TieMargin], 1)])]);
            var newTop = Node("Max", [Node("Sigmoid", [z]), floor]);
            var scaled = Node("Mul", [p, Node("Div", [Node("Sub", [Constant("one", [1f], 1), newTop]), rest])]);
            var mapped = Node("Where", [isTop, newTop, scaled]);
            var ties = Node("ReduceSum", [Node("Cast", [isTop], Int("to", (int)TensorProto.Types.DataType.Float)), Int64s("axis", 1)],
                Int("keepdims", 1));
            var keep = Node("Or", [Node("Greater", [ties, Constant("one_tie", [1f], 1)]), Node("Not", [Node("Greater", [rest, zero])])]);
            return Node("Where", [keep, p, mapped]);
        }

        // −Σ p ln max(p, 1e-30) over classes: [batch, C] → [batch, 1]
        string Entropy(string p)
        {
            var logP = Node("Log", [Node("Max", [p, Constant("tiny", [1e-30f], 1)])]);
            return Node("Neg", [Node("ReduceSum", [Node("Mul", [p, logP]), Int64s("axis", 1)], Int("keepdims", 1))]);
        }

        void Output(string value, string name, long width)
        {
            _graph.Node.Add(new NodeProto { OpType = "Identity", Name = name, Input = { value }, Output = { name } });
            _graph.Output.Add(Info(name, "batch", width));
        }
    }
}
