namespace HyperGan.ML.Engine.Training;

/// <summary>Phase of <see cref="HyperGanTrainer.Fit"/>.</summary>
public enum TrainingPhase
{
    /// <summary>Fitting the mixer's code distribution to the prior.</summary>
    PretrainMixer,
    /// <summary>Main training.</summary>
    Train,
}

/// <summary>A progress report, sent after every step.</summary>
/// <param name="Phase">Pretraining or training.</param>
/// <param name="Epoch">1-based epoch (0 during pretraining).</param>
/// <param name="Epochs">Total epochs.</param>
/// <param name="Step">1-based step within the epoch (or pretraining step).</param>
/// <param name="Steps">Steps per epoch (or the pretraining step limit).</param>
/// <param name="TaskLoss">Mean task loss over the step's sampled networks (pretraining: the mean+covariance loss).</param>
/// <param name="AdversarialLoss">Q's loss against D (how well codes pass as prior samples); 0 when β = 0.</param>
/// <param name="DiscriminatorLoss">D's BCE loss; 0 when β = 0.</param>
/// <param name="Elapsed">Time since Fit started.</param>
public sealed record TrainingProgress(TrainingPhase Phase, int Epoch, int Epochs, int Step, int Steps,
    double TaskLoss, double AdversarialLoss, double DiscriminatorLoss, TimeSpan Elapsed);
