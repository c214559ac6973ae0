namespace HyperGan.ML.Engine.Training;

/// <summary>How the learning rates of the mixer, the generators and the discriminator change over training.</summary>
public enum LearningRateSchedule
{
    /// <summary>Every step uses the configured learning rates (the paper).</summary>
    Constant,
    /// <summary>
    /// Cosine annealing from the configured rates at the first step towards 0 at the last (Loshchilov &amp; Hutter 2017,
    /// SGDR without restarts): the last steps take small moves, so what training ends on does not depend on where the
    /// noise of the final full-rate steps left it.
    /// </summary>
    Cosine,
}
