using System.Net;
using System.Net.Http.Json;
using Kiln.Contracts;
using Kiln.Contracts.Api;
using Kiln.EndToEnd.Tests.Harness;

namespace Kiln.EndToEnd.Tests;

/// <summary>The parts of the pipeline language that need a person or a check: manual jobs,
/// inputs rejected at trigger time, `on`, validation and the schema.</summary>
public sealed class PipelineLanguageTests
{
    private const string App = RepoScenario.Project;

    [Fact]
    public async Task Manual_job_waits_for_approval_then_runs()
    {
        await using var s = await RepoScenario.StartAsync("""
            jobs:
              build:
                steps: [ "echo built" ]
              deploy:
                needs: [build]
                manual: true
                steps: [ "echo deployed by hand" ]
            """);

        await s.Api.TriggerBuildAsync(App);
        var waiting = await s.Api.WaitForBuildAsync(App, 1, b => b.Jobs.Single(j => j.Name == "deploy").Status == "manual", TimeSpan.FromSeconds(30), "waiting for approval");
        Assert.Equal("succeeded", waiting.Jobs.Single(j => j.Name == "build").Status);
        Assert.Null(waiting.FinishedAt);

        Expect.ExitCode(0, await s.Server.RunCliAsync("approve", $"{App}#1", "deploy"), s.Server);
        var done = await s.Api.WaitForFinishedAsync(App, 1, TimeSpan.FromSeconds(30));

        Assert.Equal("succeeded", done.Status);
        Assert.Contains("deployed by hand", await s.Api.GetLogLinesAsync(App, 1, "deploy"));
        var again = await s.Server.RunCliAsync("approve", $"{App}#1", "deploy");
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("not waiting for approval", again.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_and_missing_required_inputs_are_rejected_without_a_build()
    {
        await using var s = await RepoScenario.StartAsync("""
            inputs:
              target: { required: true, options: [debug, release] }
            jobs:
              build:
                steps: [ "echo $KILN_INPUT_TARGET" ]
            """);

        var missing = await s.Server.RunCliAsync("build", App);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("target", missing.Stderr, StringComparison.Ordinal);

        var unknown = await s.Server.RunCliAsync("build", App, "--input", "target=debug", "--input", "colour=red");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("colour", unknown.Stderr, StringComparison.Ordinal);

        var badChoice = await s.Server.RunCliAsync("build", App, "--input", "target=fast");
        Assert.Equal(2, badChoice.ExitCode);
        Assert.Contains("release", badChoice.Stderr, StringComparison.Ordinal);

        Assert.Empty(await s.Api.ListBuildNumbersAsync(App));
        var ok = await s.Server.RunCliAsync("build", App, "--input", "target=release", "--wait");
        Expect.ExitCode(0, ok, s.Server);
        Assert.Contains("release", ok.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_pipeline_whose_on_excludes_manual_builds_refuses_them()
    {
        await using var s = await RepoScenario.StartAsync("""
            on:
              push: { branches: [main] }
            jobs:
              build:
                steps: [ "true" ]
            """);

        var refused = await s.Server.RunCliAsync("build", App);

        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("manual", refused.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_lists_every_problem_locally_and_over_the_api()
    {
        await using var server = await KilnServerProcess.StartNewAsync();
        var file = server.ScratchPath("bad.kiln.yml");
        await File.WriteAllTextAsync(file, """
            jobs:
              build:
                stepz: [ "true" ]
              test:
                needs: [biuld]
                steps: [ "true" ]
            """);

        var local = await server.RunCliAsync("validate", file);
        Assert.Equal(2, local.ExitCode);
        Assert.Contains("bad.kiln.yml:3:5", local.Stdout, StringComparison.Ordinal);
        Assert.Contains("did you mean 'steps'", local.Stdout, StringComparison.Ordinal);
        Assert.Contains("biuld", local.Stdout, StringComparison.Ordinal);

        using var response = await server.Http.PostAsJsonAsync("/api/v1/validate", new ValidateRequest(await File.ReadAllTextAsync(file), "bad.kiln.yml"), KilnJsonContext.Default.ValidateRequest);
        var result = (await response.Content.ReadFromJsonAsync(KilnJsonContext.Default.ValidateResponse))!;
        Assert.False(result.Valid);
        Assert.Contains(result.Errors, e => e is { File: "bad.kiln.yml", Line: 3, Column: 5 } && e.Hint!.Contains("steps", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.Line == 5 && e.Message.Contains("biuld", StringComparison.Ordinal));

        await File.WriteAllTextAsync(file, "jobs:\n  build:\n    matrix: { n: [1, 2] }\n    steps: [ \"true\" ]\n");
        var good = await server.RunCliAsync("validate", file);
        Expect.ExitCode(0, good, server);
        Assert.Contains("build (n=2)", good.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_pipeline_file_that_is_not_utf8_ends_the_build_in_error_with_its_position()
    {
        using var repo = await GitRepo.CreateAsync();
        await File.WriteAllBytesAsync(Path.Combine(repo.Path, ".kiln.yml"), [.. "jobs:\n  build:\n    steps: [\"echo "u8, 0xFF, .. "\"]\n"u8]);
        await repo.CommitAsync("latin-1 by mistake");
        await using var server = await KilnServerProcess.StartNewAsync();
        await server.Api.CreateRepoProjectAsync(App, repo.Path);

        var cli = await server.RunCliAsync("build", App);

        Assert.Equal(2, cli.ExitCode);
        Assert.Contains(".kiln.yml:3:19: the file is not valid UTF-8", cli.Stderr, StringComparison.Ordinal);
        var build = await server.Api.GetBuildAsync(App, 1);
        Assert.Equal("error", build.Status);
        Assert.Contains("not valid UTF-8", build.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_schema_is_served_without_a_token()
    {
        await using var server = await KilnServerProcess.StartNewAsync();
#pragma warning disable RS0030 // A client with no token on purpose.
        using var anonymous = new HttpClient { BaseAddress = new Uri(server.Url) };
#pragma warning restore RS0030

        using var response = await anonymous.GetAsync(new Uri("/api/v1/schema", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/schema+json", response.Content.Headers.ContentType?.MediaType);
        var schema = await response.Content.ReadAsStringAsync();
        Assert.Contains("\"jobs\"", schema, StringComparison.Ordinal);
        Assert.Contains("continue-on-error", schema, StringComparison.Ordinal);
    }
}
