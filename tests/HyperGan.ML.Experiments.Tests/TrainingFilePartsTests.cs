using HyperGan.ML.Experiments.Runs;
using Xunit;

namespace HyperGan.ML.Experiments.Tests;

/// <summary>The quick problems take training, validation and unused images from one training file or folder set.</summary>
public class TrainingFilePartsTests
{
    [Fact]
    public void Fashion_training_validation_and_unused_images_are_disjoint_and_cover_the_file()
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
        // The full preset's validation run trains on the rest of the file.
        var full = Datasets.FashionTrainingFileParts(labels, 60000 - ProblemSelection.FullFashionValidation,
            ProblemSelection.FullFashionValidation, seed: 2);
        Assert.Equal((50000, 10000, 0), (full.Train.Length, full.Validation.Length, full.Unused.Length));
        Assert.Equal(60000, full.Train.Concat(full.Validation).Distinct().Count());
        // Training on the whole file leaves no validation or unused images.
        var all = Datasets.FashionTrainingFileParts(labels, 60000, 10000, seed: 2);
        Assert.Equal((60000, 0, 0), (all.Train.Length, all.Validation.Length, all.Unused.Length));
    }

    /// <summary>
    /// Quick CIFAR-10 takes its training sample, its validation images and the decisions experiment's unused images from
    /// the same training folders with the same seed, one after the other (<c>skip</c>); here on a folder of empty files
    /// (file names are all <see cref="JpegFolders.Files"/> reads) with the quick preset's counts.
    /// </summary>
    [Fact]
    public void Cifar_training_validation_and_unused_files_are_disjoint_and_cover_the_folders()
    {
        const int perClass = 1100, seed = 2;
        string[] classes = ["airplane", "automobile", "bird"];
        var root = Directory.CreateTempSubdirectory("cifar-parts-").FullName;
        try
        {
            foreach (var c in classes)
            {
                Directory.CreateDirectory(Path.Combine(root, c));
                for (int i = 0; i < perClass; i++) File.WriteAllBytes(Path.Combine(root, c, $"{i:D4}.jpg"), []);
            }
            int train = ProblemSelection.QuickCifar10TrainPerClass, validation = ProblemSelection.QuickCifar10ValidationPerClass;
            var trainFiles = JpegFolders.Files(root, classes, train, seed);
            var validationFiles = JpegFolders.Files(root, classes, validation, seed, skip: train);
            var unusedFiles = JpegFolders.Files(root, classes, int.MaxValue, seed, skip: train + validation);
            Assert.Equal(classes.Length * train, trainFiles.Count);
            Assert.Equal(classes.Length * validation, validationFiles.Count);
            Assert.Equal(classes.Length * (perClass - train - validation), unusedFiles.Count);
            var all = trainFiles.Concat(validationFiles).Concat(unusedFiles).ToList();
            Assert.Equal(classes.Length * perClass, all.Select(f => f.Path).Distinct().Count()); // disjoint, and nothing left out
            Assert.All(all, f => Assert.Equal(classes[f.Label], Path.GetFileName(Path.GetDirectoryName(f.Path))));
            // The full preset's validation run: the first 4,000 of a class's 5,000 shuffled files train, the next 1,000 validate.
            int fullTrain = perClass - 100, fullValidation = 100;
            var fullTrainFiles = JpegFolders.Files(root, classes, fullTrain, seed);
            var fullValidationFiles = JpegFolders.Files(root, classes, fullValidation, seed, skip: fullTrain);
            Assert.Equal(classes.Length * perClass, fullTrainFiles.Concat(fullValidationFiles).Select(f => f.Path).Distinct().Count());
            Assert.Subset(fullTrainFiles.ToHashSet(), trainFiles.ToHashSet()); // the same shuffle: the quick sample is part of it
            // Another seed draws another sample.
            Assert.NotEqual(trainFiles, JpegFolders.Files(root, classes, train, seed + 1));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
