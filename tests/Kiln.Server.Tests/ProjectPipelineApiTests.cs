using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Kiln.Contracts;
using Kiln.Contracts.Api;

namespace Kiln.Server.Tests;

/// <summary>Replacing a task-only project's pipeline with <c>PATCH /api/v1/projects/{project}</c>: checked
/// like a new project's, kept as it was when refused, and refused for a repository-backed project.</summary>
public sealed class ProjectPipelineApiTests
{
    private const string DeployPipeline = """
        jobs:
          deploy:
            steps:
              - run: echo deploying
        """;

    [Fact]
    public async Task A_new_pipeline_replaces_the_old_one_for_the_next_build()
    {
        await using var server = await KilnTestServer.StartAsync();
        await server.CreateTaskProjectAsync("app");
        var before = await server.TriggerAsync("app");

        using var response = await PatchAsync(server, "app", new { pipeline = DeployPipeline, weight = 3 });

        await KilnTestServer.ExpectAsync(response, HttpStatusCode.OK);
        var project = (await response.Content.ReadFromJsonAsync(KilnJsonContext.Default.ProjectResource))!;
        Assert.Equal(("app", (string?)null, 3), (project.Name, project.Repo, project.Weight));
        var after = await server.TriggerAsync("app");
        Assert.Equal(["deploy"], after.Jobs.Select(j => j.Name));
        // The build made before keeps the plan it was made with.
        Assert.Equal(["build", "test"], (await server.GetBuildAsync("app", before.Number)).Jobs.Select(j => j.Name));
    }

    [Fact]
    public async Task An_invalid_pipeline_is_a_422_listing_its_errors_like_a_new_project_and_keeps_the_old_one()
    {
        await using var server = await KilnTestServer.StartAsync();
        await server.CreateTaskProjectAsync("app");
        const string invalid = "jobs:\n  build:\n    stpes:\n      - run: echo\n";

        using var patched = await PatchAsync(server, "app", new { pipeline = invalid, weight = 5 });
        using var created = await server.Admin.PostAsJsonAsync("api/v1/projects", new CreateProjectRequest("other", null, null, invalid), KilnJsonContext.Default.CreateProjectRequest);

        var problem = await KilnTestServer.ProblemAsync(patched, HttpStatusCode.UnprocessableEntity);
        var errors = problem.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Contains(errors, e => e.StartsWith("pipeline:3:5: ", StringComparison.Ordinal) && e.Contains("stpes", StringComparison.Ordinal));
        var asNew = await KilnTestServer.ProblemAsync(created, HttpStatusCode.UnprocessableEntity);
        Assert.Equal(asNew.GetProperty("detail").GetString(), problem.GetProperty("detail").GetString());
        Assert.Equal(asNew.GetProperty("errors").EnumerateArray().Select(e => e.GetString()), errors);
        // Nothing of the refused patch is applied: neither the pipeline nor the weight beside it.
        Assert.Equal(1, (await server.Admin.GetFromJsonAsync("api/v1/projects/app", KilnJsonContext.Default.ProjectResource))!.Weight);
        Assert.Equal(["build", "test"], (await server.TriggerAsync("app")).Jobs.Select(j => j.Name));
    }

    [Fact]
    public async Task A_pipeline_that_is_not_a_string_is_a_400_naming_the_field()
    {
        await using var server = await KilnTestServer.StartAsync();
        await server.CreateTaskProjectAsync("app");

        using var response = await server.Admin.PatchAsync("api/v1/projects/app", new StringContent("""{"pipeline":{"jobs":{}}}""", Encoding.UTF8, "application/merge-patch+json"));

        var detail = (await KilnTestServer.ProblemAsync(response, HttpStatusCode.BadRequest)).GetProperty("detail").GetString();
        Assert.Equal("'pipeline' must be a string (the YAML of a task-only project); got an object.", detail);
    }

    [Fact]
    public async Task A_repository_backed_project_refuses_a_pipeline_and_keeps_reading_its_own()
    {
        using var repo = await TestGitRepo.CreateAsync(KilnTestServer.TwoJobPipeline);
        await using var server = await KilnTestServer.StartAsync();
        using (var created = await server.Admin.PostAsJsonAsync("api/v1/projects", new CreateProjectRequest("app", repo.Path, "main", null), KilnJsonContext.Default.CreateProjectRequest))
        {
            await KilnTestServer.ExpectAsync(created, HttpStatusCode.Created);
        }

        using var response = await PatchAsync(server, "app", new { pipeline = DeployPipeline });

        var detail = (await KilnTestServer.ProblemAsync(response, HttpStatusCode.UnprocessableEntity)).GetProperty("detail").GetString();
        Assert.Contains("'pipeline' cannot be set for 'app'", detail, StringComparison.Ordinal);
        Assert.Contains("repository-backed", detail, StringComparison.Ordinal);
        Assert.Contains(".kiln.yml", detail, StringComparison.Ordinal);
        Assert.Equal(["build", "test"], (await server.TriggerAsync("app")).Jobs.Select(j => j.Name));
    }

    private static Task<HttpResponseMessage> PatchAsync(KilnTestServer server, string project, object body) =>
        server.Admin.PatchAsync($"api/v1/projects/{project}", new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/merge-patch+json"));
}
