using System.CommandLine;
using Kiln.Cli.Commands;
using Kiln.Cli.Init;
using Kiln.Core.Pipelines;
using Spectre.Console;

namespace Kiln.Cli.Tests;

public sealed class InitTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("kiln-init-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    public static TheoryData<ProjectKind, string[], string?> Projects() => new()
    {
        { ProjectKind.DotNet, ["Kiln.slnx", "src/App/App.csproj"], "Kiln.slnx" },
        { ProjectKind.DotNet, ["Old.sln"], "Old.sln" },
        { ProjectKind.DotNet, ["App.csproj", "package.json"], "App.csproj" },
        { ProjectKind.Node, ["package.json"], "package.json" },
        { ProjectKind.Go, ["go.mod", "main.go"], "go.mod" },
        { ProjectKind.Python, ["pyproject.toml"], "pyproject.toml" },
        { ProjectKind.Python, ["requirements.txt"], "requirements.txt" },
        { ProjectKind.Python, ["setup.py"], "setup.py" },
        { ProjectKind.Rust, ["Cargo.toml"], "Cargo.toml" },
        { ProjectKind.Make, ["Makefile"], "Makefile" },
        { ProjectKind.Generic, ["README.md"], null },
        { ProjectKind.Generic, [], null },
    };

    [Theory]
    [MemberData(nameof(Projects))]
    public void Detects_the_kind_of_project(ProjectKind kind, string[] files, string? marker)
    {
        Touch(files);

        var project = ProjectDetector.Detect(dir);

        Assert.Equal(kind, project.Kind);
        Assert.Equal(marker, project.Marker);
    }

    [Theory]
    [InlineData(new string[0], "npm")]
    [InlineData(new[] { "yarn.lock" }, "yarn")]
    [InlineData(new[] { "pnpm-lock.yaml" }, "pnpm")]
    [InlineData(new[] { "package-lock.json" }, "npm")]
    public void Detects_the_node_package_manager(string[] lockFiles, string manager)
    {
        Touch(["package.json", .. lockFiles]);

        var project = ProjectDetector.Detect(dir);

        Assert.Equal(ProjectKind.Node, project.Kind);
        Assert.Equal(manager, project.PackageManager);
        Assert.Contains(manager, StarterPipeline.For(project), StringComparison.Ordinal);
    }

    [Fact]
    public void Node_starter_runs_the_scripts_package_json_has()
    {
        File.WriteAllText(Path.Combine(dir, "package.json"), """{ "scripts": { "build": "tsc", "lint": "eslint .", "test": "vitest" } }""");
        File.WriteAllText(Path.Combine(dir, "pnpm-lock.yaml"), "");

        var yaml = StarterPipeline.For(ProjectDetector.Detect(dir));

        Assert.Contains("- pnpm run lint", yaml, StringComparison.Ordinal);
        Assert.Contains("- pnpm run build", yaml, StringComparison.Ordinal);
        Assert.Contains("run: pnpm run test", yaml, StringComparison.Ordinal);
    }

    [Fact]
    public void Broken_package_json_is_still_a_node_project()
    {
        File.WriteAllText(Path.Combine(dir, "package.json"), "{ not json");

        var project = ProjectDetector.Detect(dir);

        Assert.Equal(ProjectKind.Node, project.Kind);
        Assert.Empty(project.Scripts);
    }

    public static TheoryData<DetectedProject> Starters() =>
    [
        new DetectedProject(ProjectKind.Generic, null),
        new DetectedProject(ProjectKind.DotNet, "Kiln.slnx"),
        new DetectedProject(ProjectKind.DotNet, "My App: \"v2\" #1.sln"),
        new DetectedProject(ProjectKind.Node, "package.json") { PackageManager = "npm" },
        new DetectedProject(ProjectKind.Node, "package.json") { PackageManager = "yarn", Scripts = new HashSet<string> { "build", "lint" } },
        new DetectedProject(ProjectKind.Node, "package.json") { PackageManager = "pnpm", Scripts = new HashSet<string> { "build" } },
        new DetectedProject(ProjectKind.Go, "go.mod"),
        new DetectedProject(ProjectKind.Python, "pyproject.toml") { PythonFiles = ["pyproject.toml", "requirements.txt"] },
        new DetectedProject(ProjectKind.Python, "requirements.txt") { PythonFiles = ["requirements.txt"] },
        new DetectedProject(ProjectKind.Rust, "Cargo.toml"),
        new DetectedProject(ProjectKind.Make, "Makefile"),
    ];

    [Theory]
    [MemberData(nameof(Starters))]
    public void Every_starter_pipeline_parses(DetectedProject project)
    {
        var yaml = StarterPipeline.For(project);

        var result = PipelineParser.Parse(yaml);

        Assert.True(result.Success, yaml + "\n" + string.Join("\n", result.Errors));
        Assert.StartsWith("# ", yaml, StringComparison.Ordinal);
        Assert.Contains("\non:\n", yaml, StringComparison.Ordinal);
        Assert.Contains("\nenv:\n", yaml, StringComparison.Ordinal);
        Assert.Contains("timeout:", yaml, StringComparison.Ordinal);
        Assert.Contains("needs:", yaml, StringComparison.Ordinal);
        Assert.True(yaml.Contains("matrix:", StringComparison.Ordinal) || yaml.Contains("cache:", StringComparison.Ordinal));
        Assert.DoesNotContain('\r', yaml);
        Assert.DoesNotContain('\t', yaml);
    }

    [Fact]
    public void Dotnet_starter_names_the_solution()
    {
        var yaml = StarterPipeline.For(new DetectedProject(ProjectKind.DotNet, "Kiln.slnx"));

        Assert.Contains("dotnet build Kiln.slnx", yaml, StringComparison.Ordinal);
        Assert.Contains("dotnet test Kiln.slnx", yaml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Writes_a_starter_that_parses_and_says_what_it_found()
    {
        Touch(["go.mod"]);

        var result = await RunAsync("init", "--dir", dir);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Error);
        Assert.Contains("Detected: Go (go.mod)", result.Out, StringComparison.Ordinal);
        Assert.Contains($"Wrote {Path.Combine(dir, ".kiln.yml")}", result.Out, StringComparison.Ordinal);
        var yaml = File.ReadAllText(Path.Combine(dir, ".kiln.yml"));
        Assert.True(PipelineParser.Parse(yaml).Success, string.Join("\n", PipelineParser.Parse(yaml).Errors));
        Assert.Contains("go test ./...", yaml, StringComparison.Ordinal);
        Assert.Equal([".kiln.yml", "go.mod"], Directory.GetFiles(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Uses_the_current_directory_by_default()
    {
        var previous = Directory.GetCurrentDirectory();
        Directory.SetCurrentDirectory(dir);
        try
        {
            var result = await RunAsync("init");

            Assert.Equal(0, result.ExitCode);
            Assert.Contains("Detected: no known project files", result.Out, StringComparison.Ordinal);
        }
        finally
        {
            Directory.SetCurrentDirectory(previous);
        }

        Assert.True(File.Exists(Path.Combine(dir, ".kiln.yml")));
    }

    [Fact]
    public async Task Refuses_to_overwrite_without_force()
    {
        var path = Path.Combine(dir, ".kiln.yml");
        File.WriteAllText(path, "mine\n");

        var result = await RunAsync("init", "--dir", dir);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"kiln: {path} already exists; use --force to overwrite\n", result.Error.ReplaceLineEndings("\n"));
        Assert.Equal("mine\n", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(dir));
    }

    [Fact]
    public async Task Force_overwrites()
    {
        Touch(["Cargo.toml"]);
        var path = Path.Combine(dir, ".kiln.yml");
        File.WriteAllText(path, "mine\n");

        var result = await RunAsync("init", "--force", "--dir", dir);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Detected: Rust (Cargo.toml)", result.Out, StringComparison.Ordinal);
        Assert.Contains("cargo test", File.ReadAllText(path), StringComparison.Ordinal);
        Assert.True(PipelineParser.Parse(File.ReadAllText(path)).Success);
        Assert.Equal(2, Directory.GetFiles(dir).Length);
    }

    [Fact]
    public async Task Missing_directory_is_a_usage_error()
    {
        var result = await RunAsync("init", "--dir", Path.Combine(dir, "nope"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("is not a directory", result.Error, StringComparison.Ordinal);
    }

    private void Touch(IEnumerable<string> files)
    {
        foreach (var file in files)
        {
            var path = Path.Combine(dir, file);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, "");
        }
    }

    /// <summary>Runs <c>kiln init</c> in process. Program.RunAsync does not register it yet, so this builds its own root.</summary>
    private static async Task<CliResult> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        using var console = new StringWriter();
        var ctx = new CommandContext(AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(console) }), stdout, stderr, TimeProvider.System);
        var root = new RootCommand("kiln") { InitCommand.Create(ctx) };
        var parse = root.Parse(args);
        Assert.Empty(parse.Errors);
        var code = await parse.InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr, ProcessTerminationTimeout = null }, CancellationToken.None);
        return new CliResult(code, stdout.ToString(), stderr.ToString(), console.ToString());
    }
}
