namespace Kiln.EndToEnd.Tests.Harness;

/// <summary>
/// Finds the <c>kiln</c> executable that the project reference to Kiln.Cli built: the apphost in
/// <c>src/Kiln.Cli/bin/{Configuration}/net10.0/</c>, where the configuration is the one this test assembly
/// was built in; else <c>dotnet kiln.dll</c> from the same folder. <c>KILN_E2E_EXECUTABLE</c> overrides
/// both, to run the suite against an installed or published <c>kiln</c>.
/// </summary>
public static class KilnExecutable
{
    private static readonly Lazy<(string FileName, string[] PrefixArguments)> Located = new(Locate);

    /// <summary>The file to start.</summary>
    public static string FileName => Located.Value.FileName;

    /// <summary>Arguments that come before kiln's own (the dll path when started through <c>dotnet</c>).</summary>
    public static IReadOnlyList<string> PrefixArguments => Located.Value.PrefixArguments;

    public static IEnumerable<string> Arguments(IEnumerable<string> kilnArguments) => PrefixArguments.Concat(kilnArguments);

    /// <summary>The checkout this test assembly was built in (the folder holding <c>Kiln.slnx</c>).</summary>
    public static string RepositoryRoot => FindRepositoryRoot(AppContext.BaseDirectory);

    private static (string, string[]) Locate()
    {
        if (Environment.GetEnvironmentVariable("KILN_E2E_EXECUTABLE") is { Length: > 0 } overridden)
        {
            return (overridden, []);
        }

        var baseDirectory = AppContext.BaseDirectory;
        var configuration = baseDirectory.Contains("/bin/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        var repositoryRoot = FindRepositoryRoot(baseDirectory);
        var outputDirectory = Path.Combine(repositoryRoot, "src", "Kiln.Cli", "bin", configuration, "net10.0");

        var apphost = Path.Combine(outputDirectory, "kiln");
        if (File.Exists(apphost))
        {
            return (apphost, []);
        }

        var dll = Path.Combine(outputDirectory, "kiln.dll");
        if (File.Exists(dll))
        {
            return ("dotnet", [dll]);
        }

        throw new FileNotFoundException(
            $"The kiln executable was not found in {outputDirectory}; build the solution in {configuration} first.");
    }

    private static string FindRepositoryRoot(string start)
    {
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Kiln.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No Kiln.slnx above {start}.");
    }
}
