namespace HyperGan.ML.Evaluation;

/// <summary>
/// Metrics of predicted class probabilities <c>p[i, c]</c> (rows sum to 1) against integer labels.
/// Conventions: natural logarithms; probabilities are clamped to ≥ 1e-12 inside logarithms.
/// </summary>
public static class ClassificationMetrics
{
    /// <summary>Fraction of rows whose most probable class (lowest index on ties) equals the label.</summary>
    public static double Accuracy(float[,] probabilities, IReadOnlyList<int> labels)
    {
        Check(probabilities, labels);
        int correct = 0;
        for (int i = 0; i < labels.Count; i++)
            if (ArgMax(probabilities, i) == labels[i]) correct++;
        return (double)correct / labels.Count;
    }

    /// <summary>Negative log-likelihood: mean over rows of −ln p[i, label].</summary>
    public static double NegativeLogLikelihood(float[,] probabilities, IReadOnlyList<int> labels)
    {
        Check(probabilities, labels);
        double sum = 0;
        for (int i = 0; i < labels.Count; i++) sum -= Math.Log(Math.Max(probabilities[i, labels[i]], 1e-12));
        return sum / labels.Count;
    }

    /// <summary>Brier score: mean over rows of Σ_c (p[i, c] − 1[c = label])² (0 is perfect, 2 the worst).</summary>
    public static double Brier(float[,] probabilities, IReadOnlyList<int> labels)
    {
        Check(probabilities, labels);
        double sum = 0;
        for (int i = 0; i < labels.Count; i++)
            for (int c = 0; c < probabilities.GetLength(1); c++)
            {
                double d = probabilities[i, c] - (c == labels[i] ? 1 : 0);
                sum += d * d;
            }
        return sum / labels.Count;
    }

    /// <summary>
    /// Expected calibration error with <paramref name="bins"/> equal-width bins over the confidence max_c p[i, c]:
    /// Σ_b (|B_b| / n) · |accuracy(B_b) − mean confidence(B_b)|, over the bins of <see cref="Reliability"/>.
    /// </summary>
    public static double ExpectedCalibrationError(float[,] probabilities, IReadOnlyList<int> labels, int bins = 15) =>
        ExpectedCalibrationError(Reliability(probabilities, labels, bins));

    /// <summary>Expected calibration error of an already computed reliability diagram.</summary>
    public static double ExpectedCalibrationError(IReadOnlyList<ReliabilityBin> reliability) =>
        reliability.Sum(b => b.Share * Math.Abs(b.Accuracy - b.MeanConfidence));

    /// <summary>
    /// The ECE that a perfectly calibrated model with these confidences would still show on this many rows, in
    /// expectation: the estimator's own bias. In each bin of <see cref="Reliability"/>, the number of correct rows of a
    /// calibrated model is a sum of Bernoulli(confidence) draws; the floor is Σ_b (|B_b| / n) · E|correct_b / |B_b| −
    /// mean confidence(B_b)|, computed exactly from that sum's distribution. A measured ECE near the floor is noise:
    /// no calibration lowers it further on the same number of rows.
    /// </summary>
    public static double CalibrationErrorFloor(float[,] probabilities, int bins = 15)
    {
        CheckBins(bins);
        int rows = probabilities.GetLength(0);
        var confidences = new List<double>[bins];
        for (int b = 0; b < bins; b++) confidences[b] = [];
        for (int i = 0; i < rows; i++)
        {
            double conf = probabilities[i, ArgMax(probabilities, i)];
            confidences[BinOf(conf, bins)].Add(conf);
        }
        double floor = 0;
        foreach (var bin in confidences.Where(c => c.Count > 0))
        {
            // P(k of the bin's rows correct), built one Bernoulli at a time (a Poisson-binomial distribution).
            var k = new double[bin.Count + 1];
            k[0] = 1;
            for (int j = 0; j < bin.Count; j++)
                for (int m = j + 1; m >= 0; m--)
                    k[m] = k[m] * (1 - bin[j]) + (m > 0 ? k[m - 1] * bin[j] : 0);
            double meanConfidence = bin.Average();
            floor += (double)bin.Count / rows * Enumerable.Range(0, k.Length).Sum(m => k[m] * Math.Abs((double)m / bin.Count - meanConfidence));
        }
        return floor;
    }

    /// <summary>
    /// The reliability diagram: the non-empty of <paramref name="bins"/> equal-width bins over the confidence
    /// max_c p[i, c], each with its share of examples, mean confidence and accuracy. Bin b holds confidences in
    /// [b/bins, (b+1)/bins); a confidence of exactly 1.0 belongs to the last bin.
    /// </summary>
    public static IReadOnlyList<ReliabilityBin> Reliability(float[,] probabilities, IReadOnlyList<int> labels, int bins = 15)
    {
        Check(probabilities, labels);
        CheckBins(bins);
        var count = new int[bins];
        var correct = new double[bins];
        var confidence = new double[bins];
        for (int i = 0; i < labels.Count; i++)
        {
            int predicted = ArgMax(probabilities, i);
            double conf = probabilities[i, predicted];
            int b = BinOf(conf, bins);
            count[b]++;
            confidence[b] += conf;
            if (predicted == labels[i]) correct[b]++;
        }
        return Enumerable.Range(0, bins).Where(b => count[b] > 0)
            .Select(b => new ReliabilityBin((double)count[b] / labels.Count, confidence[b] / count[b], correct[b] / count[b])).ToList();
    }

    // The bin of a confidence, as Reliability's summary states it.
    static int BinOf(double confidence, int bins) => Math.Clamp((int)(confidence * bins), 0, bins - 1);

    static void CheckBins(int bins)
    {
        if (bins <= 0) throw new ArgumentOutOfRangeException(nameof(bins), bins, "bins must be positive (the convention is 15).");
    }

    /// <summary>Index of the largest entry of row <paramref name="row"/> (lowest index on ties).</summary>
    public static int ArgMax(float[,] probabilities, int row)
    {
        int best = 0;
        for (int c = 1; c < probabilities.GetLength(1); c++)
            if (probabilities[row, c] > probabilities[row, best]) best = c;
        return best;
    }

    static void Check(float[,] probabilities, IReadOnlyList<int> labels)
    {
        if (labels.Count == 0) throw new ArgumentException("No examples to evaluate.", nameof(labels));
        if (probabilities.GetLength(0) != labels.Count)
            throw new ArgumentException($"{probabilities.GetLength(0)} probability rows but {labels.Count} labels.", nameof(labels));
        int classes = probabilities.GetLength(1);
        for (int i = 0; i < labels.Count; i++)
            if (labels[i] < 0 || labels[i] >= classes)
                throw new ArgumentException($"Label {labels[i]} of example {i} is outside [0, {classes}).", nameof(labels));
    }
}

/// <summary>One bin of a reliability diagram.</summary>
/// <param name="Share">Fraction of all examples in the bin.</param>
/// <param name="MeanConfidence">Mean confidence (max probability) of its examples.</param>
/// <param name="Accuracy">Fraction of its examples predicted correctly.</param>
public sealed record ReliabilityBin(double Share, double MeanConfidence, double Accuracy);
