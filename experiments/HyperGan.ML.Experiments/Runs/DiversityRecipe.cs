using HyperGan.ML.Engine.Model;
using HyperGan.ML.Engine.Training;

namespace HyperGan.ML.Experiments.Runs;

/// <summary>
/// One setting of the knobs that make sampled networks differ (issue 14): the function-space term and its weight, β,
/// a prior on the generated weights, the generators' initial shared / per-network spread and the optimiser. A recipe
/// names every knob it sets; the optimiser and β default to the paper's values (the study's baseline), not the engine's,
/// so a recipe means the same thing whatever the engine's defaults are. Null spreads are the paper's generators' (shared 1,
/// per network 0.25 × He: <see cref="HyperGan.ML.Engine.Model.HyperGanArchitecture.Paper"/>), as are no base networks; the
/// experiments' head with a recipe is the paper's too, unless --head says otherwise.
/// </summary>
/// <param name="Name">Short name in tables and on the command line.</param>
/// <param name="Term">Function-space term.</param>
/// <param name="Weight">γ (mutual information) or α (SVGD).</param>
/// <param name="Beta">Weight of the discriminator's term (the paper's 1 unless set).</param>
/// <param name="GeneratedWeightDecay">λ of the prior on generated weights.</param>
/// <param name="SharedStd">Initial shared spread (He units); null = the paper's generators' 1.</param>
/// <param name="CodeStd">Initial per-network spread (He units); null = the paper's generators' 0.25.</param>
/// <param name="BatchNorm">Batch normalisation inside the generators (issue 14 item 4).</param>
/// <param name="AdamBeta1">Adam β1 of every optimiser (the paper's 0.5 unless set).</param>
/// <param name="AdamBeta2">Adam β2 of every optimiser (the paper's 0.9 unless set).</param>
/// <param name="AccuracyPower">k of the accuracy-gated γ (HyperGanTrainingOptions.DiversityAccuracyPower); 0 = constant γ.</param>
/// <param name="Schedule">How the learning rates change over training (the paper's constant rates unless set).</param>
/// <param name="Bootstrap">ρ of the code-tied Bayesian bootstrap (HyperGanTrainingOptions.BootstrapStrength); 0 = off.</param>
/// <param name="PriorFunction">Scale of a fixed random prior function per network (HyperGanTrainingOptions.PriorFunctionScale); 0 = off.</param>
/// <param name="NoiseModes">K modes of a mixture noise (HyperGanArchitecture.NoiseModes, spread 0.25); 0 = N(0, I).</param>
/// <param name="BaseNetworks">K learned base networks, each its own He-initialised start (HyperGanArchitecture.BaseNetworks); 0 = none.</param>
/// <param name="BaseLearningRate">The base networks' Adam learning rate; null = the generators' (how every recipe with bases
/// trained before the engine gave them their own rate, 2026-12-03).</param>
/// <param name="DiversityInputs">Extra mixed inputs per labelled row of a step (HyperGanTrainingOptions.DiversityInputFraction);
/// 1 = one each.</param>
/// <param name="PretrainMixer">Pretrain the mixer to the prior's code moments (HyperGanTrainingOptions.PretrainMixer; on unless set).</param>
public sealed record DiversityRecipe(string Name, DiversityTerm Term = DiversityTerm.None, double Weight = 0, double Beta = 1,
    double GeneratedWeightDecay = 0, double? SharedStd = null, double? CodeStd = null, bool BatchNorm = false, double AdamBeta1 = 0.5,
    double AdamBeta2 = 0.9, double AccuracyPower = 0, LearningRateSchedule Schedule = LearningRateSchedule.Constant,
    double Bootstrap = 0, double PriorFunction = 0, int NoiseModes = 0, bool PretrainMixer = true,
    int BaseNetworks = 0, double? BaseLearningRate = null, double DiversityInputs = 1)
{
    /// <summary>The paper's objective with this project's initialisation: the behaviour before the study.</summary>
    public static DiversityRecipe Paper { get; } = new("paper");

    /// <summary>The generator head a run uses: the one asked for, else the paper's Full head for a run of recipes (what they
    /// were measured with, so a recipe's command keeps its meaning) and the engine's default head for a run of its defaults.</summary>
    /// <param name="asked">The head given on the command line, if any.</param>
    /// <param name="runsRecipes">Whether the run trains recipes rather than the engine's defaults.</param>
    public static GeneratorHead Head(GeneratorHead? asked, bool runsRecipes) =>
        asked ?? (runsRecipes ? GeneratorHead.Full : new HyperGanArchitecture().Head);

    /// <summary>What the study sweeps (selected on validation data; see DiversityStudy).</summary>
    public static IReadOnlyList<DiversityRecipe> Sweep { get; } =
    [
        Paper,
        new("beta0", Beta: 0),
        new("perNetInit", SharedStd: 0, CodeStd: 1),
        new("mi0.3", DiversityTerm.MutualInformation, 0.3),
        new("mi0.5", DiversityTerm.MutualInformation, 0.5),
        new("mi1", DiversityTerm.MutualInformation, 1),
        new("mi1-beta0", DiversityTerm.MutualInformation, 1, Beta: 0),
        new("mi0.5-prior", DiversityTerm.MutualInformation, 0.5, GeneratedWeightDecay: 1e-3),
        new("mi1-prior", DiversityTerm.MutualInformation, 1, GeneratedWeightDecay: 1e-3),
        new("svgd10", DiversityTerm.Svgd, 10),
    ];

    /// <summary>Recipes that are not swept but can be named with --recipe (probes for other tasks).</summary>
    static IReadOnlyList<DiversityRecipe> Extra { get; } =
    [
        new("prior", GeneratedWeightDecay: 1e-3),
        new("svgd1", DiversityTerm.Svgd, 1),
        new("svgd1-prior1e-4", DiversityTerm.Svgd, 1, GeneratedWeightDecay: 1e-4),
        new("svgd1-prior", DiversityTerm.Svgd, 1, GeneratedWeightDecay: 1e-3),
        new("svgd1-prior1e-2", DiversityTerm.Svgd, 1, GeneratedWeightDecay: 1e-2),
        new("svgd0.3", DiversityTerm.Svgd, 0.3),
        new("svgd3", DiversityTerm.Svgd, 3),
        // Regression's long-training bound (issue 14): without a prior the repulsion spreads networks without limit.
        new("svgd1-prior3e-3", DiversityTerm.Svgd, 1, GeneratedWeightDecay: 3e-3),
        new("svgd1-prior3e-2", DiversityTerm.Svgd, 1, GeneratedWeightDecay: 3e-2),
        new("svgd3-prior1e-2", DiversityTerm.Svgd, 3, GeneratedWeightDecay: 1e-2),
        new("svgd10-prior1e-2", DiversityTerm.Svgd, 10, GeneratedWeightDecay: 1e-2),
        new("svgd3-prior3e-2", DiversityTerm.Svgd, 3, GeneratedWeightDecay: 3e-2),
        new("svgd2-prior1e-2", DiversityTerm.Svgd, 2, GeneratedWeightDecay: 1e-2),
        new("svgd2-prior2e-2", DiversityTerm.Svgd, 2, GeneratedWeightDecay: 2e-2),
        new("svgd3-prior2e-2", DiversityTerm.Svgd, 3, GeneratedWeightDecay: 2e-2),
        // The chunked head's sweep (issue 13): λ 1e-3 hurt it on validation, so smaller priors and γ.
        new("mi2", DiversityTerm.MutualInformation, 2),
        new("mi0.5-prior1e-4", DiversityTerm.MutualInformation, 0.5, GeneratedWeightDecay: 1e-4),
        new("mi1-prior1e-4", DiversityTerm.MutualInformation, 1, GeneratedWeightDecay: 1e-4),
        new("mi1-prior3e-4", DiversityTerm.MutualInformation, 1, GeneratedWeightDecay: 3e-4),
        // Batch norm across the networks inside the generators, as in the authors' code (issue 14 item 4).
        new("mi1-prior-bn", DiversityTerm.MutualInformation, 1, GeneratedWeightDecay: 1e-3, BatchNorm: true),
        new("paper-bn", BatchNorm: true),
        // Adam's usual betas instead of the paper's GAN betas: the CIFAR fitting probe (issue 14, docs/diversity.md).
        UsualAdam(new("paper-adam")),
        UsualAdam(new("mi1-prior-adam", DiversityTerm.MutualInformation, 1, GeneratedWeightDecay: 1e-3)),
        UsualAdam(new("mi0.3-prior-adam", DiversityTerm.MutualInformation, 0.3, GeneratedWeightDecay: 1e-3)),
        UsualAdam(new("mi0.1-prior-adam", DiversityTerm.MutualInformation, 0.1, GeneratedWeightDecay: 1e-3)),
        UsualAdam(new("mi0.1-prior-adam-beta0", DiversityTerm.MutualInformation, 0.1, Beta: 0, GeneratedWeightDecay: 1e-3)),
        // Candidates for one default serving digits and natural images: the CIFAR setting with the digits' larger γ.
        UsualAdam(new("mi0.3-prior-adam-beta0", DiversityTerm.MutualInformation, 0.3, Beta: 0, GeneratedWeightDecay: 1e-3)),
        UsualAdam(new("mi1-prior-adam-beta0", DiversityTerm.MutualInformation, 1, Beta: 0, GeneratedWeightDecay: 1e-3)),
        UsualAdam(new("svgd3-prior2e-2-adam", DiversityTerm.Svgd, 3, GeneratedWeightDecay: 2e-2)),
        UsualAdam(new("svgd3-prior2e-2-adam-beta0", DiversityTerm.Svgd, 3, Beta: 0, GeneratedWeightDecay: 2e-2)),
        UsualAdam(new("mi1-prior-adam-beta0-acc4", DiversityTerm.MutualInformation, 1, Beta: 0, GeneratedWeightDecay: 1e-3, AccuracyPower: 4)),
        UsualAdam(new("mi1-prior-adam-beta0-acc8", DiversityTerm.MutualInformation, 1, Beta: 0, GeneratedWeightDecay: 1e-3, AccuracyPower: 8)),
        // Annealed learning rates: the default's OOD scores swing from epoch to epoch at constant rates (docs/diversity.md).
        UsualAdam(new("mi1-prior-adam-beta0-acc8-cosine", DiversityTerm.MutualInformation, 1, Beta: 0, GeneratedWeightDecay: 1e-3,
            AccuracyPower: 8, Schedule: LearningRateSchedule.Cosine)),
        UsualAdam(new("mi1-prior-adam-beta0-cosine", DiversityTerm.MutualInformation, 1, Beta: 0, GeneratedWeightDecay: 1e-3,
            Schedule: LearningRateSchedule.Cosine)),
        // At the paper's CIFAR scale the default fits fewer training images than the paper's objective (80 vs 89 %): without the prior.
        UsualAdam(new("mi1-adam-beta0-acc8-cosine", DiversityTerm.MutualInformation, 1, Beta: 0, AccuracyPower: 8,
            Schedule: LearningRateSchedule.Cosine)),
        // Every code its own He-initialised network, as deep-ensemble members start (cost 5-12 pt at the quick CIFAR budget; the paper's
        // scale has 8x its steps to fit from there).
        UsualAdam(new("mi1-prior-adam-beta0-acc8-pernet", DiversityTerm.MutualInformation, 1, Beta: 0, GeneratedWeightDecay: 1e-3,
            SharedStd: 0, CodeStd: 1, AccuracyPower: 8)),
        // Every network its own weights on the examples (a Bayesian bootstrap tied to its noise): a reason to differ that independent
        // training has and the shared objective lacks (10 networks were worth one on CIFAR-5 in every setting above).
        UsualAdam(new("mi1-prior-adam-beta0-acc8-boot1", DiversityTerm.MutualInformation, 1, Beta: 0, GeneratedWeightDecay: 1e-3,
            AccuracyPower: 8, Bootstrap: 1)),
        UsualAdam(new("mi1-prior-adam-beta0-acc8-boot0.5", DiversityTerm.MutualInformation, 1, Beta: 0, GeneratedWeightDecay: 1e-3,
            AccuracyPower: 8, Bootstrap: 0.5)),
        UsualAdam(new("mi1-prior-adam-beta0-acc8-pernet-boot1", DiversityTerm.MutualInformation, 1, Beta: 0, GeneratedWeightDecay: 1e-3,
            SharedStd: 0, CodeStd: 1, AccuracyPower: 8, Bootstrap: 1)),
        // Regression: the bootstrap beside (or instead of) SVGD's repulsion, whose band is 3-4x the noise inside the data.
        new("svgd3-prior2e-2-boot1", DiversityTerm.Svgd, 3, GeneratedWeightDecay: 2e-2, Bootstrap: 1),
        new("prior2e-2-boot1", GeneratedWeightDecay: 2e-2, Bootstrap: 1),
        new("paper-boot1", Bootstrap: 1),
        // A fixed random prior function per network (Osband et al. 2018): changes what each network must fit instead of asking the
        // generator to learn a tie (the bootstrap above did not act).
        UsualAdam(new("mi1-prior-adam-beta0-acc8-rpf1", DiversityTerm.MutualInformation, 1, Beta: 0, GeneratedWeightDecay: 1e-3,
            AccuracyPower: 8, PriorFunction: 1)),
        UsualAdam(new("mi1-prior-adam-beta0-acc8-rpf0.3", DiversityTerm.MutualInformation, 1, Beta: 0, GeneratedWeightDecay: 1e-3,
            AccuracyPower: 8, PriorFunction: 0.3)),
        UsualAdam(new("mi1-prior-adam-beta0-acc8-rpf3", DiversityTerm.MutualInformation, 1, Beta: 0, GeneratedWeightDecay: 1e-3,
            AccuracyPower: 8, PriorFunction: 3)),
        UsualAdam(new("prior-adam-beta0-rpf1", Beta: 0, GeneratedWeightDecay: 1e-3, PriorFunction: 1)),
        // A mixture noise: K networks (and their neighbourhoods) to fit instead of a continuum that stays in one basin.
        UsualAdam(new("mi1-prior-adam-beta0-acc8-modes10", DiversityTerm.MutualInformation, 1, Beta: 0, GeneratedWeightDecay: 1e-3,
            AccuracyPower: 8, NoiseModes: 10)),
        UsualAdam(new("mi1-prior-adam-beta0-acc8-modes10-pernet", DiversityTerm.MutualInformation, 1, Beta: 0, GeneratedWeightDecay: 1e-3,
            SharedStd: 0, CodeStd: 1, AccuracyPower: 8, NoiseModes: 10)),
        UsualAdam(new("mi1-prior-adam-beta0-acc8-modes10-pernet-nopretrain", DiversityTerm.MutualInformation, 1, Beta: 0,
            GeneratedWeightDecay: 1e-3, SharedStd: 0, CodeStd: 1, AccuracyPower: 8, NoiseModes: 10, PretrainMixer: false)),
        // K learned base networks, each starting as its own He network, the generators' output added to them (issue 14).
        UsualAdam(new("mi1-prior-adam-beta0-acc8-bases10", DiversityTerm.MutualInformation, 1, Beta: 0, GeneratedWeightDecay: 1e-3,
            SharedStd: 0, AccuracyPower: 8, BaseNetworks: 10)),
        UsualAdam(new("mi1-adam-beta0-acc8-bases10", DiversityTerm.MutualInformation, 1, Beta: 0, SharedStd: 0, AccuracyPower: 8,
            BaseNetworks: 10)),
        UsualAdam(new("prior-adam-beta0-bases10", Beta: 0, GeneratedWeightDecay: 1e-3, SharedStd: 0, BaseNetworks: 10)),
        new("svgd3-prior2e-2-bases10", DiversityTerm.Svgd, 3, GeneratedWeightDecay: 2e-2, SharedStd: 0, BaseNetworks: 10),
        // Digits with bases were under-confident (networks disagree on digits too): a smaller γ, and none.
        UsualAdam(new("mi0.3-adam-beta0-acc8-bases10", DiversityTerm.MutualInformation, 0.3, Beta: 0, SharedStd: 0, AccuracyPower: 8,
            BaseNetworks: 10)),
        UsualAdam(new("adam-beta0-bases10", Beta: 0, SharedStd: 0, BaseNetworks: 10)),
        // The chunked head with bases fell 9 pt short of the full head on CIFAR-5: a smaller code-dependent part at the start.
        UsualAdam(new("mi1-adam-beta0-acc8-bases10-code0.05", DiversityTerm.MutualInformation, 1, Beta: 0, SharedStd: 0, CodeStd: 0.05,
            AccuracyPower: 8, BaseNetworks: 10)),
        UsualAdam(new("mi1-adam-beta0-acc8-bases10-code0.1", DiversityTerm.MutualInformation, 1, Beta: 0, SharedStd: 0, CodeStd: 0.1,
            AccuracyPower: 8, BaseNetworks: 10)),
        UsualAdam(new("mi1-adam-beta0-acc8-bases10-code0.01", DiversityTerm.MutualInformation, 1, Beta: 0, SharedStd: 0, CodeStd: 0.01,
            AccuracyPower: 8, BaseNetworks: 10)),
        // The default (2026-12-03, bases at their own rate 1e-3), then with a quarter and half of its extra mixed inputs: the mixed
        // rows double a step's target work, and the target's forward and backward dominate a CIFAR step (issue 13's training time).
        UsualAdam(new("mi1-adam-beta0-acc8-bases10-code0.01-baselr1e-3", DiversityTerm.MutualInformation, 1, Beta: 0, SharedStd: 0,
            CodeStd: 0.01, AccuracyPower: 8, BaseNetworks: 10, BaseLearningRate: 1e-3)),
        UsualAdam(new("mi1-adam-beta0-acc8-bases10-code0.01-baselr1e-3-mixed0.25", DiversityTerm.MutualInformation, 1, Beta: 0, SharedStd: 0,
            CodeStd: 0.01, AccuracyPower: 8, BaseNetworks: 10, BaseLearningRate: 1e-3, DiversityInputs: 0.25)),
        UsualAdam(new("mi1-adam-beta0-acc8-bases10-code0.01-baselr1e-3-mixed0.5", DiversityTerm.MutualInformation, 1, Beta: 0, SharedStd: 0,
            CodeStd: 0.01, AccuracyPower: 8, BaseNetworks: 10, BaseLearningRate: 1e-3, DiversityInputs: 0.5)),
        // The default without its mutual-information term, so without its mixed inputs: what the term costs in time to the deep
        // ensemble's accuracy (issue 13's time-to-accuracy).
        UsualAdam(new("adam-beta0-bases10-code0.01-baselr1e-3", Beta: 0, SharedStd: 0, CodeStd: 0.01, BaseNetworks: 10,
            BaseLearningRate: 1e-3)),
        // The default with half its γ: at the paper's sizes the default is under-confident on digits (validation ECE 0.029 vs the deep
        // ensemble's 0.012, mean entropy on digits 0.143 vs 0.066): its networks disagree on digits too.
        UsualAdam(new("mi0.5-adam-beta0-acc8-bases10-code0.01-baselr1e-3", DiversityTerm.MutualInformation, 0.5, Beta: 0, SharedStd: 0,
            CodeStd: 0.01, AccuracyPower: 8, BaseNetworks: 10, BaseLearningRate: 1e-3)),
        // Regression with the chunked head's start (the CIFAR-5 setting above).
        new("svgd3-prior2e-2-bases10-code0.01", DiversityTerm.Svgd, 3, GeneratedWeightDecay: 2e-2, SharedStd: 0, CodeStd: 0.01, BaseNetworks: 10),
    ];

    /// <summary><paramref name="recipe"/> with Adam's usual betas (0.9, 0.999) for every optimiser.</summary>
    static DiversityRecipe UsualAdam(DiversityRecipe recipe) => recipe with { AdamBeta1 = 0.9, AdamBeta2 = 0.999 };

    /// <summary>Finds a recipe of <see cref="Sweep"/> by name.</summary>
    public static DiversityRecipe Named(string name) =>
        Sweep.Concat(Extra).FirstOrDefault(r => r.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"Unknown recipe '{name}'; choose from {string.Join(", ", Sweep.Concat(Extra).Select(r => r.Name))}.",
            nameof(name));

    /// <summary><paramref name="options"/> with this recipe's knobs set.</summary>
    public HyperGanTrainingOptions ApplyTo(HyperGanTrainingOptions options) => options with
    {
        Diversity = Term,
        DiversityWeight = Term == DiversityTerm.None ? options.DiversityWeight : Weight,
        Beta = Beta,
        GeneratedWeightDecay = GeneratedWeightDecay,
        AdamBeta1 = AdamBeta1,
        AdamBeta2 = AdamBeta2,
        DiversityAccuracyPower = AccuracyPower,
        LearningRateSchedule = Schedule,
        BootstrapStrength = Bootstrap,
        PriorFunctionScale = PriorFunction,
        PretrainMixer = PretrainMixer && options.PretrainMixer,
        DiversityInputFraction = DiversityInputs,
        BaseLearningRate = BaseLearningRate ?? options.LearningRate,
        Architecture = options.Architecture with
        {
            InitialSharedStd = SharedStd ?? HyperGanArchitecture.Paper.InitialSharedStd,
            InitialCodeStd = CodeStd ?? HyperGanArchitecture.Paper.InitialCodeStd,
            GeneratorBatchNorm = BatchNorm || options.Architecture.GeneratorBatchNorm,
            NoiseModes = NoiseModes,
            BaseNetworks = BaseNetworks,
        },
    };

    /// <summary>The diversity knobs <paramref name="options"/> train with (task defaults resolved), in words.</summary>
    public static string Describe(HyperGanTrainingOptions options)
    {
        var o = options.WithResolvedDiversity();
        return $"diversity term {o.Diversity}" + (o.Diversity == DiversityTerm.None ? "" : $" (weight {o.DiversityWeight:G3})") +
               $", generated-weight prior λ {o.GeneratedWeightDecay:G3}, β {o.Beta:G3}, initial spread shared " +
                   $"{o.Architecture.InitialSharedStd:G3} / per network {o.Architecture.InitialCodeStd:G3} × He" +
               (o.Architecture.GeneratorBatchNorm ? ", batch norm in the generators" : "") +
               (o is { Diversity: DiversityTerm.MutualInformation, DiversityAccuracyPower: > 0 }
                   ? $", γ × training accuracy^{o.DiversityAccuracyPower:G3}" : "") +
               $", Adam betas ({o.AdamBeta1:G3}, {o.AdamBeta2:G3})" +
               (o.LearningRateSchedule == LearningRateSchedule.Constant ? "" : $", {o.LearningRateSchedule} learning-rate schedule") +
               (o.BootstrapStrength > 0 ? $", code-tied bootstrap ρ {o.BootstrapStrength:G3}" : "") +
               (o.PriorFunctionScale > 0 ? $", random prior function × {o.PriorFunctionScale:G3}" : "") +
               (o.Architecture.NoiseModes > 0 ? $", noise of {o.Architecture.NoiseModes} modes (spread {o.Architecture.ModeSpread:G3})" : "") +
               (o.Architecture.BaseNetworks > 0
                   ? $", {o.Architecture.BaseNetworks} learned base networks" +
                       (o.BaseLearningRate == o.LearningRate ? "" : $" (Adam lr {o.BaseLearningRate:G3})") : "") +
               (o.PretrainMixer ? "" : ", no mixer pretraining") +
               (o.Diversity != DiversityTerm.None && o.DiversityInputFraction != 1
                   ? $", extra mixed inputs {o.DiversityInputFraction:G3} per labelled row" : "");
    }

    /// <summary>The knobs in words, for budgets and tables.</summary>
    public override string ToString() =>
        $"{Name} ({(Term == DiversityTerm.None ? "no function-space term" : $"{Term} weight {Weight:G3}")}" +
        (Beta != 1 ? $", β {Beta:G3}" : "") + (GeneratedWeightDecay > 0 ? $", generated-weight prior λ {GeneratedWeightDecay:G3}" : "") +
        (SharedStd is not null || CodeStd is not null ? $", init shared {SharedStd}/code {CodeStd} × He" : "") +
        (BatchNorm ? ", batch norm in the generators" : "") +
        (AdamBeta1 != 0.5 || AdamBeta2 != 0.9 ? $", Adam betas ({AdamBeta1}, {AdamBeta2})" : "") +
        (AccuracyPower > 0 ? $", γ × training accuracy^{AccuracyPower:G3}" : "") +
        (Schedule == LearningRateSchedule.Constant ? "" : $", {Schedule} learning-rate schedule") +
        (Bootstrap > 0 ? $", code-tied bootstrap ρ {Bootstrap:G3}" : "") +
        (PriorFunction > 0 ? $", random prior function × {PriorFunction:G3}" : "") +
        (NoiseModes > 0 ? $", noise of {NoiseModes} modes" : "") + (PretrainMixer ? "" : ", no mixer pretraining") +
        (BaseNetworks > 0 ? $", {BaseNetworks} base networks" : "") +
        (BaseLearningRate is { } rate ? $" (Adam lr {rate:G3})" : "") +
        (DiversityInputs != 1 ? $", extra mixed inputs {DiversityInputs:G3} per labelled row" : "") + ")";
}
