using HyperGan.ML.Experiments.Runs;
using Xunit;

namespace HyperGan.ML.Experiments.Tests;

public class FashionTrainingFilePartsTests
{
    [Fact]
    public void Training_validation_and_unused_images_are_disjoint_and_cover_the_file()
    {
        var rng = new Random(3);
        var labels = Enumerable.Range(0, 60000).Select(_ => rng.Next(10)).ToArray();
        var (train, validation, unused) = Datasets.FashionTrainingFileParts(labels, ProblemSelection.QuickFashionTrain,
            ProblemSelection.QuickFashionValidation, seed: 2);
        Assert.Equal(ProblemSelection.QuickFashionTrain, train.Length);
        Assert.Equal(ProblemSelection.QuickFashionValidation, validation.Length);
        Assert.Equal(60000, train.Concat(validation).Concat(unused).Distinct().Count()); // disjoint, and nothing left out
        Assert.Equal(60000 - train.Length - validation.Length, unused.Length);
        // The same seed gives the same parts (the decisions experiment recomputes them after the problem was loaded).
        Assert.Equal(unused, Datasets.FashionTrainingFileParts(labels, ProblemSelection.QuickFashionTrain,
            ProblemSelection.QuickFashionValidation, seed: 2).Unused);
        // Training on the whole file leaves no validation or unused images.
        var all = Datasets.FashionTrainingFileParts(labels, 60000, 10000, seed: 2);
        Assert.Equal((60000, 0, 0), (all.Train.Length, all.Validation.Length, all.Unused.Length));
    }
}
