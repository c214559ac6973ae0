namespace HyperGan.ML.Engine.Data;

/// <summary>Seeded stratified split: each class is divided in the same proportion, so both parts keep the class mix.</summary>
public static class StratifiedSplit
{
    /// <summary>
    /// Splits indices 0..labels.Length-1 into a training part of <paramref name="firstCount"/> examples and a test part with the rest.
    /// Per class, round(firstCount × class share) examples go first (largest remainders fix the total); which ones
    /// is a seeded shuffle. Both parts come back sorted.
    /// </summary>
    public static (int[] Train, int[] Test) Split(IReadOnlyList<int> labels, int firstCount, int seed)
    {
        if (firstCount < 0 || firstCount > labels.Count)
            throw new ArgumentOutOfRangeException(nameof(firstCount), firstCount, $"Must be within 0..{labels.Count}.");
        var rng = new Random(seed);
        var byClass = Enumerable.Range(0, labels.Count).GroupBy(i => labels[i]).OrderBy(g => g.Key)
            .Select(g => g.ToArray()).ToList();
        var exact = byClass.Select(g => (double)firstCount * g.Length / labels.Count).ToArray();
        var take = exact.Select(e => (int)Math.Floor(e)).ToArray();
        foreach (int c in Enumerable.Range(0, take.Length).OrderByDescending(c => exact[c] - take[c]).ThenBy(c => c).Take(firstCount - take.Sum()))
            take[c]++;
        var first = new List<int>();
        var rest = new List<int>();
        for (int c = 0; c < byClass.Count; c++)
        {
            var members = byClass[c];
            rng.Shuffle(members);
            first.AddRange(members.Take(take[c]));
            rest.AddRange(members.Skip(take[c]));
        }
        first.Sort();
        rest.Sort();
        return (first.ToArray(), rest.ToArray());
    }
}
