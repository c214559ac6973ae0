namespace HyperGan.ML.Engine.Targets;

/// <summary>The target networks of the HyperGAN paper.</summary>
public static class TargetNetworks
{
    /// <summary>
    /// Paper Table 1 (MNIST): conv 5×5 1→32, leaky-ReLU, max-pool 2 → conv 5×5 32→32, leaky-ReLU, max-pool 2 →
    /// linear 512→10; no padding (28→24→12→8→4). 31,594 parameters with biases.
    /// </summary>
    public static TargetNetwork MnistCnn(int classes = 10) => new("mnist-cnn", [1, 28, 28],
    [
        new Conv2dLayer(1, 32, 5) { MaxPool = 2 },
        new Conv2dLayer(32, 32, 5) { MaxPool = 2 },
        new LinearLayer(512, classes) { Activation = Activation.None },
    ]);

    /// <summary>
    /// Paper Table 2 (CIFAR-10): conv 3×3 3→16, 16→32, 32→64 (each leaky-ReLU + max-pool 2, no padding:
    /// 32→30→15→13→6→4→2) → linear 256→128 (leaky-ReLU) → linear 128→classes.
    /// </summary>
    public static TargetNetwork CifarCnn(int classes = 10) => new("cifar-cnn", [3, 32, 32],
    [
        new Conv2dLayer(3, 16, 3) { MaxPool = 2 },
        new Conv2dLayer(16, 32, 3) { MaxPool = 2 },
        new Conv2dLayer(32, 64, 3) { MaxPool = 2 },
        new LinearLayer(256, 128),
        new LinearLayer(128, classes) { Activation = Activation.None },
    ]);

    /// <summary>Paper Fig. 2 (1-D regression): 1 → <paramref name="hidden"/> ReLU → 1.</summary>
    public static TargetNetwork Regression1D(int hidden = 100) => Mlp(1, 1, hidden, "regression-1d");

    /// <summary>
    /// One hidden layer: <paramref name="inputs"/> → <paramref name="hidden"/> ReLU → <paramref name="outputs"/>
    /// (logits for classification, one value for regression). The default target for flat feature vectors.
    /// </summary>
    public static TargetNetwork Mlp(int inputs, int outputs, int hidden = 100, string name = "mlp") => new(name, [inputs],
    [
        new LinearLayer(inputs, hidden) { Activation = Activation.Relu },
        new LinearLayer(hidden, outputs) { Activation = Activation.None },
    ]);
}
