using System.Net;
using System.Net.Http.Json;
using Kiln.Contracts;
using Kiln.Contracts.Api;

namespace Kiln.Server.Tests;

/// <summary>Projects over HTTP, and the problem+json answers for what is wrong.</summary>
public sealed class ProjectApiTests
{
    [Fact]
    public async Task An_unknown_project_is_a_404_problem()
    {
        await using var server = await KilnTestServer.StartAsync();

        using var response = await server.Admin.GetAsync("api/v1/projects/nope");

        var problem = await KilnTestServer.ProblemAsync(response, HttpStatusCode.NotFound);
        Assert.Contains("'nope'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_project_name_is_a_422_problem()
    {
        await using var server = await KilnTestServer.StartAsync();

        foreach (var name in new[] { "bad name", "-leading-dash", "slash/name", "", new string('a', 101) })
        {
            using var response = await PostAsync(server, new CreateProjectRequest(name, null, null, KilnTestServer.TwoJobPipeline));

            var problem = await KilnTestServer.ProblemAsync(response, HttpStatusCode.UnprocessableEntity);
            Assert.Contains("'name'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        await AssertNoProjectsAsync(server);
        using var longest = await PostAsync(server, new CreateProjectRequest(new string('a', 100), null, null, KilnTestServer.TwoJobPipeline));
        await KilnTestServer.ExpectAsync(longest, HttpStatusCode.Created);
    }

    [Fact]
    public async Task A_project_with_both_repo_and_pipeline_or_neither_is_a_422_problem()
    {
        await using var server = await KilnTestServer.StartAsync();

        using var both = await PostAsync(server, new CreateProjectRequest("both", "/srv/git/app", null, KilnTestServer.TwoJobPipeline));
        using var neither = await PostAsync(server, new CreateProjectRequest("neither", null, null, null));

        Assert.Contains("exactly one", (await KilnTestServer.ProblemAsync(both, HttpStatusCode.UnprocessableEntity)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        await KilnTestServer.ProblemAsync(neither, HttpStatusCode.UnprocessableEntity);
        await AssertNoProjectsAsync(server);
    }

    [Fact]
    public async Task A_repo_path_that_does_not_exist_is_a_422_problem_and_adds_nothing()
    {
        await using var server = await KilnTestServer.StartAsync();
        var missing = Path.Combine(server.DataDir, "no-such-repo");

        using var response = await PostAsync(server, new CreateProjectRequest("app", missing, null, null));
        using var relative = await PostAsync(server, new CreateProjectRequest("app", "relative/path", null, null));

        var detail = (await KilnTestServer.ProblemAsync(response, HttpStatusCode.UnprocessableEntity)).GetProperty("detail").GetString();
        Assert.Contains(missing, detail, StringComparison.Ordinal);
        Assert.Contains("cannot be read", detail, StringComparison.Ordinal);
        Assert.Contains("absolute path", (await KilnTestServer.ProblemAsync(relative, HttpStatusCode.UnprocessableEntity)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        await AssertNoProjectsAsync(server);
    }

    [Fact]
    public async Task A_second_project_with_the_same_name_is_refused()
    {
        await using var server = await KilnTestServer.StartAsync();
        await server.CreateTaskProjectAsync("app");

        using var response = await PostAsync(server, new CreateProjectRequest("app", null, null, "jobs:\n  other:\n    steps:\n      - run: echo other\n"));

        var problem = await KilnTestServer.ProblemAsync(response, HttpStatusCode.UnprocessableEntity);
        Assert.Contains("already exists", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var build = await server.TriggerAsync("app");
        Assert.Equal(["build", "test"], build.Jobs.Select(j => j.Name));
    }

    [Fact]
    public async Task An_invalid_pipeline_is_a_422_problem_listing_its_errors()
    {
        await using var server = await KilnTestServer.StartAsync();

        using var response = await PostAsync(server, new CreateProjectRequest("app", null, null, "jobs:\n  build:\n    stpes:\n      - run: echo\n"));

        var problem = await KilnTestServer.ProblemAsync(response, HttpStatusCode.UnprocessableEntity);
        var errors = problem.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.NotEmpty(errors);
        Assert.Contains(errors, e => e.StartsWith("pipeline:", StringComparison.Ordinal) && e.Contains("stpes", StringComparison.Ordinal));
        await AssertNoProjectsAsync(server);
    }

    [Fact]
    public async Task A_task_only_project_is_created_listed_and_shown()
    {
        await using var server = await KilnTestServer.StartAsync();

        using var created = await PostAsync(server, new CreateProjectRequest("app", null, null, KilnTestServer.TwoJobPipeline));

        await KilnTestServer.ExpectAsync(created, HttpStatusCode.Created);
        Assert.Equal("/api/v1/projects/app", created.Headers.Location?.OriginalString);
        var project = (await created.Content.ReadFromJsonAsync(KilnJsonContext.Default.ProjectResource))!;
        Assert.Equal("app", project.Name);
        Assert.Null(project.Repo);
        Assert.Null(project.LastBuild);
        var listed = await server.Admin.GetFromJsonAsync("api/v1/projects", KilnJsonContext.Default.ListProjectResource);
        Assert.Equal(["app"], listed!.Select(p => p.Name));

        await server.TriggerAsync("app");
        var shown = await server.Admin.GetFromJsonAsync("api/v1/projects/app", KilnJsonContext.Default.ProjectResource);
        Assert.Equal(1, shown!.LastBuild?.Number);
        Assert.Equal("queued", shown.LastBuild?.Status);
    }

    private static Task<HttpResponseMessage> PostAsync(KilnTestServer server, CreateProjectRequest request) =>
        server.Admin.PostAsJsonAsync("api/v1/projects", request, KilnJsonContext.Default.CreateProjectRequest);

    private static async Task AssertNoProjectsAsync(KilnTestServer server) =>
        Assert.Equal("[]", await server.Admin.GetStringAsync("api/v1/projects"));
}
