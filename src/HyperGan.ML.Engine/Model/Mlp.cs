using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace HyperGan.ML.Engine.Model;

/// <summary>The paper's building block for Q, G_k and D: input → hidden → ELU → hidden → ELU → output.</summary>
public sealed class Mlp : Module<Tensor, Tensor>
{
    readonly Linear fc1, fc2, fc3;

    /// <summary>Creates the MLP.</summary>
    public Mlp(string name, int inputs, int hidden, int outputs) : base(name)
    {
        fc1 = Linear(inputs, hidden);
        fc2 = Linear(hidden, hidden);
        fc3 = Linear(hidden, outputs);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x) => fc3.forward(functional.elu(fc2.forward(functional.elu(fc1.forward(x), 1.0)), 1.0));
}
