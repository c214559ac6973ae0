using System.Text.Json.Serialization;
using HyperGan.ML.Engine.Ensembles;
using HyperGan.ML.Engine.Model;

namespace HyperGan.ML.Engine.Training;

/// <summary>What the target networks are trained to do.</summary>
public enum TaskKind
{
    /// <summary>Cross-entropy on the logits; labels are class indices 0..C-1.</summary>
    Classification,
    /// <summary>Mean squared error on a single output.</summary>
    Regression,
}

/// <summary>
/// Every knob of HyperGAN training. Defaults follow the paper and the authors' 2018 MNIST script
/// (see docs/hypergan-method.md): m = 256, d = 128, 512 hidden units, 32 networks × 32 examples per step,
/// mixer lr 5e-4, generator and discriminator lr 1e-4, mixer pretraining on — except the training recipe
/// (<see cref="Diversity"/>, <see cref="DiversityWeight"/>, <see cref="DiversityAccuracyPower"/>,
/// <see cref="GeneratedWeightDecay"/>, <see cref="Beta"/>, <see cref="AdamBeta1"/>, <see cref="AdamBeta2"/>), which
/// defaults per task to the recipe chosen on validation data (docs/diversity.md), and the generators' form (see
/// <see cref="HyperGanArchitecture"/>); <see cref="Paper"/> gives the paper's objective, β 1, Adam betas (0.5, 0.9) and
/// generators.
/// </summary>
public sealed record HyperGanTrainingOptions
{
    /// <summary>Sizes of the mixer, generators and discriminator.</summary>
    public HyperGanArchitecture Architecture { get; init; } = new();
    /// <summary>Classification (cross-entropy) or regression (MSE).</summary>
    public TaskKind Task { get; init; } = TaskKind.Classification;
    /// <summary>Passes over the training data.</summary>
    public int Epochs { get; init; } = 10;
    /// <summary>Examples per step; every sampled network sees the same examples.</summary>
    public int BatchSize { get; init; } = 32;
    /// <summary>Networks sampled per step; the task loss is their mean.</summary>
    public int NetworksPerStep { get; init; } = 32;
    /// <summary>β: weight of the adversarial term that keeps the codes close to the prior; 0 disables D. Null (default) =
    /// the task's: 0 for classification (with the mutual-information term and Adam's usual betas D added nothing on MNIST
    /// validation digits and cost accuracy on CIFAR-5 validation images; docs/diversity.md), the paper's 1 for regression.
    /// </summary>
    public double? Beta { get; init; }
    /// <summary>
    /// The function-space term that pays for disagreement between the sampled networks: by default the one the recipe
    /// study chose for the task (<see cref="DiversityTerm.Auto"/>); <see cref="DiversityTerm.None"/> with
    /// <see cref="GeneratedWeightDecay"/> 0 is the paper's objective. See docs/diversity.md for the measured effect of each.
    /// </summary>
    public DiversityTerm Diversity { get; init; } = DiversityTerm.Auto;
    /// <summary>Weight of <see cref="Diversity"/>: γ for <see cref="DiversityTerm.MutualInformation"/>, the repulsion α
    /// for <see cref="DiversityTerm.Svgd"/>. Null (default) = the recipe study's choice for the task: 1 for classification,
    /// 3 for regression (with <see cref="GeneratedWeightDecay"/> 2e-2 it keeps the band bounded in long trainings;
    /// docs/diversity.md).</summary>
    public double? DiversityWeight { get; init; }
    /// <summary>
    /// k ≥ 0: the mutual-information weight γ is multiplied by the step's training accuracy raised to k (the mean over the
    /// sampled networks of the share of the batch they label right), so disagreement is bought only as the networks fit
    /// the labels: on digits (accuracy ≈ 0.99) γ stays ≈ 1, on natural images (≈ 0.7) it falls to ≈ 0.06. Default 8,
    /// chosen on validation data (docs/diversity.md); 0 = a constant γ. Classification only (regression ignores it).
    /// </summary>
    public double DiversityAccuracyPower { get; init; } = 8;
    /// <summary>
    /// How many extra mixed inputs the function-space term (<see cref="Diversity"/>) measures disagreement on in each step,
    /// as a share of the step's labelled rows, in (0, 1]: each extra input costs every sampled network one more forward and
    /// backward pass, so at 1 (default) a step does twice the target work of the task loss alone. The extra rows are
    /// the first ⌈share × rows⌉ of the (shuffled) batch, each mixed with a partner from the whole batch. 0.25 trained in
    /// 0.72-0.79× the time and lost 0.3-0.7 pt of accuracy on validation images, so it is not the default (docs/diversity.md).
    /// </summary>
    public double DiversityInputFraction { get; init; } = 1;
    /// <summary>
    /// λ of a Gaussian prior on the generated parameters: adds λ/2 × the mean over sampled networks of Σ θ², the L2
    /// weight decay of a normally trained network applied to every generated weight and bias. 0 = off (the paper).
    /// Null (default) = the recipe study's choice for the task: 0 for classification (with the default base networks the
    /// prior cost CIFAR-5 accuracy at the paper's scale, docs/diversity.md), 2e-2 for regression (trained on
    /// standardised labels, see <see cref="Model.LabelScaling"/>; without a prior SVGD's repulsion spreads the networks
    /// off the data for as long as training runs). Unlike <see cref="WeightDecay"/>, which acts on the generators' own
    /// parameters.
    /// </summary>
    public double? GeneratedWeightDecay { get; init; }
    /// <summary>
    /// ρ in [0, 1] of a Bayesian bootstrap tied to each network's noise (<see cref="CodeTiedBootstrap"/>): every sampled network
    /// weighs every training example by its own weight of mean 1, (1 − ρ) + ρ·Exp(1), a fixed function of the example and
    /// the network's noise. 0 (default) = off. Internal, for the experiments: the generator does not learn the tie (its
    /// networks fit the rows they weigh more no better than the others), so it is not offered to users (docs/diversity.md).
    /// Stored with the model like the public options.
    /// </summary>
    [JsonInclude] internal double BootstrapStrength { get; init; }
    /// <summary>
    /// Scale of a fixed random prior function added to every sampled network's outputs (<see cref="Model.RandomPriorFunction"/>,
    /// after Osband et al. 2018): the network drawn from noise s outputs f(x; G(Q(s))) + scale · f(x; P(s)) with P a frozen
    /// random generator. 0 (default) = off. Classification only. Internal, for the experiments: a model trained with it
    /// cannot be saved or exported (docs/diversity.md).
    /// </summary>
    [JsonInclude] internal double PriorFunctionScale { get; init; }
    /// <summary>Adam learning rate of the generators G_k.</summary>
    public double LearningRate { get; init; } = 1e-4;
    /// <summary>Adam learning rate of the base networks (<see cref="HyperGanArchitecture.BaseNetworks"/>): 1e-3 (default), Adam's
    /// usual rate for training a network, as each base is one held in the target's weight units. Before this option the bases
    /// trained at <see cref="LearningRate"/>, which at the paper's 3e-4 left them under-fitted (docs/diversity.md).</summary>
    public double BaseLearningRate { get; init; } = 1e-3;
    /// <summary>Adam learning rate of the mixer Q.</summary>
    public double MixerLearningRate { get; init; } = 5e-4;
    /// <summary>How the learning rates change over the training steps: <see cref="Training.LearningRateSchedule.Constant"/>
    /// (default, the paper) or <see cref="Training.LearningRateSchedule.Cosine"/>, which raised accuracy at the quick budget
    /// (CIFAR-10 48.9 vs 46.9 %) but starves short fits of small data (docs/diversity.md).</summary>
    public LearningRateSchedule LearningRateSchedule { get; init; } = Training.LearningRateSchedule.Constant;
    /// <summary>Adam learning rate of the discriminator D.</summary>
    public double DiscriminatorLearningRate { get; init; } = 1e-4;
    /// <summary>Adam β1 of every optimiser. Null (default) = the task's: Adam's usual 0.9 for classification (the paper's
    /// GAN betas underfit natural images; docs/diversity.md), the paper's 0.5 for regression.</summary>
    public double? AdamBeta1 { get; init; }
    /// <summary>Adam β2 of every optimiser. Null (default) = the task's: 0.999 for classification, the paper's 0.9 for
    /// regression (see <see cref="AdamBeta1"/>).</summary>
    public double? AdamBeta2 { get; init; }
    /// <summary>L2 weight decay on Q and G (the 2019 code used 5e-4).</summary>
    public double WeightDecay { get; init; }
    /// <summary>Standard deviation σ of the isotropic Gaussian prior on codes.</summary>
    public double PriorStd { get; init; } = 1.0;
    /// <summary>Pretrain Q so its codes' mean and covariance match the prior before training.</summary>
    public bool PretrainMixer { get; init; } = true;
    /// <summary>Noise samples per pretraining step (covariance estimates need several times the code size).</summary>
    public int PretrainSamples { get; init; } = 1000;
    /// <summary>Upper bound on pretraining steps.</summary>
    public int PretrainMaxSteps { get; init; } = 1000;
    /// <summary>Pretraining stops once the moment loss (<see cref="CodeMoments.Loss"/>, summed over layers) falls
    /// below this. The authors stop at 0.1 on a differently scaled loss; see <see cref="CodeMoments"/>.</summary>
    public double PretrainTargetLoss { get; init; } = 0.05;
    /// <summary>Seed of all randomness (initialisation, shuffling, noise).</summary>
    public int Seed { get; init; }
    /// <summary>How networks are executed during training; null = <see cref="EnsembleExecutors.Default"/>.</summary>
    [JsonIgnore] public IEnsembleExecutor? Executor { get; init; }

