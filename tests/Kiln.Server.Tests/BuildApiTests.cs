using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Kiln.Contracts;
using Kiln.Contracts.Api;

namespace Kiln.Server.Tests;

/// <summary>Builds of a task-only project over HTTP. No agent runs in these hosts, so builds stay queued
/// until a test cancels them.</summary>
public sealed class BuildApiTests
{
    [Fact]
    public async Task Posting_a_build_plans_its_jobs_from_the_stored_pipeline()
    {
        await using var server = await KilnTestServer.StartAsync();
        await server.CreateTaskProjectAsync("app");

        using var response = await server.Admin.PostAsJsonAsync("api/v1/projects/app/builds", new CreateBuildRequest(null, null), KilnJsonContext.Default.CreateBuildRequest);

        await KilnTestServer.ExpectAsync(response, HttpStatusCode.Created);
        Assert.Equal("/api/v1/projects/app/builds/1", response.Headers.Location?.OriginalString);
        var build = (await response.Content.ReadFromJsonAsync(KilnJsonContext.Default.BuildResource))!;
        Assert.Equal(("app", 1, "queued", "api", "admin"), (build.Project, build.Number, build.Status, build.Event, build.TriggeredBy));
        Assert.Null(build.Commit);
        Assert.Null(build.StartedAt);
        Assert.Null(build.FinishedAt);
        Assert.Equal(["build", "test"], build.Jobs.Select(j => j.Name));

        var compile = build.Jobs[0];
        Assert.Equal("queued", compile.Status);
        Assert.Empty(compile.Needs);
        Assert.NotNull(compile.QueuedAt);
        Assert.Equal([("compile", "pending")], compile.Steps.Select(s => (s.Name, s.Status)));

        var test = build.Jobs[1];
        Assert.Equal("waiting", test.Status);
        Assert.Equal(["build"], test.Needs);
        Assert.Null(test.QueuedAt);
        Assert.Equal([("unit", "pending"), ("integration", "pending")], test.Steps.Select(s => (s.Name, s.Status)));
        Assert.All(build.Jobs, j => Assert.Null(j.Agent));

        // Still queued a moment later: nothing in this host runs jobs.
        await Task.Delay(300);
        Assert.Equal("queued", (await server.GetBuildAsync("app", 1)).Status);
    }

    [Fact]
    public async Task Builds_are_numbered_per_project_and_listed_newest_first()
    {
        await using var server = await KilnTestServer.StartAsync();
        await server.CreateTaskProjectAsync("app");
        await server.CreateTaskProjectAsync("other");

        var numbers = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            numbers.Add((await server.TriggerAsync("app")).Number);
        }

        var otherFirst = await server.TriggerAsync("other");

