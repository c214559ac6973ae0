using System.Text.Json.Serialization;

namespace HyperGan.ML.Engine.Targets;

/// <summary>
/// A target architecture as data: the input shape and the list of layers whose weights a HyperGAN generates.
/// Build your own with the constructor, or use the paper's networks in <see cref="TargetNetworks"/>.
/// </summary>
public sealed record TargetNetwork
{
    /// <summary>Short name, stored with saved models.</summary>
    public string Name { get; }
    /// <summary>Shape of one input example: [channels, height, width] for images, [features] for vectors.</summary>
    public int[] InputShape { get; }
    /// <summary>Layers in order; the last layer's outputs are the logits (or the regression output).</summary>
    public IReadOnlyList<LayerSpec> Layers { get; }

    /// <summary>Creates and validates a target network.</summary>
    /// <exception cref="ArgumentException">No layers, or a layer does not fit the shape the previous one produces.</exception>
    [JsonConstructor]
    public TargetNetwork(string name, int[] inputShape, IReadOnlyList<LayerSpec> layers)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("A target network needs a name.", nameof(name));
        if (inputShape is null || inputShape.Length == 0 || inputShape.Any(d => d <= 0))
            throw new ArgumentException("InputShape must list positive sizes, e.g. [1, 28, 28] or [1].", nameof(inputShape));
        if (layers is null || layers.Count == 0) throw new ArgumentException("A target network needs at least one layer.", nameof(layers));
        Name = name;
        InputShape = inputShape;
        Layers = layers.ToArray();
        var shape = inputShape;
        for (int i = 0; i < Layers.Count; i++)
        {
            try { shape = Layers[i].OutputShape(shape); }
            catch (ArgumentException e) { throw new ArgumentException($"Target '{name}', layer {i}: {e.Message}", nameof(layers), e); }
        }
        if (shape.Length != 1) throw new ArgumentException(
            $"Target '{name}' must end in a linear layer (it ends with shape [{string.Join(", ", shape)}]).", nameof(layers));
        OutputSize = shape[0];
    }

    /// <summary>
    /// Throws unless the last layer is linear in its output (<see cref="Activation.None"/>): its outputs are the logits
    /// or the regression value, and an activation there (LinearLayer's default is LeakyRelu) silently distorts them.
    /// </summary>
    /// <exception cref="ArgumentException">The last layer has an activation.</exception>
    public void CheckOutputLayer()
    {
        var last = Layers[^1];
        if (last.Activation != Activation.None)
            throw new ArgumentException($"Target '{Name}': the last layer has activation {last.Activation}, but its outputs are the logits " +
                $"(classification) or the predicted value (regression) and must not pass through an activation. " +
                $"Set Activation = Activation.None on the last layer, e.g. new " +
                    $"LinearLayer({last switch { LinearLayer l => $"{l.InFeatures}, {l.OutFeatures}", _ => "in, out" }}) {{ Activation = " +
                    $"Activation.None }} (LinearLayer's default is LeakyRelu).");
    }

    /// <summary>Outputs of the last layer: classes for classification, 1 for scalar regression.</summary>
    [JsonIgnore] public int OutputSize { get; }

    /// <summary>Number of input values of one example.</summary>
    [JsonIgnore] public int InputSize => InputShape.Aggregate(1, (a, b) => a * b);

    /// <summary>Generated parameters of one whole network.</summary>
    [JsonIgnore] public long ParameterCount => Layers.Sum(l => l.ParameterCount);

    /// <summary>Multiply-adds of one forward pass of one network on one example.</summary>
    [JsonIgnore]
    public long MultiplyAdds
    {
        get
        {
            long total = 0;
            var shape = InputShape;
            foreach (var layer in Layers) { total += layer.MultiplyAdds(shape); shape = layer.OutputShape(shape); }
            return total;
        }
    }

    /// <summary>Structural equality (records compare lists by reference, which is not what a saved model needs).</summary>
    public bool SameArchitectureAs(TargetNetwork other) =>
        InputShape.SequenceEqual(other.InputShape) && Layers.SequenceEqual(other.Layers, LayerComparer.Instance);

    sealed class LayerComparer : IEqualityComparer<LayerSpec>
    {
        public static readonly LayerComparer Instance = new();
        public bool Equals(LayerSpec? a, LayerSpec? b) => a == b; // LayerSpec records hold only scalars
        public int GetHashCode(LayerSpec l) => l.GetHashCode();
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Name}: [{string.Join("×", InputShape)}] → " + string.Join(" → ", Layers.Select(l => l switch
        {
            Conv2dLayer c => $"conv{c.Kernel}×{c.Kernel}({c.InChannels}→{c.OutChannels}){(c.MaxPool > 1 ? $"+pool{c.MaxPool}" : "")}",
            LinearLayer f => $"linear({f.InFeatures}→{f.OutFeatures})",
            _ => l.GetType().Name,
        })) + $" ({ParameterCount:N0} parameters)";
}