    /// <summary>The paper's objective (no function-space term, no prior on generated weights), β = 1, Adam betas
    /// (0.5, 0.9) and generators (<see cref="HyperGanArchitecture.Paper"/>), every other knob default: the behaviour before
    /// the recipe study, kept for comparison and faithfulness.</summary>
    public static HyperGanTrainingOptions Paper => new()
    {
        Architecture = HyperGanArchitecture.Paper,
        Diversity = DiversityTerm.None, GeneratedWeightDecay = 0, Beta = 1, AdamBeta1 = 0.5, AdamBeta2 = 0.9, DiversityAccuracyPower = 0,
    };

    /// <summary>These options with the task-dependent defaults resolved for <see cref="Task"/>: <see cref="DiversityTerm.Auto"/>,
    /// a null <see cref="DiversityWeight"/>, <see cref="GeneratedWeightDecay"/>, <see cref="Beta"/>, <see cref="AdamBeta1"/>
    /// or <see cref="AdamBeta2"/> become the study's choice for the task; explicit values stay, except
    /// <see cref="DiversityAccuracyPower"/>, which regression sets to 0.</summary>
    public HyperGanTrainingOptions WithResolvedDiversity() => Task == TaskKind.Classification
        ? this with
        {
            Diversity = Diversity == DiversityTerm.Auto ? DiversityTerm.MutualInformation : Diversity,
            DiversityWeight = DiversityWeight ?? 1,
            GeneratedWeightDecay = GeneratedWeightDecay ?? 0,
            Beta = Beta ?? 0,
            AdamBeta1 = AdamBeta1 ?? 0.9,
            AdamBeta2 = AdamBeta2 ?? 0.999,
        }
        : this with
        {
            Diversity = Diversity == DiversityTerm.Auto ? DiversityTerm.Svgd : Diversity,
            DiversityWeight = DiversityWeight ?? 3,
            GeneratedWeightDecay = GeneratedWeightDecay ?? 2e-2,
            // The optimiser and β the regression recipe was chosen with: the natural-image change was measured on classes.
            Beta = Beta ?? 1,
            AdamBeta1 = AdamBeta1 ?? 0.5,
            AdamBeta2 = AdamBeta2 ?? 0.9,
            DiversityAccuracyPower = 0, // a regression batch has no accuracy to gate by
        };

