namespace HyperGan.ML.Engine.Ensembles;

/// <summary>
/// Top-label Platt scaling (Gupta &amp; Ramdas 2022, "Top-label calibration and multiclass-to-binary reductions"),
/// applied after <see cref="TemperatureScaling"/>: the confidence c of the most probable class becomes
/// c' = σ(<see cref="Slope"/> · logit(c) + <see cref="Intercept"/>), fitted on held-out rows by the log-likelihood of
/// "the top class is right"; the other classes share 1 − c' in their old proportions. One temperature can only make a
/// model more or less confident everywhere; the intercept also moves confidence at every level, which is what a model
/// that is right less often than it says at all confidences needs (CIFAR-10 in docs/decisions.md). The top class stays
/// the top class: c' stays above the value at which it would tie with the second.
/// </summary>
/// <param name="Slope">Multiplies logit(c); 1 with <see cref="Intercept"/> 0 is the identity.</param>
/// <param name="Intercept">Added to the scaled logit.</param>
public readonly record struct TopLabelScaling(double Slope, double Intercept)
{
    /// <summary>The map that changes nothing.</summary>
    public static TopLabelScaling Identity => new(1, 0);

    /// <summary>True for <see cref="Identity"/>.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsIdentity => Slope == 1 && Intercept == 0;

    // logit(c) is kept inside ±MaxLogit (c within 1e-13 of 0 or 1), where float probabilities carry no more information.
    const double MaxLogit = 30;

    /// <summary>
    /// Fits slope and intercept on held-out probabilities (row-major [N, <paramref name="classes"/>], e.g. after
    /// <see cref="TemperatureScaling"/>) and their labels: Newton's method on the logistic log-likelihood of "the top class is
    /// right" plus ½((slope − 1)² + intercept²), a pull towards the identity worth about one row, so that rows that are all
    /// right or all wrong still give a finite fit. A negative slope is not a calibration map: it falls back to slope 0
    /// (every row gets the held-out accuracy).
    /// </summary>
    /// <exception cref="ArgumentException">The probabilities are not N × classes for N labels.</exception>
    public static TopLabelScaling Fit(ReadOnlySpan<float> probabilities, int classes, IReadOnlyList<int> labels) =>
        Fit(probabilities, classes, labels, priorPrecision: 1);

    /// <summary>
    /// As <see cref="Fit(ReadOnlySpan{float}, int, IReadOnlyList{int})"/> with the pull towards the identity
    /// ½ · <paramref name="priorPrecision"/> · ((slope − 1)² + intercept²) (1: the default, about one row's worth; larger
    /// keeps a model that shows little miscalibration closer to as it was).
    /// </summary>
    public static TopLabelScaling Fit(ReadOnlySpan<float> probabilities, int classes, IReadOnlyList<int> labels, double priorPrecision)
    {
        if (!(priorPrecision > 0 && double.IsFinite(priorPrecision))) throw new ArgumentOutOfRangeException(nameof(priorPrecision), priorPrecision,
            "The pull towards the identity must be positive and finite: it keeps the fit finite when every row is right or wrong.");
        if (classes < 2 || probabilities.Length != labels.Count * classes)
            throw new ArgumentException($"Probabilities must be {labels.Count} rows × {classes} classes (at least 2) but hold " +
                $"{probabilities.Length} values.", nameof(probabilities));
        var logits = new double[labels.Count];
        var right = new double[labels.Count];
        for (int i = 0; i < labels.Count; i++)
        {
            var row = Scan(probabilities.Slice(i * classes, classes));
            logits[i] = row.Logit;
            right[i] = row.Top == labels[i] ? 1 : 0;
        }
        double a = 1, b = 0;
        for (int iteration = 0; iteration < 100; iteration++)
        {
            // Gradient and Hessian of the penalised −log-likelihood.
            double ga = priorPrecision * (a - 1), gb = priorPrecision * b, haa = priorPrecision, hab = 0, hbb = priorPrecision;
            for (int i = 0; i < logits.Length; i++)
            {
                double q = Sigmoid(a * logits[i] + b), w = q * (1 - q), r = q - right[i];
                ga += r * logits[i]; gb += r;
                haa += w * logits[i] * logits[i]; hab += w * logits[i]; hbb += w;
            }
            double det = haa * hbb - hab * hab;
            double da = (hbb * ga - hab * gb) / det, db = (haa * gb - hab * ga) / det;
            a -= da; b -= db;
            if (Math.Abs(da) + Math.Abs(db) < 1e-12) break;
        }
        if (a >= 0) return new TopLabelScaling(a, b);
        double accuracy = (right.Sum() + 0.5) / (right.Length + 1);
        return new TopLabelScaling(0, Math.Log(accuracy / (1 - accuracy)));
    }

    /// <summary>
    /// Rescales each row of <paramref name="probabilities"/> (row-major, <paramref name="classes"/> per row) in place.
    /// Rows whose top probability is tied, or whose other classes hold no mass at all, are left as they are.
    /// </summary>
    public void ApplyInPlace(Span<float> probabilities, int classes)
    {
        if (IsIdentity) return;
        for (int start = 0; start + classes <= probabilities.Length; start += classes)
        {
            var row = probabilities.Slice(start, classes);
            var (top, tied, rest, second, logit) = Scan(row);
            if (tied || !(rest > 0) || !float.IsFinite(row[top])) continue;
            double newTop = Math.Max(Sigmoid(Slope * logit + Intercept), Floor(row[top], rest, second));
            double scale = (1 - newTop) / rest;
            for (int c = 0; c < classes; c++) row[c] = c == top ? (float)newTop : (float)(row[c] * scale);
        }
    }

    /// <summary>What the map keeps c' above: the value at which the top class would tie with the second after rescaling,
    /// p₂ / (1 − c + p₂), plus <see cref="TieMargin"/> of the way from there to c, so that it stays strictly on top.</summary>
    internal static double Floor(double top, double rest, double second)
    {
        double tie = second / (rest + second);
        return tie + TieMargin * (top - tie);
    }

    /// <summary>The share of the distance between the tie and c by which c' stays above the tie (see <see cref="Floor"/>).</summary>
    internal const double TieMargin = 1e-3;

    // One pass over a row: the top class (the first of equals), whether another class ties it, the other classes' mass
    // 1 − c (summed from them: exact for c near 1), the second probability, and logit(c) = ln c − ln(1 − c) within ±MaxLogit.
    static (int Top, bool Tied, double Others, double Second, double Logit) Scan(ReadOnlySpan<float> row)
    {
        int top = 0;
        for (int c = 1; c < row.Length; c++)
            if (row[c] > row[top]) top = c;
        bool tied = false;
        double rest = 0, second = 0;
        for (int c = 0; c < row.Length; c++)
        {
            if (c == top) continue;
            tied |= row[c] == row[top];
            rest += row[c];
            second = Math.Max(second, row[c]);
        }
        double logit = rest > 0 ? Math.Log(row[top]) - Math.Log(rest) : MaxLogit;
        return (top, tied, rest, second, Math.Clamp(logit, -MaxLogit, MaxLogit));
    }

    static double Sigmoid(double x) => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x));
}