        Assert.Equal([1, 2, 3], numbers);
        Assert.Equal(1, otherFirst.Number);
        var listed = await server.Admin.GetFromJsonAsync("api/v1/projects/app/builds", KilnJsonContext.Default.ListBuildResource);
        Assert.Equal([3, 2, 1], listed!.Select(b => b.Number));
        Assert.All(listed!, b => Assert.Equal("app", b.Project));
        var limited = await server.Admin.GetFromJsonAsync("api/v1/projects/app/builds?limit=2", KilnJsonContext.Default.ListBuildResource);
        Assert.Equal([3, 2], limited!.Select(b => b.Number));
    }

    [Fact]
    public async Task Unknown_projects_builds_and_jobs_are_404_problems()
    {
        await using var server = await KilnTestServer.StartAsync();
        await server.CreateTaskProjectAsync("app");
        await server.TriggerAsync("app");

        using var noProjectPost = await server.Admin.PostAsJsonAsync("api/v1/projects/ghost/builds", new CreateBuildRequest(null, null), KilnJsonContext.Default.CreateBuildRequest);
        using var noProjectList = await server.Admin.GetAsync("api/v1/projects/ghost/builds");
        using var noBuild = await server.Admin.GetAsync("api/v1/projects/app/builds/9");
        using var noCancel = await server.Admin.PostAsync("api/v1/projects/app/builds/9/cancel", null);
        using var noJob = await server.Admin.GetAsync("api/v1/projects/app/builds/1/jobs/deploy");
        using var noJobLog = await server.Admin.GetAsync("api/v1/projects/app/builds/1/jobs/deploy/log");

        await KilnTestServer.ProblemAsync(noProjectPost, HttpStatusCode.NotFound);
        await KilnTestServer.ProblemAsync(noProjectList, HttpStatusCode.NotFound);
        await KilnTestServer.ProblemAsync(noBuild, HttpStatusCode.NotFound);
        await KilnTestServer.ProblemAsync(noCancel, HttpStatusCode.NotFound);
        await KilnTestServer.ProblemAsync(noJob, HttpStatusCode.NotFound);
        await KilnTestServer.ProblemAsync(noJobLog, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task An_event_other_than_api_or_manual_is_a_422_problem()
    {
        await using var server = await KilnTestServer.StartAsync();
        await server.CreateTaskProjectAsync("app");

        using var push = await server.Admin.PostAsJsonAsync("api/v1/projects/app/builds", new CreateBuildRequest(null, null, "push"), KilnJsonContext.Default.CreateBuildRequest);
        using var manual = await server.Admin.PostAsJsonAsync("api/v1/projects/app/builds", new CreateBuildRequest(null, null, "manual"), KilnJsonContext.Default.CreateBuildRequest);

        await KilnTestServer.ProblemAsync(push, HttpStatusCode.UnprocessableEntity);
        await KilnTestServer.ExpectAsync(manual, HttpStatusCode.Created);
        var build = (await manual.Content.ReadFromJsonAsync(KilnJsonContext.Default.BuildResource))!;
        Assert.Equal(("manual", 1), (build.Event, build.Number));
    }

    [Fact]
    public async Task Canceling_a_queued_build_cancels_it_and_all_its_jobs()
    {
        await using var server = await KilnTestServer.StartAsync();
        await server.CreateTaskProjectAsync("app");
        await server.TriggerAsync("app");

        using var response = await server.Admin.PostAsync("api/v1/projects/app/builds/1/cancel", null);

        await KilnTestServer.ExpectAsync(response, HttpStatusCode.Accepted);
        var answered = (await response.Content.ReadFromJsonAsync(KilnJsonContext.Default.BuildResource))!;
        Assert.Equal("canceled", answered.Status);
        var build = await server.GetBuildAsync("app", 1);
        Assert.Equal("canceled", build.Status);
        Assert.NotNull(build.FinishedAt);
        Assert.All(build.Jobs, j =>
        {
            Assert.Equal("canceled", j.Status);
            Assert.NotNull(j.FinishedAt);
            Assert.All(j.Steps, s => Assert.Equal("skipped", s.Status));
        });

        // Canceling again changes nothing and still answers with the build.
        using var again = await server.Admin.PostAsync("api/v1/projects/app/builds/1/cancel", null);
        await KilnTestServer.ExpectAsync(again, HttpStatusCode.Accepted);
        Assert.Equal(build.FinishedAt, (await server.GetBuildAsync("app", 1)).FinishedAt);
    }

    [Fact]
    public async Task A_waiting_post_returns_once_another_request_cancels_the_build()
    {
        await using var server = await KilnTestServer.StartAsync();
        await server.CreateTaskProjectAsync("app");

        var waiting = server.Admin.PostAsJsonAsync("api/v1/projects/app/builds?wait=true", new CreateBuildRequest(null, null), KilnJsonContext.Default.CreateBuildRequest);
        await KilnTestServer.WaitForAsync(
            () => server.Admin.GetStringAsync("api/v1/projects/app/builds"),
            body => body.Contains("\"number\":1", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10),
            "build #1 to exist");
        await Task.Delay(300);
        Assert.False(waiting.IsCompleted, "?wait=true returned before the build ended");

        var clock = Stopwatch.StartNew();
        using (var cancel = await server.Admin.PostAsync("api/v1/projects/app/builds/1/cancel", null))
        {
            await KilnTestServer.ExpectAsync(cancel, HttpStatusCode.Accepted);
        }

        using var response = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"the waiting request took {clock.Elapsed.TotalSeconds:0.#} s to notice the cancel");
        await KilnTestServer.ExpectAsync(response, HttpStatusCode.OK);
        var build = (await response.Content.ReadFromJsonAsync(KilnJsonContext.Default.BuildResource))!;
        Assert.Equal((1, "canceled"), (build.Number, build.Status));
    }

    [Fact]
    public async Task A_job_is_found_by_name_and_by_id()
    {
        await using var server = await KilnTestServer.StartAsync();
        await server.CreateTaskProjectAsync("app");
        var build = await server.TriggerAsync("app");
        var test = build.Jobs.Single(j => j.Name == "test");

        var byName = await server.GetJobAsync("app", 1, "test");
        var byId = await server.GetJobAsync("app", 1, test.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(test.Id, byName.Id);
        Assert.Equal("test", byId.Name);
        Assert.Equal((byName.Id, byName.Status, byName.QueuedAt), (byId.Id, byId.Status, byId.QueuedAt));
        Assert.Equal(byName.Needs, byId.Needs);
        Assert.Equal(byName.Steps, byId.Steps);
        Assert.Equal(0, byName.LogBytes);

        // The id of a job of another build does not reach across builds.
        var second = await server.TriggerAsync("app");
        using var crossed = await server.Admin.GetAsync($"api/v1/projects/app/builds/1/jobs/{second.Jobs[0].Id}");
        await KilnTestServer.ProblemAsync(crossed, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_log_of_a_job_that_logged_nothing_is_empty_text()
    {
        await using var server = await KilnTestServer.StartAsync();
        await server.CreateTaskProjectAsync("app");
        await server.TriggerAsync("app");

        using var response = await server.Admin.GetAsync("api/v1/projects/app/builds/1/jobs/build/log");

        await KilnTestServer.ExpectAsync(response, HttpStatusCode.OK);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("0", response.Headers.GetValues("X-Kiln-Log-End").Single());
        Assert.Equal("", await response.Content.ReadAsStringAsync());
    }
}
