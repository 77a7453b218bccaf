using System.Text.Json;

namespace Kiln.Cli.Init;

/// <summary>The kinds of project <c>kiln init</c> has a starter pipeline for.</summary>
public enum ProjectKind
{
    Generic,
    DotNet,
    Node,
    Go,
    Python,
    Rust,
    Make,
}

/// <summary>
/// What <see cref="ProjectDetector"/> found. <see cref="Marker"/> is the file that decided the kind
/// (null for <see cref="ProjectKind.Generic"/>); the other properties refine the starter pipeline.
/// </summary>
public sealed record DetectedProject(ProjectKind Kind, string? Marker)
{
    /// <summary>Node only: <c>npm</c>, <c>yarn</c> or <c>pnpm</c>, from the lock file.</summary>
    public string? PackageManager { get; init; }

    /// <summary>Node only: the names under <c>scripts</c> in <c>package.json</c>.</summary>
    public IReadOnlySet<string> Scripts { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Python only: the project files present (<c>requirements.txt</c>, <c>pyproject.toml</c>, <c>setup.py</c>).</summary>
    public IReadOnlyList<string> PythonFiles { get; init; } = [];

    /// <summary>How <c>kiln init</c> names it: <c>.NET (Kiln.slnx)</c>, <c>Node (package.json, pnpm)</c>.</summary>
    public string Description => Kind switch
    {
        ProjectKind.Generic => "no known project files; a generic pipeline",
        ProjectKind.Node => $"{KindName(Kind)} ({Marker}, {PackageManager})",
        _ => $"{KindName(Kind)} ({Marker})",
    };

    public static string KindName(ProjectKind kind) => kind switch
    {
        ProjectKind.DotNet => ".NET",
        ProjectKind.Node => "Node.js",
        ProjectKind.Go => "Go",
        ProjectKind.Python => "Python",
        ProjectKind.Rust => "Rust",
        ProjectKind.Make => "Make",
        _ => "generic",
    };
}

/// <summary>
/// Guesses what a directory holds from the files at its top level, first match wins: a .NET
/// solution or project, <c>package.json</c>, <c>go.mod</c>, a Python project, <c>Cargo.toml</c>, a
/// <c>Makefile</c>; otherwise generic. It only reads <c>package.json</c>'s script names.
/// </summary>
public static class ProjectDetector
{
    private static readonly string[] DotNetPatterns = ["*.slnx", "*.sln", "*.csproj", "*.fsproj", "*.vbproj"];
    private static readonly string[] PythonMarkers = ["pyproject.toml", "setup.py", "requirements.txt"];

    public static DetectedProject Detect(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        foreach (var pattern in DotNetPatterns)
        {
            if (FirstMatch(directory, pattern) is { } file)
            {
                return new DetectedProject(ProjectKind.DotNet, file);
            }
        }

        if (Exists(directory, "package.json"))
        {
            var manager = Exists(directory, "pnpm-lock.yaml") ? "pnpm" : Exists(directory, "yarn.lock") ? "yarn" : "npm";
            return new DetectedProject(ProjectKind.Node, "package.json") { PackageManager = manager, Scripts = ReadScripts(Path.Combine(directory, "package.json")) };
        }

        if (Exists(directory, "go.mod"))
        {
            return new DetectedProject(ProjectKind.Go, "go.mod");
        }

        var pythonFiles = PythonMarkers.Where(m => Exists(directory, m)).ToList();
        if (pythonFiles.Count > 0)
        {
            return new DetectedProject(ProjectKind.Python, pythonFiles[0]) { PythonFiles = pythonFiles };
        }

        if (Exists(directory, "Cargo.toml"))
        {
            return new DetectedProject(ProjectKind.Rust, "Cargo.toml");
        }

        foreach (var makefile in (string[])["GNUmakefile", "Makefile", "makefile"])
        {
            if (Exists(directory, makefile))
            {
                return new DetectedProject(ProjectKind.Make, makefile);
            }
        }

        return new DetectedProject(ProjectKind.Generic, null);
    }

    private static bool Exists(string directory, string name) => File.Exists(Path.Combine(directory, name));

    private static string? FirstMatch(string directory, string pattern) =>
        Directory.EnumerateFiles(directory, pattern, new EnumerationOptions { MatchCasing = MatchCasing.CaseInsensitive, RecurseSubdirectories = false })
            .Select(Path.GetFileName)
            .Where(name => name is not null && name.EndsWith(pattern[1..], StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .FirstOrDefault();

    /// <summary>The script names of a package.json; none when it cannot be read.</summary>
    private static HashSet<string> ReadScripts(string path)
    {
        var scripts = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("scripts", out var element)
                && element.ValueKind == JsonValueKind.Object)
            {
                foreach (var script in element.EnumerateObject())
                {
                    scripts.Add(script.Name);
                }
            }
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            // A broken package.json still makes a Node project; the starter then runs the usual scripts.
        }

        return scripts;
    }
}
