namespace HyperGan.ML.Experiments.Runs;

/// <summary>The HyperGan.ML checkout the running program was built from (experiments, benchmarks and tests read its <c>data/</c> and write its
/// <c>docs/</c>).</summary>
public static class RepositoryFolder
{
    /// <summary>The first folder above the program's own that holds <c>HyperGan.ML.sln</c>.</summary>
    /// <exception cref="DirectoryNotFoundException">The program does not run from inside the repository.</exception>
    public static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "HyperGan.ML.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException(
            $"Run this from inside the HyperGan.ML repository (HyperGan.ML.sln not found above {AppContext.BaseDirectory}).");
    }
}
