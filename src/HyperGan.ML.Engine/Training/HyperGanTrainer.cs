using System.Diagnostics;
using HyperGan.ML.Engine.Ensembles;
using HyperGan.ML.Engine.Model;
using HyperGan.ML.Engine.Native;
using HyperGan.ML.Engine.Targets;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace HyperGan.ML.Engine.Training;

/// <summary>
/// Trains a HyperGAN (paper eq. 2): minimise over Q and G the task loss of sampled networks averaged over the
/// networks, plus β × an adversarial term that makes the mixer's codes indistinguishable from prior samples.
/// Read <see cref="Fit"/> top to bottom: pretraining, then one loop over epochs and batches.
/// </summary>
public static class HyperGanTrainer
{
    /// <summary>Trains a HyperGAN generating <paramref name="target"/> networks on <paramref name="data"/>.</summary>
    /// <param name="target">Architecture of the generated networks.</param>
    /// <param name="data">Training examples; must fit the target's input shape and output size.</param>
    /// <param name="options">Training knobs (paper defaults).</param>
    /// <param name="progress">Receives a report after every step.</param>
    /// <param name="device">Where to train; CPU when null.</param>
    /// <param name="epochCompleted">Called after each epoch with the epoch number (from 1) and the model being trained,
    /// e.g. to measure held-out accuracy over time; it returns true to go on and false to end training after this epoch
    /// (early stopping: Fit then returns the model as it is). It must not change the model; it runs on the training thread.</param>
    /// <param name="profile">When given, receives the time of each phase of every training step (benchmarks).</param>
    /// <param name="cancellationToken">Checked before every step; cancellation throws <see cref="OperationCanceledException"/>
    /// and releases all tensors.</param>
    /// <exception cref="ArgumentException">Options or data are invalid (the message names which and why).</exception>
    /// <exception cref="InvalidOperationException">Training diverged: the parameters stopped being finite (the message names the
    /// learning rates to lower).</exception>
    public static TrainedHyperGan Fit(TargetNetwork target, TrainingSet data, HyperGanTrainingOptions options,
        IProgress<TrainingProgress>? progress = null, Device? device = null,
        Func<int, HyperGanModel, bool>? epochCompleted = null, StepProfile? profile = null, CancellationToken cancellationToken = default)
    {
        options.Validate();
        options = options.WithResolvedDiversity();
        double diversityWeight = options.DiversityWeight!.Value; // resolved above
        if (data.Task != options.Task)
            throw new ArgumentException($"Options.Task is {options.Task} but the training set was built for {data.Task}.", nameof(options));
        data.CheckFits(target);
        TorchBackend.Initialize(device?.type ?? DeviceType.CPU);
        device ??= CPU;

        var clock = Stopwatch.StartNew();
        random.manual_seed(options.Seed); // module initialisation draws from torch's global generator
        var model = new HyperGanModel(target, options.Architecture);
        model.to(device);
        if (options.PriorFunctionScale > 0) model.PriorFunction = RandomPriorFunction.Create(target, options, device);
        if (options.Task == TaskKind.Regression)
            model.LabelScaling = LabelScaling.Of(data.Targets.data<float>().ToArray(), canShift: target.Layers[^1].HasBias);
        // Regression trains on standardised targets (see LabelScaling); classes stay indices.
        using var targets = options.Task == TaskKind.Regression ? model.LabelScaling.Standardise(data.Targets) : data.Targets.alias();
        using var noiseRng = new Generator((ulong)options.Seed + 1, device);
        using var diversityRng = new Generator((ulong)options.Seed + 2, device); // its own stream: the paper's recipe draws exactly as before
        var shuffle = new Random(options.Seed);
        var executor = options.Executor ?? EnsembleExecutors.Default;
        try
        {
            model.train();
            if (options.PretrainMixer)
            {
                PretrainMixer(model, options, noiseRng, progress, cancellationToken);
                ThrowIfDiverged(model, options, 0);
            }

            (double b1, double b2) betas = (options.AdamBeta1!.Value, options.AdamBeta2!.Value); // resolved above
            using var optQ = new InPlaceAdam(model.Mixer.parameters(), options.MixerLearningRate, betas.b1, betas.b2, options.WeightDecay);
            using var optG = new InPlaceAdam(model.GeneratorOnlyParameters(), options.LearningRate, betas.b1, betas.b2, options.WeightDecay);
            // The base networks are networks in weight units: they train at a network's learning rate, not the generators'.
            var baseParameters = model.BaseNetworkParameters().ToArray();
            using var optBases = baseParameters.Length == 0 ? null
                : new InPlaceAdam(baseParameters, options.BaseLearningRate, betas.b1, betas.b2, options.WeightDecay);
            using var optD = new InPlaceAdam(model.Discriminator.parameters(), options.DiscriminatorLearningRate, betas.b1, betas.b2);
            // The step's constants as Scalars held for the whole fit, not implicit conversions (see KeptScalars).
            using Scalar priorStd = options.PriorStd.ToScalar(), beta = (options.Beta ?? 0).ToScalar(),
                generatedWeightDecay = (options.GeneratedWeightDecay ?? 0).ToScalar();

            int n = data.Count, batchSize = Math.Min(options.BatchSize, n), members = options.NetworksPerStep;
            int steps = (n + batchSize - 1) / batchSize, layerCount = target.Layers.Count, codeDim = options.Architecture.CodeDim;
            using var bootstrap = options.BootstrapStrength > 0 ? CodeTiedBootstrap.For(options, n, device) : null;
            var schedulers = options.LearningRateSchedule == LearningRateSchedule.Cosine
                ? new[] { optQ, optG, optD, optBases }.OfType<InPlaceAdam>()
                    .Select(o => optim.lr_scheduler.CosineAnnealingLR(o, options.Epochs * steps)).ToArray()
                : [];
            for (int epoch = 1; epoch <= options.Epochs; epoch++)
            {
                var order = Enumerable.Range(0, n).ToArray();
                shuffle.Shuffle(order);
                for (int step = 0; step < steps; step++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    profile?.StartStep();
                    using var scope = NewDisposeScope();
                    var rows = order.AsSpan(step * batchSize, Math.Min(batchSize, n - step * batchSize)).ToArray();
                    var index = tensor(rows.Select(i => (long)i).ToArray());
                    var x = data.Features.index_select(0, index).to(device);
                    var y = targets.index_select(0, index).to(device);
                    profile?.Mark("batch");

                    // Codes for this step's networks: [M, K, d], flattened to M·K rows for the discriminator.
                    var noise = model.SampleNoise(members, noiseRng);
                    var codes = model.Codes(noise);
                    var codeRows = codes.view(members * layerCount, codeDim);
                    profile?.Mark("mixer forward");

                    // 1. Discriminator: prior samples are "real", the mixer's codes "fake".
                    double dLoss = 0, advLoss = 0;
                    if (options.Beta > 0)
                    {
                        var prior = randn([members * layerCount, codeDim], generator: noiseRng, device: device).mul(priorStd);
                        var real = ones(members * layerCount, 1, device: device);
                        var fake = zeros(members * layerCount, 1, device: device);
                        var lossD = F.binary_cross_entropy_with_logits(model.Discriminator.forward(prior), real)
                            .add(F.binary_cross_entropy_with_logits(model.Discriminator.forward(codeRows.detach()), fake), KeptScalars.One);
                        optD.zero_grad();
                        lossD.backward();
                        optD.step();
                        dLoss = lossD.item<float>();
                        profile?.Mark("discriminator step");
                    }

                    // 2. Mixer and generators: task loss of the sampled networks (+ a function-space diversity term, a prior on
                    // the generated weights) + β × fool-the-discriminator.
                    // With base networks, each step's networks take the next M bases in turn, so every base trains as often.
                    var generated = model.Generate(codes, firstBase: ((long)(epoch - 1) * steps + step) * members);
                    profile?.Mark("generator forward");
                    long labelled = x.shape[0];
                    long extraRows = options.ExtraInputRows(labelled);
                    var extra = extraRows == 0 ? null : FunctionSpaceDiversity.ExtraInputs(x, y, options.Task, diversityRng, extraRows);
                    var input = extra is null ? x : cat([x, extra], 0);
                    var outputs = executor.Forward(target, generated, input); // [M, B (+ extra rows), outputs]
                    if (model.PriorFunction is { } priorFunction)
                        outputs = priorFunction.Add(outputs, executor.Forward(target, priorFunction.Generate(noise), input));
                    var batchOutputs = extra is null ? outputs : outputs.narrow(1, 0, labelled);
                    var exampleWeights = bootstrap?.Weights(noise, index); // [M, B]; null = every example weighs 1
                    var taskLoss = TaskLoss(batchOutputs, y, options.Task, exampleWeights);
                    var loss = options.Diversity switch
                    {
                        DiversityTerm.MutualInformation => taskLoss - FunctionSpaceDiversity.WeightedByFit(
                            FunctionSpaceDiversity.Disagreement(outputs.narrow(1, labelled, extraRows), options.Task), batchOutputs, y,
                            diversityWeight, options.DiversityAccuracyPower),
                        DiversityTerm.Svgd => FunctionSpaceDiversity.SvgdLoss(outputs, y, options.Task, diversityWeight, exampleWeights),
                        _ => taskLoss,
                    };
                    if (options.GeneratedWeightDecay > 0)
                        loss = loss.add(FunctionSpaceDiversity.GeneratedWeightPenalty(generated) * generatedWeightDecay, KeptScalars.One);
                    profile?.Mark("target forward");
                    if (options.Beta > 0)
                    {
                        var real = ones(members * layerCount, 1, device: device);
                        var adversarial = F.binary_cross_entropy_with_logits(model.Discriminator.forward(codeRows), real);
                        loss = loss.add(adversarial * beta, KeptScalars.One);
                        advLoss = adversarial.item<float>();
                        profile?.Mark("adversarial forward");
                    }
                    optQ.zero_grad();
                    optG.zero_grad();
                    optBases?.zero_grad();
                    loss.backward();
                    profile?.Mark("backward (target, generators, mixer)");
                    optQ.step();
                    profile?.Mark("Adam step, mixer");
                    optG.step();
                    profile?.Mark("Adam step, generators");
                    if (optBases is not null)
                    {
                        optBases.step();
                        profile?.Mark("Adam step, base networks");
                    }

                    foreach (var scheduler in schedulers) scheduler.step();
                    progress?.Report(new TrainingProgress(TrainingPhase.Train, epoch, options.Epochs, step + 1, steps,
                        taskLoss.item<float>(), advLoss, dLoss, clock.Elapsed));
                    profile?.Mark("progress report");
                    profile?.EndStep();
                }
                ThrowIfDiverged(model, options, epoch);
                if (epochCompleted is not null && !epochCompleted(epoch, model)) break;
            }
            return new TrainedHyperGan(model, options with { Executor = null });
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    // The mean over networks and rows of the cross-entropy (classification) or squared error (regression) of outputs
    // [M, B, outputs], each row of each network weighed by weights [M, B] when given.
    internal static Tensor TaskLoss(Tensor outputs, Tensor targets, TaskKind task, Tensor? weights)
    {
        long members = outputs.shape[0];
        var reduction = weights is null ? nn.Reduction.Mean : nn.Reduction.None;
        var loss = task == TaskKind.Classification
            ? F.cross_entropy(outputs.reshape(-1, outputs.shape[2]), targets.repeat(members), reduction: reduction)
            : F.mse_loss(outputs.squeeze(-1), targets.unsqueeze(0).expand(members, -1), reduction);
        return weights is null ? loss : loss.view(members, -1).mul(weights).mean();
    }

    // A step that overflows turns every parameter into NaN within a step or two, and every network sampled from it then
    // scores NaN: checked once per epoch (one host sync per parameter tensor), so that Fit fails instead of returning a
    // model that cannot score (seen 2026-12-01: a custom CNN fed libtorch's wrong convolution gradients, see
    // TargetOps.Conv2d, returned a model whose every score was NaN).
    static void ThrowIfDiverged(HyperGanModel model, HyperGanTrainingOptions options, int epoch)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope(); // the checks' temporaries; a leak test counts live tensors after Fit
        foreach (var (name, p) in model.named_parameters())
        {
            if (!p.isfinite().all().item<bool>())
                throw new InvalidOperationException($"Training diverged {(epoch == 0 ? "while pretraining the mixer" : $"in epoch {epoch}")}: " +
                    $"the model's parameters ({name}) are no longer " +
                    $"finite (NaN or infinity), so every sampled network would score NaN. Lower LearningRate ({options.LearningRate:G3}) " +
                    $"and MixerLearningRate ({options.MixerLearningRate:G3})" +
                    (options.Architecture.BaseNetworks > 0 ? $" and BaseLearningRate ({options.BaseLearningRate:G3})" : "") +
                    ", or try another Seed.");
        }
    }

    /// <summary>
    /// Fits Q alone (in place) so that each layer's codes have the prior's mean (0) and covariance (σ²I), as the authors do
    /// before training; stops below <see cref="HyperGanTrainingOptions.PretrainTargetLoss"/>.
    /// </summary>
    /// <param name="model">The model whose mixer is fitted (other parts are untouched).</param>
    /// <param name="options">Supplies the pretraining knobs, learning rate and prior σ.</param>
    /// <param name="noiseRng">Source of the noise batches.</param>
    /// <param name="progress">Receives one report per step.</param>
    /// <param name="cancellationToken">Checked before every step.</param>
    /// <returns>The number of optimisation steps taken.</returns>
    public static int PretrainMixer(HyperGanModel model, HyperGanTrainingOptions options, Generator noiseRng,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        options = options.WithResolvedDiversity(); // the task's Adam betas when they are left null
        using var opt = new InPlaceAdam(model.Mixer.parameters(), options.MixerLearningRate, options.AdamBeta1!.Value, options.AdamBeta2!.Value);
        for (int step = 1; step <= options.PretrainMaxSteps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var loss = CodeMoments.Loss(model.Codes(model.SampleNoise(options.PretrainSamples, noiseRng)), options.PriorStd);
            double value = loss.item<float>();
            progress?.Report(new TrainingProgress(TrainingPhase.PretrainMixer, 0, options.Epochs, step, options.PretrainMaxSteps, value, 0, 0,
                clock.Elapsed));
            if (value < options.PretrainTargetLoss) return step - 1;
            opt.zero_grad();
            loss.backward();
            opt.step();
        }
        return options.PretrainMaxSteps;
    }
}
