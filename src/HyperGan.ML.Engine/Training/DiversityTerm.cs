namespace HyperGan.ML.Engine.Training;

/// <summary>
/// What, besides the discriminator, makes the sampled networks differ as functions. The paper's objective (mean task
/// loss over the sampled networks) rewards every network for being the same best network; these terms pay for
/// disagreement on inputs away from the training data. See docs/diversity.md.
/// </summary>
public enum DiversityTerm
{
    /// <summary>
    /// The term chosen for the task by the recipe study (docs/diversity.md): <see cref="MutualInformation"/> for
    /// classification, <see cref="Svgd"/> for regression. <see cref="HyperGanTrainer.Fit"/> stores the resolved term
    /// in the trained model's options.
    /// </summary>
    Auto,
    /// <summary>The paper's objective: task loss + β × adversarial term only.</summary>
    None,
    /// <summary>
    /// Task loss − γ × the disagreement of the step's networks on extra inputs made from the batch
    /// (<see cref="HyperGanTrainingOptions.DiversityWeight"/> = γ): for classification their mutual information
    /// H(mean p) − mean H(p) on mixed pairs of training inputs; for regression ½·log of the variance of their
    /// predictions on inputs extrapolated from pairs of training inputs.
    /// </summary>
    MutualInformation,
    /// <summary>
    /// Amortised Stein variational gradient descent on the networks' outputs (function space), as in the authors' later
    /// SVGD code and alf's hypernetwork algorithm: each network's outputs on the batch and the extra inputs move along
    /// the kernel-weighted likelihood gradients of all networks plus α × a kernel repulsion from the others
    /// (<see cref="HyperGanTrainingOptions.DiversityWeight"/> = α). Replaces the mean task loss.
    /// </summary>
    Svgd,
}
