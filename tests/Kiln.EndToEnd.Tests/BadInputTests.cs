using System.Text.Json;
using System.Text.RegularExpressions;
using Kiln.Contracts;
using Kiln.Contracts.Api;
using Kiln.EndToEnd.Tests.Harness;

namespace Kiln.EndToEnd.Tests;

/// <summary>Mistakes a user makes get the documented exit codes, a message that names the culprit, and problem+json.</summary>
public sealed class BadInputTests
{
    private const string App = RepoScenario.Project;

    [Fact]
    public async Task Unknown_project_is_not_found()
    {
        await using var s = await RepoScenario.StartAsync(ValidPipeline());

        Expect.ExitCode(4, await s.Server.RunCliAsync("build", "no-such-project"), s.Server);
        Expect.ExitCode(4, await s.Server.RunCliAsync("project", "show", "no-such-project"), s.Server);
        Expect.ExitCode(4, await s.Server.RunCliAsync("status", "no-such-project#1"), s.Server);
        Expect.ExitCode(4, await s.Server.RunCliAsync("status", $"{App}#99"), s.Server);

        using var response = await s.Api.Http.GetAsync(KilnApi.Relative("api/v1/projects/no-such-project"));
        await Expect.ProblemAsync(response, 404);
    }

    [Fact]
    public async Task Unknown_ref_is_a_validation_error_naming_the_ref()
    {
        await using var s = await RepoScenario.StartAsync(ValidPipeline());
        const string missing = "no-such-branch-7f3a";

        var cli = await s.Server.RunCliAsync("build", App, "--ref", missing);
        Expect.ExitCode(2, cli, s.Server);
        Assert.Contains(missing, cli.Stdout + cli.Stderr, StringComparison.Ordinal);

        using var response = await s.Api.PostBuildAsync(App, missing);
        Assert.Contains(missing, await Expect.ProblemAsync(response, 422, 400), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Repo_path_that_does_not_exist_is_refused_when_adding_the_project()
    {
        await using var s = await RepoScenario.StartAsync(ValidPipeline());
        var missing = Path.Combine(Path.GetTempPath(), "kiln-e2e-missing-" + Guid.NewGuid().ToString("N"));

        var cli = await s.Server.RunCliAsync("project", "add", "ghost", "--repo", missing);
        Expect.ExitCode(2, cli, s.Server);
        Assert.Contains(missing, cli.Stdout + cli.Stderr, StringComparison.Ordinal);

        using var response = await s.Api.PostProjectAsync(new CreateProjectRequest("ghost", missing, "main", null));
        Assert.Contains(missing, await Expect.ProblemAsync(response, 422, 400), StringComparison.Ordinal);

        Expect.ExitCode(4, await s.Server.RunCliAsync("project", "show", "ghost"), s.Server);
    }

    [Fact]
    public async Task Commit_without_a_pipeline_file_names_kiln_yml()
    {
        await using var s = await RepoScenario.StartAsync(ValidPipeline());
        s.Repo.DeleteFile(".kiln.yml");
        await s.Repo.CommitAsync("remove the pipeline");

        await AssertBuildRefusedAsync(s, new Regex(@"\.kiln\.yml"));
    }

    [Fact]
    public async Task Yaml_syntax_error_is_reported_with_file_line_and_column()
    {
        await using var s = await RepoScenario.StartAsync(ValidPipeline());
        s.Repo.WriteFile(".kiln.yml", BrokenYamlOnLine3());
        await s.Repo.CommitAsync("broken yaml");

        await AssertBuildRefusedAsync(s, new Regex(@"\.kiln\.yml:3:\d+"));
    }

    [Fact]
    public async Task Needs_naming_no_job_is_reported_by_name()
    {
        await using var s = await RepoScenario.StartAsync(ValidPipeline());
        s.Repo.WriteFile(".kiln.yml", UnknownNeedPipeline());
        await s.Repo.CommitAsync("unknown need");

        await AssertBuildRefusedAsync(s, new Regex("no-such-job"));
    }

    /// <summary>
    /// The pipeline is read at the commit being built, so a bad pipeline can surface either when the build is
    /// requested (4xx problem+json; CLI exit 2) or as a build that ends <c>error</c> with its reason (CLI exit 1).
    /// Both are accepted; either way the message must match <paramref name="message"/>.
    /// </summary>
    private static async Task AssertBuildRefusedAsync(RepoScenario s, Regex message)
    {
        var cli = await s.Server.RunCliAsync("build", App, "--wait");
        Assert.True(cli.ExitCode is 1 or 2, $"expected exit code 1 or 2, got {cli.Output}\n{Expect.ServerTail(s.Server)}");
        Assert.Matches(message, cli.Stdout + cli.Stderr);

        using var response = await s.Api.PostBuildAsync(App, wait: true);
        if (response.IsSuccessStatusCode)
        {
            var build = JsonSerializer.Deserialize(await response.Content.ReadAsStringAsync(), KilnJsonContext.Default.BuildResource)!;
            Assert.Equal("error", build.Status);
            Assert.Matches(message, build.Error ?? "");
        }
        else
        {
            Assert.Matches(message, await Expect.ProblemAsync(response, 422, 400));
        }
    }

    private static string ValidPipeline() => """
        jobs:
          ok:
            steps:
              - run: echo ok
        """;

    /// <summary>Line 3 holds a mapping value where none may be (<c>steps: a: b</c>).</summary>
    private static string BrokenYamlOnLine3() => """
        jobs:
          build:
            steps: a: b
              - run: echo never
        """;

    private static string UnknownNeedPipeline() => """
        jobs:
          deploy:
            needs: [no-such-job]
            steps:
              - run: echo deploy
        """;
}