    /// <summary>
    /// The extra mixed inputs a training step adds to <paramref name="labelledRows"/> labelled rows for the function-space term:
    /// 0 when <see cref="Diversity"/> is <see cref="DiversityTerm.None"/> (<see cref="DiversityTerm.Auto"/> resolves to a term for
    /// every task), else ⌈<see cref="DiversityInputFraction"/> × rows⌉, at least one. Every sampled network of the step runs
    /// forward and backward on them as on the labelled rows.
    /// </summary>
    /// <param name="labelledRows">Labelled rows of the step's batch.</param>
    public long ExtraInputRows(long labelledRows) => Diversity == DiversityTerm.None ? 0
        // the 1e-9 keeps a product such as 0.07 × 100 = 7.000000000000001 at 7 rows
        : Math.Max(1, (long)Math.Ceiling(DiversityInputFraction * labelledRows - 1e-9));

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option and its valid range.</summary>
    public void Validate()
    {
        Architecture.Validate();
        Positive(Epochs, nameof(Epochs));
        Positive(BatchSize, nameof(BatchSize));
        Positive(NetworksPerStep, nameof(NetworksPerStep));
        if (Beta is { } beta && (!(beta >= 0) || double.IsInfinity(beta)))
            throw new ArgumentOutOfRangeException(nameof(Beta), Beta, "Beta must be a finite number ≥ " +
            "0 (0 disables the discriminator).");
        PositiveFinite(LearningRate, nameof(LearningRate));
        PositiveFinite(BaseLearningRate, nameof(BaseLearningRate));
        PositiveFinite(MixerLearningRate, nameof(MixerLearningRate));
        PositiveFinite(DiscriminatorLearningRate, nameof(DiscriminatorLearningRate));
        PositiveFinite(PriorStd, nameof(PriorStd));
        if (AdamBeta1 is { } b1 && !(b1 >= 0 && b1 < 1))
            throw new ArgumentOutOfRangeException(nameof(AdamBeta1), AdamBeta1, "AdamBeta1 must be in [0, 1).");
        if (AdamBeta2 is { } b2 && !(b2 >= 0 && b2 < 1))
            throw new ArgumentOutOfRangeException(nameof(AdamBeta2), AdamBeta2, "AdamBeta2 must be in [0, 1).");
        if (!(DiversityAccuracyPower >= 0) || double.IsInfinity(DiversityAccuracyPower))
            throw new ArgumentOutOfRangeException(nameof(DiversityAccuracyPower), DiversityAccuracyPower,
                "DiversityAccuracyPower must be a finite number ≥ 0 (0 keeps γ constant).");
        if (!(DiversityInputFraction > 0 && DiversityInputFraction <= 1)) throw new ArgumentOutOfRangeException(nameof(DiversityInputFraction),
            DiversityInputFraction, "DiversityInputFraction must be in (0, 1]: the share of each batch's rows mixed into extra inputs.");
        if (!Enum.IsDefined(Diversity)) throw new ArgumentOutOfRangeException(nameof(Diversity), Diversity,
            "Diversity must be Auto, None, MutualInformation or Svgd.");
        if (DiversityWeight is { } weight && (!(weight >= 0) || double.IsInfinity(weight)))
            throw new ArgumentOutOfRangeException(nameof(DiversityWeight), weight,
                "DiversityWeight must be a finite number ≥ 0, or null (the task's default).");
        if (GeneratedWeightDecay is { } lambda
            && (!(lambda >= 0) || double.IsInfinity(lambda))) throw new ArgumentOutOfRangeException(nameof(GeneratedWeightDecay), lambda,
            "GeneratedWeightDecay must be a finite number ≥ 0 (0 = off) or null (the task's default).");
        if (!(BootstrapStrength >= 0 && BootstrapStrength <= 1)) throw new ArgumentOutOfRangeException(nameof(BootstrapStrength),
            BootstrapStrength, "BootstrapStrength must be in [0, 1] (0 = off, 1 = the Bayesian bootstrap's weights).");
        if (!(PriorFunctionScale >= 0) || double.IsInfinity(PriorFunctionScale)) throw new ArgumentOutOfRangeException(nameof(PriorFunctionScale),
            PriorFunctionScale, "PriorFunctionScale must be a finite number ≥ 0 (0 = off).");
        if (PriorFunctionScale > 0 && Task != TaskKind.Classification) throw new ArgumentOutOfRangeException(nameof(PriorFunctionScale),
            PriorFunctionScale, "PriorFunctionScale is for classification only (0 for regression).");
        if (!(WeightDecay >= 0)) throw new ArgumentOutOfRangeException(nameof(WeightDecay), WeightDecay, "WeightDecay must be ≥ 0.");
        if (PretrainMixer)
        {
            if (PretrainSamples < 2) throw new ArgumentOutOfRangeException(nameof(PretrainSamples), PretrainSamples,
                "PretrainSamples must be ≥ 2 to estimate a covariance.");
            Positive(PretrainMaxSteps, nameof(PretrainMaxSteps));
        }
    }

    static void Positive(int value, string name)
    {
        if (value <= 0) throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive.");
    }

    static void PositiveFinite(double value, string name)
    {
        if (!(value > 0) || double.IsInfinity(value)) throw new ArgumentOutOfRangeException(name, value, $"{name} must be a positive finite number.");
    }
}
