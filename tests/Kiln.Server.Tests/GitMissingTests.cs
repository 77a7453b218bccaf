using System.Net;
using System.Net.Http.Json;
using Kiln.Contracts;
using Kiln.Contracts.Api;

namespace Kiln.Server.Tests;

/// <summary>A server without git (<c>Kiln:Git</c> naming nothing on PATH, or a path that goes away) still
/// starts and serves task-only projects; <c>/readyz</c> warns, and a request that needs git answers 503
/// problem+json naming it instead of a bare 500.</summary>
public sealed class GitMissingTests
{
    private const string NoSuchGit = "kiln-test-no-such-git";
    private const string NotOnPath = $"git is not installed on the server ('{NoSuchGit}' not found on PATH)";

    [Fact]
    public async Task Readyz_stays_ready_with_a_warning_naming_the_missing_git()
    {
        await using var server = await KilnTestServer.StartAsync("--Kiln:Git=" + NoSuchGit);

        using var ready = await server.Client(null).GetAsync("readyz");

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var text = await ready.Content.ReadAsStringAsync();
        Assert.StartsWith("ready\n", text, StringComparison.Ordinal);
        Assert.Contains($"warning: {NotOnPath}. Repository projects cannot be added or built", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Adding_a_repository_project_is_a_503_naming_git_and_adds_nothing_while_task_only_projects_work()
    {
        using var repo = await TestGitRepo.CreateAsync(KilnTestServer.TwoJobPipeline);
        await using var server = await KilnTestServer.StartAsync("--Kiln:Git=" + NoSuchGit);

        using var response = await server.Admin.PostAsJsonAsync("api/v1/projects", new CreateProjectRequest("app", repo.Path, "main", null), KilnJsonContext.Default.CreateProjectRequest);

        var detail = (await KilnTestServer.ProblemAsync(response, HttpStatusCode.ServiceUnavailable)).GetProperty("detail").GetString();
        Assert.StartsWith(NotOnPath + ".", detail, StringComparison.Ordinal);
        Assert.Contains("Kiln:Git (KILN_GIT)", detail, StringComparison.Ordinal);
        Assert.Equal("[]", await server.Admin.GetStringAsync("api/v1/projects"));
        await server.CreateTaskProjectAsync("tasks");
        Assert.Equal(["build", "test"], (await server.TriggerAsync("tasks")).Jobs.Select(j => j.Name));
    }

    [Fact]
    public async Task Building_a_repository_project_after_git_went_away_is_a_503_and_readyz_follows()
    {
        using var repo = await TestGitRepo.CreateAsync(KilnTestServer.TwoJobPipeline);
        // A git of our own that can be taken away while the server runs.
        var wrapper = Path.Combine(repo.Path, "..", Path.GetFileName(repo.Path) + "-git");
        await File.WriteAllTextAsync(wrapper, "#!/bin/sh\nexec git \"$@\"\n");
        File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            await using var server = await KilnTestServer.StartAsync("--Kiln:Git=" + wrapper);
            using (var created = await server.Admin.PostAsJsonAsync("api/v1/projects", new CreateProjectRequest("app", repo.Path, "main", null), KilnJsonContext.Default.CreateProjectRequest))
            {
                await KilnTestServer.ExpectAsync(created, HttpStatusCode.Created);
            }

            Assert.Equal("ready\n", await server.Client(null).GetStringAsync("readyz"));
            File.Delete(wrapper);

            using var build = await server.Admin.PostAsJsonAsync("api/v1/projects/app/builds", new CreateBuildRequest(null, null), KilnJsonContext.Default.CreateBuildRequest);

            var detail = (await KilnTestServer.ProblemAsync(build, HttpStatusCode.ServiceUnavailable)).GetProperty("detail").GetString();
            Assert.StartsWith($"git is not installed on the server ('{wrapper}' does not exist).", detail, StringComparison.Ordinal);
            Assert.Contains($"('{wrapper}' does not exist)", await server.Client(null).GetStringAsync("readyz"), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(wrapper);
        }
    }
}
