namespace Kiln.Contracts.Tests;

/// <summary>No two source files under <c>src/</c> share a name, so a file name (in a stack trace, a
/// review, an editor's "go to file") always points to one file.</summary>
public sealed class SourceFileNameTests
{
    [Fact]
    public void No_two_source_files_in_src_share_a_name()
    {
        var src = Path.Combine(RepositoryRoot(), "src");
        var files = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(src, path))
            .Where(path => !IsBuildOutput(path) && !IsMigrationSnapshot(path))
            .ToList();

        var duplicates = files
            .GroupBy(Path.GetFileName, StringComparer.OrdinalIgnoreCase)
            .Where(g => g.Count() > 1)
            .Select(g => string.Join(", ", g.Order(StringComparer.Ordinal)))
            .ToList();

        // A wrong root would find nothing and pass: make sure the walk saw the sources.
        Assert.Contains(Path.Combine("Kiln.Contracts", "AgentProtocol", "RegistrationMessages.cs"), files);
        Assert.True(duplicates.Count == 0, "Files that share a name:\n" + string.Join("\n", duplicates));
    }

    private static bool IsBuildOutput(string relativePath) =>
        relativePath.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj");

    /// <summary><c>dotnet ef</c> names each provider's snapshot after the one DbContext
    /// (<c>KilnDbContextModelSnapshot.cs</c>) and rewrites it by that name, so it cannot be renamed.</summary>
    private static bool IsMigrationSnapshot(string relativePath) =>
        Path.GetFileName(Path.GetDirectoryName(relativePath)) == "Migrations"
        && relativePath.EndsWith("ModelSnapshot.cs", StringComparison.Ordinal);

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Kiln.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No Kiln.slnx above {AppContext.BaseDirectory}.");
    }
}
